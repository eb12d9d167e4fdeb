"""`pool`: open risk pools and record the money paid into them."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import amount, get_context, parse_day
from cli.options import Date, Ref
from domain.money import format_yuan
from ledger.app import Session

app = typer.Typer(help="Risk pools (风险补偿资金池).", no_args_is_help=True)


@app.command("open")
def open_pool(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Stable pool code, e.g. SZ-CITY")],
    name: Annotated[str, typer.Option(help="Pool name")],
    owner: Annotated[str, typer.Option(help="The government pool owner's code")],
    level: Annotated[str, typer.Option(help="province, city or county")],
    product: Annotated[
        list[str] | None, typer.Option(help="A product the pool covers (repeat)")
    ] = None,
    day: Date = None,
) -> None:
    """Open a pool that pays its level's share of the covered products' losses."""
    c = get_context(ctx)
    effective = parse_day(day)
    c.ledger.transact(
        lambda s: s.open_pool(
            code=code,
            name=name,
            owner=owner,
            level=level,
            products=list(product or []),
            effective_date=effective,
            actor=c.manager(s),
        )
    )
    typer.echo(f"pool {code} open ({level}; covers {', '.join(product or []) or 'no product yet'})")


@app.command("fund")
def fund_pool(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Pool code")],
    money: Annotated[str, typer.Argument(metavar="AMOUNT", help="e.g. 5000万 or 1,000,000.00")],
    funder: Annotated[str, typer.Option(help="The contributing institution's code")],
    ref: Ref,
    day: Date = None,
) -> None:
    """Record a contribution into a pool."""
    c = get_context(ctx)
    fen = amount(money)
    effective = parse_day(day)
    waiting = Session(c.ledger).pool(code).queue
    recorded = c.ledger.transact(
        lambda s: s.fund_pool(
            pool=code,
            amount_fen=fen,
            funder=funder,
            ref=ref,
            effective_date=effective,
            actor=c.manager(s),
        )
    )
    verb = "funded with" if recorded else "already had contribution"
    typer.echo(f"pool {code} {verb} {format_yuan(fen)} ({ref})")
    still = Session(c.ledger).pool(code).queue
    paid = [leg for claim, leg in waiting.items() if claim not in still]
    if paid:
        total = format_yuan(sum(leg.amount_fen for leg in paid))
        typer.echo(f"queued legs paid (R10): {len(paid)}, {total}")
    if still:
        total = format_yuan(sum(leg.amount_fen for leg in still.values()))
        typer.echo(f"legs still queued (R10): {len(still)}, {total}")
