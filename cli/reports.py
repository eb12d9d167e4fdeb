"""`report`: risk-pool balances and per-product loan statistics, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.context import Context, get_context, parse_day
from domain.errors import InvalidInput
from domain.money import format_bps, format_wan, format_yuan
from domain.terms import PARTIES
from ledger.settings import TIMEZONE
from projections.dated import Moment
from projections.reports import (
    NOW,
    loan_book,
    party_statistics,
    period_statistics,
    pool_balances,
    product_statistics,
)

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
    ("leverage_used_bps", "Leverage used"),
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
    ("npl_ratio_bps", "NPL ratio"),
    ("claims", "Claims"),
    ("recovered_fen", "Recovered"),
]
NESTED = ("burden_fen", "compensation_paid_fen", "recovery_share_fen")
PERIOD_COLUMNS = [
    ("product", "Product"),
    ("bank", "Bank"),
    ("period", "Period"),
    ("loans", "New loans"),
    ("disbursed_fen", "Disbursed"),
    ("repaid_fen", "Repaid"),
    ("outstanding_fen", "Outstanding"),
    ("npl_fen", "NPL"),
    ("npl_ratio_bps", "NPL ratio"),
    ("defaulted_loans", "Defaults"),
    ("approved_fen", "Compensated"),
    ("compensation_rate_bps", "Comp. rate"),
]
PARTY_COLUMNS = [
    ("product", "Product"),
    ("party", "Party"),
    ("burden_fen", "Burden"),
    ("compensation_paid_fen", "Legs paid"),
    ("legs_received_fen", "Legs received"),
    ("recovery_share_fen", "Recovered share"),
    ("net_loss_fen", "Net loss"),
]
LOAN_COLUMNS = [
    ("bank", "Bank"),
    ("loan", "Loan"),
    ("product", "Product"),
    ("enterprise", "Borrower"),
    ("state", "State"),
    ("class", "Class"),
    ("principal_fen", "Principal"),
    ("outstanding_fen", "Outstanding"),
    ("days_past_due", "DPD"),
]


def _money(fen: int, wan: bool) -> str:
    return format_wan(fen) if wan else format_yuan(fen)


def _cell(key: str, value: Any, wan: bool) -> str:
    if key.endswith("_bps"):
        return "—" if value is None else format_bps(value)
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


def moment_of(as_of: str | None, known_at: str | None) -> Moment:
    """Returns the moment a report is read at from its --as-of and --known-at options."""
    day = parse_day(as_of, "as-of") if as_of is not None else None
    recorded = None
    if known_at is not None:
        try:
            recorded = datetime.fromisoformat(known_at)
        except ValueError:
            raise InvalidInput(
                "known-at", f"{known_at!r} is not a time (write YYYY-MM-DDTHH:MM[:SS][+08:00])"
            ) from None
        if recorded.tzinfo is None:  # a clerk's wall-clock time, in the programme's zone
            recorded = recorded.replace(tzinfo=TIMEZONE)
    return Moment(day, recorded)


def _caught_up(context: Context) -> Context:
    context.read_models.catch_up()
    return context


def print_pools(
    context: Context, fmt: Format = Format.table, wan: bool = False, moment: Moment = NOW
) -> None:
    """Prints the pool balances after catching the read models up."""
    rows = pool_balances(_caught_up(context).engine, moment)
    _emit(rows, fmt, [_table(_title("Risk pools", moment), POOL_COLUMNS, rows, wan)])


def print_products(
    context: Context, fmt: Format = Format.table, wan: bool = False, moment: Moment = NOW
) -> None:
    """Prints the product statistics after catching the read models up."""
    rows = product_statistics(_caught_up(context).engine, moment)
    for row in rows:
        for key in NESTED:
            row[key] = _ordered(row[key])
    tables = [
        _table(_title("Products", moment), PRODUCT_COLUMNS, rows, wan),
        _burden_table(rows, wan),
    ]
    _emit(rows, fmt, tables)


def _title(title: str, moment: Moment) -> str:
    if moment.as_of is not None:
        title += f" as of {moment.as_of.isoformat()}"
    if moment.known_at is not None:
        title += f" as known at {moment.known_at.isoformat(timespec='seconds')}"
    return title


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Business date YYYY-MM-DD: only events effective by then count"),
]
KnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="Recorded time, ISO 8601 (no zone: Asia/Shanghai): only what was recorded by then",
    ),
]


@app.command("pools")
def pools(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    wan: WanOption = False,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
) -> None:
    """Risk-pool balances: contributed, paid out, recovered, available, queued, leverage."""
    print_pools(get_context(ctx), fmt, wan, moment_of(as_of, known_at))


@app.command("products")
def products(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    wan: WanOption = False,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
) -> None:
    """Per-product loan statistics and each party's burden."""
    print_products(get_context(ctx), fmt, wan, moment_of(as_of, known_at))


class Period(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


@app.command("periods")
def periods(
    ctx: typer.Context,
    by: Annotated[Period, typer.Option("--by", help="month, quarter or year")] = Period.month,
    product: Annotated[str | None, typer.Option("--product", help="Only this product")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Only this bank")] = None,
    fmt: FormatOption = Format.table,
    wan: WanOption = False,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
) -> None:
    """Product × bank × period: the period's flows, outstanding and NPL at its end, ratios."""
    moment = moment_of(as_of, known_at)
    rows = period_statistics(_caught_up(get_context(ctx)).engine, by.value, moment, product, bank)
    _emit(rows, fmt, [_table(_title(f"Books by {by.value}", moment), PERIOD_COLUMNS, rows, wan)])


@app.command("parties")
def parties(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    wan: WanOption = False,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
) -> None:
    """Each party's burdens, legs paid and received, recovery shares and net loss, by product."""
    moment = moment_of(as_of, known_at)
    rows = party_statistics(_caught_up(get_context(ctx)).engine, moment)
    _emit(rows, fmt, [_table(_title("Parties", moment), PARTY_COLUMNS, rows, wan)])


@app.command("loans")
def loan_book_report(
    ctx: typer.Context,
    product: Annotated[str | None, typer.Option("--product", help="Only this product")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Only this bank")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="Only this borrower (USCC)")
    ] = None,
    fmt: FormatOption = Format.table,
    wan: WanOption = False,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
) -> None:
    """The loan book: each loan's state, class, outstanding and days past due."""
    moment = moment_of(as_of, known_at)
    rows = loan_book(
        _caught_up(get_context(ctx)).engine,
        moment,
        product=product,
        bank=bank,
        enterprise=enterprise,
    )
    _emit(rows, fmt, [_table(_title("Loan book", moment), LOAN_COLUMNS, rows, wan)])
