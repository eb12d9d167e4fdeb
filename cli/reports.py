"""`report`: risk-pool balances and per-product loan statistics, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.context import Context, get_context
from domain.money import format_wan, format_yuan
from domain.terms import PARTIES
from projections.reports import pool_balances, product_statistics

app = typer.Typer(help="Reports from the read models (caught up first).", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv")]
WanOption = Annotated[bool, typer.Option("--wan", help="Show amounts in 万元")]

POOL_COLUMNS = [
    ("pool", "Pool"),
    ("name", "Name"),
    ("level", "Level"),
    ("contributed_fen", "Contributed"),
    ("paid_out_fen", "Paid out"),
    ("recovered_fen", "Recovered"),
    ("available_fen", "Available"),
    ("queued_fen", "Queued"),
]
PRODUCT_COLUMNS = [
    ("product", "Product"),
    ("name", "Name"),
    ("loans", "Loans"),
    ("enterprises", "Firms"),
    ("disbursed_fen", "Disbursed"),
    ("repaid_fen", "Repaid"),
    ("outstanding_fen", "Outstanding"),
    ("defaulted_loans", "Defaults"),
    ("defaulted_fen", "Defaulted"),
    ("npl_fen", "NPL"),
    ("claims", "Claims"),
    ("recovered_fen", "Recovered"),
]
NESTED = ("burden_fen", "compensation_paid_fen", "recovery_share_fen")


def _money(fen: int, wan: bool) -> str:
    return format_wan(fen) if wan else format_yuan(fen)


def _cell(key: str, value: Any, wan: bool) -> str:
    return _money(value, wan) if key.endswith("_fen") else str(value)


def _table(
    title: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], wan: bool
) -> Table:
    unit = "万元" if wan else "元"
    table = Table(title=f"{title} ({unit})", title_justify="left")
    for key, header in columns:
        table.add_column(header, justify="right" if key.endswith(("_fen", "s")) else "left")
    for row in rows:
        table.add_row(*(_cell(key, row[key], wan) for key, _ in columns))
    return table


def _ordered(parts: dict[str, int]) -> dict[str, int]:
    return {party: parts[party] for party in PARTIES if party in parts}


def _burden_table(rows: list[dict[str, Any]], wan: bool) -> Table:
    unit = "万元" if wan else "元"
    table = Table(title=f"Loss burdens by party ({unit})", title_justify="left")
    for header in ("Product", "Party", "Burden", "Compensation paid", "Recovered share"):
        table.add_column(header, justify="left" if header in ("Product", "Party") else "right")
    for row in rows:
        for party, burden in _ordered(row["burden_fen"]).items():
            table.add_row(
                row["product"],
                party,
                _money(burden, wan),
                _money(row["compensation_paid_fen"][party], wan),
                _money(row["recovery_share_fen"][party], wan),
            )
    return table


def _emit(rows: list[dict[str, Any]], fmt: Format, tables: list[Table]) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt is Format.csv:
        flat = [
            {
                **{k: v for k, v in row.items() if k not in NESTED},
                **{f"{k}.{p}": fen for k in NESTED if k in row for p, fen in row[k].items()},
            }
            for row in rows
        ]
        fields = list(dict.fromkeys(key for row in flat for key in row))
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
    else:
        console = Console()
        if not console.is_terminal:
            # Piped into a file or a pager, a report should not be cut to 80 columns.
            console = Console(width=200)
        for table in tables:
            console.print(table)


def print_pools(context: Context, fmt: Format = Format.table, wan: bool = False) -> None:
    """Prints the pool balances after catching the read models up."""
    context.read_models.catch_up()
    rows = pool_balances(context.engine)
    _emit(rows, fmt, [_table("Risk pools", POOL_COLUMNS, rows, wan)])


def print_products(context: Context, fmt: Format = Format.table, wan: bool = False) -> None:
    """Prints the product statistics after catching the read models up."""
    context.read_models.catch_up()
    rows = product_statistics(context.engine)
    for row in rows:
        for key in NESTED:
            row[key] = _ordered(row[key])
    tables = [_table("Products", PRODUCT_COLUMNS, rows, wan), _burden_table(rows, wan)]
    _emit(rows, fmt, tables)


@app.command("pools")
def pools(ctx: typer.Context, fmt: FormatOption = Format.table, wan: WanOption = False) -> None:
    """Risk-pool balances: contributed, paid out, recovered, available."""
    print_pools(get_context(ctx), fmt, wan)


@app.command("products")
def products(ctx: typer.Context, fmt: FormatOption = Format.table, wan: WanOption = False) -> None:
    """Per-product loan statistics and each party's burden."""
    print_products(get_context(ctx), fmt, wan)
