"""`export events` and `import events`: a ledger's whole history to a file, and into a new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import get_context
from domain.errors import InvalidInput
from ledger import transfer
from ledger.transfer import FIELD, Advance, EventExport, ExportHeader
from projections.chain_evidence import (
    chain_evidence,
    check_evidence,
    refuse_unless_unchained,
    restore_seals,
)

export_app = typer.Typer(help="Export: the ledger's history to a file.", no_args_is_help=True)

File = Annotated[Path, typer.Argument(metavar="FILE", help="The export file (JSON lines)")]


@contextmanager
def _bars() -> Iterator[Advance]:
    """A progress bar per stage, on stderr and only on a terminal; cleared when done."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        tasks: dict[str, int] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield advance


def _seals_line(seals: tuple[tuple[int, str, str], ...]) -> str:
    if not seals:
        return "no seals"
    return f"{len(seals)} seal(s), the last at position {seals[-1][0]}"


@export_app.command("events")
def export_events_command(
    ctx: typer.Context,
    file: File,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it exists")
    ] = False,
) -> None:
    """Every stored event, in order and byte for byte, to FILE with the chain's head and seals."""
    if file.exists() and not overwrite:
        raise InvalidInput(FIELD, f"{file} exists; name a new file or add --overwrite")
    if not file.parent.is_dir():
        raise InvalidInput(FIELD, f"{file.parent} is not a directory")
    c = get_context(ctx)
    through = c.ledger.last_position()
    with _bars() as advance:
        evidence = chain_evidence(
            c.ledger, c.engine, through, lambda done: advance("hashing", done, through)
        )
        header = ExportHeader(
            events=evidence.events,
            last_position=through,
            chain_head=evidence.head,
            seals=evidence.seals,
        )
        written = transfer.export_events(c.ledger, file, header, advance)
    typer.echo(f"exported {written} events (positions up to {through}) to {file}")
    typer.echo(f"chain head {evidence.head}; {_seals_line(evidence.seals)}")


def import_events(ctx: typer.Context, file: File) -> None:
    """Write every event of FILE (from `export events`) into this empty ledger, as it was."""
    c = get_context(ctx)
    export = EventExport(file)
    header = export.header
    transfer.refuse_unless_empty(c.ledger)
    refuse_unless_unchained(c.engine)
    with _bars() as advance:
        summary = transfer.import_events(
            c.ledger,
            export,
            check=lambda events: check_evidence(events, header.chain_head, header.seals),
            progress=advance,
        )
    restored = restore_seals(c.ledger, c.engine, header.seals)
    typer.echo(
        f"imported {summary.events} events (positions up to {summary.last_position}) from {file}"
    )
    typer.echo(f"chain head {header.chain_head} matches; {restored} seal(s) restored")
    typer.echo("the read models fold on the next report, or now with `projections rebuild`")
