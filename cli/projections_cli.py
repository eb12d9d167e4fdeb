"""`projections`: where the read models stand, and dropping and refolding them."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from cli.context import get_context
from domain.errors import InvalidInput
from projections.follow import Follower
from projections.runner import NAME
from projections.status import read_model_status

app = typer.Typer(help="Read models: status, rebuild, follow.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


class EventsPerSecond(ProgressColumn):
    """How fast events are being folded, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s")


def _status_tables(status: dict[str, Any]) -> list[Table]:
    summary = Table(title=f"Projection {status['projection']}", title_justify="left")
    summary.add_column("Position", justify="right")
    summary.add_column("Last event", justify="right")
    summary.add_column("Lag", justify="right")
    summary.add_column("Schema")
    summary.add_row(
        str(status["position"]), str(status["last_event"]), str(status["lag"]), status["schema"]
    )
    tables = Table(title="Rows per table", title_justify="left")
    tables.add_column("Table")
    tables.add_column("Rows", justify="right")
    for name, count in status["tables"].items():
        tables.add_row(name, str(count))
    return [summary, tables]


@app.command("status")
def status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Position, the ledger's last event, lag, schema fingerprint and rows per table."""
    found = read_model_status(get_context(ctx).read_models)
    if fmt is Format.json:
        typer.echo(json.dumps(found, indent=2))
        return
    console = Console() if Console().is_terminal else Console(width=200)
    for table in _status_tables(found):
        console.print(table)


@app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help=f"The projection to rebuild: {NAME}")
    ] = NAME,
) -> None:
    """Drop the read models and fold every event into them again."""
    if name != NAME:
        raise InvalidInput("NAME", f"no projection {name!r}; the one projection is {NAME!r}")
    models = get_context(ctx).read_models
    # The bar goes to stderr, only on a terminal, and is cleared when done: piped output
    # and logs keep only the result line.
    bar_console = Console(stderr=True)
    with Progress(
        TextColumn("folding events"),
        BarColumn(),
        MofNCompleteColumn(),
        EventsPerSecond(),
        TimeElapsedColumn(),
        console=bar_console,
        transient=True,
        disable=not bar_console.is_terminal,
    ) as progress:
        task = progress.add_task("rebuild", total=None)

        def advance(position: int, last: int) -> None:
            progress.update(task, completed=position, total=last)

        started = time.perf_counter()
        folded = models.rebuild(advance)
        elapsed = time.perf_counter() - started
    typer.echo(f"rebuilt {NAME}: {folded} events folded in {elapsed:.2f} s")


@app.command("follow")
def follow(
    ctx: typer.Context,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds to wait between polls of the ledger")
    ] = 1.0,
    report_every: Annotated[
        float, typer.Option("--report-every", help="Seconds between two lines reporting the lag")
    ] = 10.0,
    once: Annotated[bool, typer.Option("--once", help="Catch up once, then exit")] = False,
) -> None:
    """Keep the read models caught up as events arrive, reporting the lag; stop with Ctrl-C or
    SIGTERM. Killed at any moment, it resumes where it stopped when started again."""
    if not interval > 0:
        raise InvalidInput("--interval", f"{interval:g} is not a positive number of seconds")
    if not report_every > 0:
        raise InvalidInput(
            "--report-every", f"{report_every:g} is not a positive number of seconds"
        )

    def report(line: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        typer.echo(f"{stamp} {NAME}: {line}")

    follower = Follower(
        get_context(ctx).read_models,
        interval=interval,
        report_every=report_every,
        report=report,
    )
    stops = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.signal(number, lambda *_: follower.stop()) for number in stops}
    try:
        follower.run(once=once)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
