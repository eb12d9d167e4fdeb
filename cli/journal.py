"""`audit trial-balance`: every account of the double-entry journal and their zero total."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.context import get_context
from domain.money import format_yuan
from projections.journal import trial_balance as balances

UNBALANCED = 1


class Format(StrEnum):
    table = "table"
    json = "json"


def trial_balance(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Every journal account with its balance (debit +, credit -) and the total, which is 0.00."""
    context = get_context(ctx)
    context.read_models.catch_up()
    rows = balances(context.engine)
    total = sum(row["balance_fen"] for row in rows)
    if fmt is Format.json:
        typer.echo(
            json.dumps(
                {"accounts": rows, "total_fen": total, "balanced": total == 0},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        table = Table(title="Trial balance (元; debit +, credit -)", title_justify="left")
        table.add_column("Account")
        table.add_column("Balance", justify="right")
        for row in rows:
            table.add_row(row["account"], format_yuan(row["balance_fen"]))
        table.add_section()
        table.add_row("total", format_yuan(total))
        console = Console() if Console().is_terminal else Console(width=200)
        console.print(table)
    if total != 0:
        typer.echo(f"error: journal: the accounts total {format_yuan(total)}, not 0.00", err=True)
        raise typer.Exit(UNBALANCED)
