"""`audit`: reading what the ledger recorded, event by event."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.context import get_context
from cli.options import Bank, LoanRef
from projections.history import loan_history

app = typer.Typer(help="Audit: the recorded history.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


def _recorded(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S %Z")


def _history_table(bank: str, loan: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"History of {bank}/{loan} (元)", title_justify="left")
    for header in ("#", "Aggregate", "Event", "Effective", "Recorded", "Actor", "Channel"):
        table.add_column(header, justify="right" if header == "#" else "left")
    table.add_column("Money")
    for row in rows:
        table.add_row(
            "" if row["position"] is None else str(row["position"]),
            row["aggregate"],
            row["event"],
            row["effective_date"] or "",
            _recorded(row["recorded_at"]),
            f"{row['operator']}@{row['institution']}",
            row["channel"] or "",
            row["summary"],
        )
    return table


@app.command("history")
def history(
    ctx: typer.Context, bank: Bank, loan: LoanRef, fmt: FormatOption = Format.table
) -> None:
    """Every event of a loan and of its guarantee, policy and claims, in recorded order."""
    rows = loan_history(get_context(ctx).ledger, bank, loan)
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console() if Console().is_terminal else Console(width=200)
    console.print(_history_table(bank, loan, rows))
