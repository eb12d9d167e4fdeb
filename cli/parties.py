"""`institution`, `enterprise` and `product`: who takes part, who borrows, on what terms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import get_context, parse_day
from cli.options import Date
from domain.institution import KINDS, LEVELS
from ledger.app import Session
from ledger.terms_file import load_terms

institution_app = typer.Typer(
    help="Banks, guarantors, insurers, pool owners, operators.", no_args_is_help=True
)
enterprise_app = typer.Typer(help="Borrowing enterprises, by USCC.", no_args_is_help=True)
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
        # An operator may register itself: somebody has to be the first fund manager.
        bootstrap = kind == "operator" and c.acting_as in (None, code)
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
