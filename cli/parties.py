"""`institution`, `enterprise` and `product`: who takes part, who borrows, on what terms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import get_context, parse_day, rate
from cli.options import Date
from domain.institution import KINDS, LEVELS
from domain.money import format_bps
from ledger.app import Session
from ledger.terms_file import load_terms

institution_app = typer.Typer(
    help="Banks, guarantors, insurers, pool owners, operators.", no_args_is_help=True
)
enterprise_app = typer.Typer(help="Borrowing enterprises, by USCC.", no_args_is_help=True)
lpr_app = typer.Typer(help="The 1-year loan prime rate history.", no_args_is_help=True)
product_app = typer.Typer(help="Products and their versioned terms.", no_args_is_help=True)


@institution_app.command("add")
def add_institution(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Stable code, e.g. ICBC-SZ")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(KINDS)}")],
    name: Annotated[str, typer.Option(help="Full name")],
    region: Annotated[str, typer.Option(help="Region")] = "",
    level: Annotated[
        str | None, typer.Option(help=f"Government level: {', '.join(LEVELS)}")
    ] = None,
    day: Date = None,
) -> None:
    """Register an institution (an operator may register itself first)."""
    c = get_context(ctx)
    effective = parse_day(day)

    def command(session: Session) -> object:
        # The first operator registers itself: somebody has to be the first fund manager.
        # Once the ledger holds anything, operators are added by an existing one.
        bootstrap = (
            kind == "operator" and c.acting_as in (None, code) and c.ledger.event_count() == 0
        )
        actor = c.actor(code) if bootstrap else c.manager(session)
        return session.add_institution(
            code=code,
            kind=kind,
            name=name,
            region=region,
            level=level,
            effective_date=effective,
            actor=actor,
        )

    c.ledger.transact(command)
    typer.echo(f"institution {code} registered ({kind})")


@enterprise_app.command("add")
def add_enterprise(
    ctx: typer.Context,
    uscc: Annotated[str, typer.Argument(help="Unified social credit code (18 characters)")],
    name: Annotated[str, typer.Option(help="Registered name")],
    region: Annotated[str, typer.Option(help="Region")] = "",
    day: Date = None,
) -> None:
    """Register an enterprise by its unified social credit code."""
    c = get_context(ctx)
    effective = parse_day(day)
    c.ledger.transact(
        lambda s: s.add_enterprise(
            uscc=uscc, name=name, region=region, effective_date=effective, actor=c.manager(s)
        )
    )
    typer.echo(f"enterprise {uscc.upper()} registered")


@product_app.command("define")
def define_product(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", help="Product terms TOML file")],
) -> None:
    """Define a product, or add a terms version effective from a later date."""
    c = get_context(ctx)
    terms = load_terms(file)
    _, outcome = c.ledger.transact(lambda s: s.define_product(terms=terms, actor=c.manager(s)))
    typer.echo(f"product {terms.code} {outcome} (effective from {terms.effective_from})")


@enterprise_app.command("qualify")
def qualify(
    ctx: typer.Context,
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    qualification: Annotated[str, typer.Option(help="e.g. 高新技术企业, 科技型中小企业")],
    valid_from: Annotated[str, typer.Option("--from", help="First valid day YYYY-MM-DD")],
    valid_to: Annotated[
        str | None, typer.Option("--to", help="Last valid day [open-ended]")
    ] = None,
    certificate: Annotated[str, typer.Option(help="Certificate number")] = "",
) -> None:
    """Record a qualification an enterprise holds over a span of dates (R1)."""
    c = get_context(ctx)
    start = parse_day(valid_from, "from")
    end = parse_day(valid_to, "to") if valid_to is not None else None
    recorded = c.ledger.transact(
        lambda s: s.grant_qualification(
            uscc=uscc,
            name=qualification,
            valid_from=start,
            valid_to=end,
            certificate=certificate,
            actor=c.manager(s),
        )
    )
    span = f"{start} to {end or 'open-ended'}"
    typer.echo(
        f"{uscc.upper()} {'holds' if recorded else 'already holds'} {qualification} ({span})"
    )


@enterprise_app.command("revoke")
def revoke(
    ctx: typer.Context,
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    qualification: Annotated[str, typer.Option(help="The qualification that ends")],
    day: Date = None,
) -> None:
    """End a qualification from a date (revoked or expired early)."""
    c = get_context(ctx)
    effective = parse_day(day)
    c.ledger.transact(
        lambda s: s.revoke_qualification(
            uscc=uscc, name=qualification, effective_date=effective, actor=c.manager(s)
        )
    )
    typer.echo(f"{uscc.upper()} no longer holds {qualification} from {effective}")


@enterprise_app.command("blacklist")
def blacklist(
    ctx: typer.Context,
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    reason: Annotated[str, typer.Option(help="Why")],
    day: Date = None,
) -> None:
    """Blacklist an enterprise: no new loans under any product until cleared (R1)."""
    c = get_context(ctx)
    effective = parse_day(day)
    c.ledger.transact(
        lambda s: s.blacklist_enterprise(
            uscc=uscc, reason=reason, effective_date=effective, actor=c.manager(s)
        )
    )
    typer.echo(f"{uscc.upper()} blacklisted from {effective}: {reason}")


@enterprise_app.command("clear")
def clear(
    ctx: typer.Context,
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    day: Date = None,
) -> None:
    """Clear an enterprise from the blacklist."""
    c = get_context(ctx)
    effective = parse_day(day)
    c.ledger.transact(
        lambda s: s.clear_enterprise(uscc=uscc, effective_date=effective, actor=c.manager(s))
    )
    typer.echo(f"{uscc.upper()} cleared from {effective}")


@lpr_app.command("set")
def set_lpr(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DATE", help="The day the fixing takes effect")],
    value: Annotated[str, typer.Argument(metavar="RATE", help="e.g. 3.45%")],
) -> None:
    """Record a 1-year LPR fixing, used by products capped at LPR + spread (R2)."""
    c = get_context(ctx)
    effective = parse_day(day)
    bps = rate(value)
    recorded = c.ledger.transact(
        lambda s: s.set_lpr(effective_from=effective, rate_bps=bps, actor=c.manager(s))
    )
    typer.echo(
        f"1-year LPR from {effective}: {format_bps(bps)}{'' if recorded else ' (already set)'}"
    )
