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
from domain.errors import InvalidInput
from ledger.settings import TIMEZONE
from projections.history import enterprise_history, loan_history

app = typer.Typer(help="Audit: the recorded history.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


def _recorded(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S %Z")


def _history_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"History of {title} (元)", title_justify="left")
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
    ctx: typer.Context,
    bank: Annotated[str | None, typer.Option("--bank", help="The lending bank's code")] = None,
    loan: Annotated[str | None, typer.Option("--loan", help="The bank's loan reference")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="A borrower's USCC: it and all its loans")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Every event of a loan (its guarantee, policy and claims), or of an enterprise and all
    its loans, in recorded order."""
    ledger = get_context(ctx).ledger
    if enterprise is not None:
        if bank is not None or loan is not None:
            raise InvalidInput("--enterprise", "give either --enterprise or --bank and --loan")
        rows, title = enterprise_history(ledger, enterprise), enterprise
    elif bank is None or loan is None:
        raise InvalidInput(
            "--loan" if bank else "--bank", "give --bank and --loan, or --enterprise"
        )
    else:
        rows, title = loan_history(ledger, bank, loan), f"{bank}/{loan}"
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console() if Console().is_terminal else Console(width=200)
    console.print(_history_table(title, rows))


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
