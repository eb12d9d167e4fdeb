"""`product status`: a product against its circuit breaker (R4) and its leverage (R3)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.context import get_context, parse_day
from domain.money import format_bps, format_yuan
from domain.suspension import FIGURE_NAMES
from ledger.app import Session


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


def _cap(bps: int | None) -> str:
    return "no cap" if bps is None else f"cap {format_bps(bps)}"


def _since(record: dict[str, Any] | None) -> str:
    """'since 2024-05-02 (NPL ratio 5.00% ≥ 5.00%)': when and on what a breaker tripped."""
    if record is None:
        return ""
    figure = f"{FIGURE_NAMES[record['figure']]} {format_bps(record['figure_bps'])}"
    bound = record["threshold_bps"]
    reached = "" if bound is None else f" ≥ {format_bps(bound)}"
    return f" since {record['since']} ({figure}{reached})"


def _print_status(found: dict[str, Any]) -> None:
    console = Console()
    if not console.is_terminal:
        # Piped into a file or a pager, the table should not be cut to 80 columns.
        console = Console(width=200)
    console.print(
        f"product {found['product']} ({found['name']}) on {found['as_of']}: "
        f"{found['state']}{_since(found['stopped'])}"
    )
    table = Table(
        title=(
            f"Banks: suspended at an NPL ratio of {format_bps(found['npl_suspend_bps'])}, "
            f"resumed below {format_bps(found['npl_resume_bps'])} (元)"
        ),
        title_justify="left",
    )
    for header in ("Bank", "Outstanding", "NPL", "NPL ratio", "State"):
        table.add_column(header, justify="left" if header in ("Bank", "State") else "right")
    for row in found["banks"]:
        table.add_row(
            row["bank"],
            format_yuan(row["outstanding_fen"]),
            format_yuan(row["npl_fen"]),
            format_bps(row["npl_ratio_bps"]),
            row["state"] + _since(row["suspended"]),
        )
    console.print(table)
    console.print(
        f"compensation rate {format_bps(found['compensation_rate_bps'])} "
        f"({_cap(found['max_compensation_rate_bps'])}): "
        f"{format_yuan(found['compensated_fen'])} compensated of "
        f"{format_yuan(found['registered_fen'])} covered"
    )
    console.print(
        f"overdue ratio {format_bps(found['overdue_ratio_bps'])} "
        f"({_cap(found['max_overdue_ratio_bps'])}): "
        f"{format_yuan(found['overdue_fen'])} past due of "
        f"{format_yuan(found['outstanding_fen'])} outstanding"
    )
    leverage = found["leverage"]
    if leverage["multiple"] is None:
        console.print("leverage now: no pool shares the losses, so none applies")
    else:
        console.print(
            f"leverage now: {format_yuan(leverage['covered_fen'])} covered of "
            f"{format_yuan(leverage['limit_fen'])} ({leverage['multiple']}× pool funds of "
            f"{format_yuan(leverage['pool_funds_fen'])}); "
            f"headroom {format_yuan(leverage['headroom_fen'])}"
        )


def status(
    ctx: typer.Context,
    product: Annotated[str, typer.Argument(help="The product's code")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date YYYY-MM-DD [default: today]")
    ] = None,
    fmt: Annotated[
        StatusFormat, typer.Option("--format", help="table or json")
    ] = StatusFormat.table,
) -> None:
    """Show a product's banks, NPL ratios, compensation and overdue ratios, and states (R3, R4)."""
    c = get_context(ctx)
    found = Session(c.ledger).product_status(product, parse_day(as_of, "as-of"))
    if fmt is StatusFormat.json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        _print_status(found)
