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
from cli.journal import trial_balance
from cli.options import Bank, LoanRef
from ledger.settings import TIMEZONE
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


FAILED = 1


@app.command("seal")
def seal_chain(ctx: typer.Context) -> None:
    """Extend the hash chain over the events recorded since the last seal, and seal it."""
    from projections.chain import seal

    c = get_context(ctx)
    sealed = seal(c.ledger, c.engine, datetime.now(TIMEZONE))
    typer.echo(
        f"sealed position {sealed.position}: {sealed.hash} "
        f"({sealed.added} events added to the chain)"
    )


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Recompute the hash chain, check the invariants, compare the read models with a replay."""
    from projections.chain import verify_ledger

    checks = verify_ledger(get_context(ctx).read_models)
    for check in checks:
        typer.echo(f"{check.name}: {'ok' if check.passed else 'FAILED'}: {check.detail}")
    if not all(check.passed for check in checks):
        raise typer.Exit(FAILED)


app.command("trial-balance")(trial_balance)
