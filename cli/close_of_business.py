"""`close-day` and `scheduler run`: close business days, classifying and defaulting loans."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli.context import get_context, parse_day
from domain.actor import Actor
from domain.errors import InvalidInput
from ledger.app import Session
from ledger.close_of_business import DayClose, close_business_day

scheduler_app = typer.Typer(
    help="The close-of-business scheduler (classification R5, defaults R6).",
    no_args_is_help=True,
)
# The ledger itself closes a day unless a fund manager is named with --as.
SYSTEM = "riskledger"


def describe(closing: DayClose) -> str:
    """Says what closing a business day did: one line, and one per circuit-breaker change."""
    if not closing.closed_now:
        return f"business day {closing.business_date} was already closed; nothing written"
    reviewed = closing.loans_reviewed
    summary = (
        f"business day {closing.business_date} closed: {reviewed} "
        f"loan{'' if reviewed == 1 else 's'} reviewed, {closing.loans_classified} classified, "
        f"{closing.loans_defaulted} defaulted"
    )
    # Then one line per change of the circuit breaker (R4).
    return "\n".join([summary, *closing.breakers])


def close_day(
    ctx: typer.Context,
    business_date: Annotated[str, typer.Argument(help="The business date YYYY-MM-DD")],
) -> None:
    """Close one business day by hand: classify every open loan, default those past due."""
    c = get_context(ctx)
    day = parse_day(business_date, "date")
    if day > date.today():
        raise InvalidInput("date", f"{day} has not ended yet; close only past business days")
    actor = Actor(c.acting_as or SYSTEM, c.settings.operator, "cli")
    typer.echo(describe(close_business_day(c.ledger, day, actor)))


@scheduler_app.command("status")
def status(ctx: typer.Context) -> None:
    """Show the last business day closed."""
    last = Session(get_context(ctx).ledger).last_closed_day()
    typer.echo(f"last business day closed: {last}" if last else "no business day closed yet")


@scheduler_app.command("run")
def run(
    ctx: typer.Context,
    hour: Annotated[int, typer.Option(min=0, max=23, help="Hour to run, China time")] = 0,
    minute: Annotated[int, typer.Option(min=0, max=59, help="Minute to run")] = 30,
) -> None:
    """Run the scheduler in the foreground: each night it closes the day just ended."""
    # Imported here so that other commands do not load the scheduler.
    from ledger.scheduler import build_scheduler

    c = get_context(ctx)
    scheduler = build_scheduler(c.settings, hour=hour, minute=minute)
    typer.echo(f"closing each business day at {hour:02d}:{minute:02d} Asia/Shanghai; Ctrl-C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo("scheduler stopped")
