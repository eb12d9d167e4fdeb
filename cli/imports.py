"""`import`: banks' loan books brought in from files, in batches, under the rule book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from rich.text import Text

from cli.context import get_context, parse_day
from ledger.bulk_import import ImportSummary, import_loans
from ledger.bulk_import.importer import DEFAULT_BATCH_ROWS

import_app = typer.Typer(help="Bulk imports from files.", no_args_is_help=True)

# Some rows were refused (and reported); the valid ones landed.
ROWS_REFUSED = 1


class RowsPerSecond(ProgressColumn):
    """How fast rows are being imported, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s")


class RowErrors(ProgressColumn):
    """How many rows were refused so far."""

    def render(self, task: Task) -> Text:
        errors = task.fields.get("errors", 0)
        return Text(f"{errors:,} errors", style="red" if errors else "")


def _summary_lines(summary: ImportSummary) -> list[str]:
    lines = [
        f"imported {summary.imported:,} loans ({summary.events:,} events) from "
        f"{summary.file.name}: {summary.rows:,} rows in {summary.seconds:.2f} s, "
        f"{summary.events_per_second:,.0f} events/s",
        f"  {summary.present:,} already in the ledger, {summary.errors:,} refused",
    ]
    if summary.error_report is not None:
        lines.append(f"  refused rows: {summary.error_report}")
    return lines


@import_app.command("loans")
def loans(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The loan book: .csv or .xlsx")],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="TOML mapping the file's columns to ledger fields")
    ],
    bank: Annotated[
        str | None, typer.Option("--bank", help="The bank whose book it is (every row's)")
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="The product every row's loan is under")
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="Where refused rows go [default: FILE.errors.csv]"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the file describes (overrides the mapping's)"),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Rows per atomic save")
    ] = DEFAULT_BATCH_ROWS,
) -> None:
    """Import a loan book: each row's loan with its disbursement, repayments to date,
    default and write-off; refused rows go to the error report, the rest land."""
    c = get_context(ctx)
    as_of_day = None if as_of is None else parse_day(as_of, "--as-of")
    bar_console = Console(stderr=True)
    with Progress(
        TextColumn("importing rows"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        RowErrors(),
        TimeElapsedColumn(),
        console=bar_console,
        transient=True,
        disable=not bar_console.is_terminal,
    ) as bar:
        task = bar.add_task("import", total=None, errors=0)

        def progress(done: int, total: int | None, refused: int) -> None:
            bar.update(task, completed=done, total=total, errors=refused)

        summary = import_loans(
            c.ledger,
            file,
            mapping,
            bank=bank,
            product=product,
            progress=progress,
            errors=errors,
            batch_rows=batch_size,
            as_of=as_of_day,
        )
    for line in _summary_lines(summary):
        typer.echo(line)
    if summary.errors:
        raise typer.Exit(ROWS_REFUSED)
