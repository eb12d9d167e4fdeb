"""`demo`: a seeded, realistic city programme built into an empty ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import get_context
from cli.reports import print_pools, print_products
from ledger.settings import TIMEZONE
from projections.chain import seal


def demo(
    ctx: typer.Context,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed builds the same ledger")
    ] = 2024,
    loans: Annotated[int, typer.Option(help="How many loans to register")] = 2400,
) -> None:
    """Build a demo programme into an empty database, then print both reports."""
    from ledger.demo import build_demo  # the generator is only loaded when a demo is asked for

    c = get_context(ctx)
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        summary = build_demo(c.ledger, seed=seed, loans=loans, progress=progress)
        folding = bar.add_task("read models", total=c.ledger.last_position())
        c.read_models.catch_up(lambda done, total: bar.update(folding, completed=done, total=total))
    # Sealed as built, so `audit verify` can name any event changed afterwards.
    sealed = seal(c.ledger, c.engine, datetime.now(TIMEZONE))
    typer.echo(f"demo built: {summary}")
    typer.echo(f"history sealed at position {sealed.position}: {sealed.hash}")
    print_pools(c)
    print_products(c)
