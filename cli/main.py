"""Wires the sub-commands into `riskledger`; refusals become one line and a non-zero exit."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cli import (
    audit,
    claims,
    close_of_business,
    corrections,
    cover,
    demo,
    imports,
    loans,
    parties,
    pools,
    product_status,
    projections_cli,
    reports,
    schedules,
    transfer,
)
from cli.context import Context
from domain.errors import DomainError
from ledger.settings import Settings

REFUSED = 2
INTERNAL_ERROR = 70


class LedgerGroup(TyperGroup):
    """Turns a refused command into `error: FIELD: REASON` and exit code 2, never a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            # A reason typed with line breaks must not break the one-line promise.
            typer.echo("error: " + " ".join(str(error).split()), err=True)
            raise typer.Exit(REFUSED) from None
        except Exception as error:
            # Usage errors and exits carry their own exit code; the command line shows those.
            if hasattr(error, "exit_code") or isinstance(error, typer.Abort):
                raise
            if os.environ.get("RISKLEDGER_DEBUG"):
                raise
            first_line = (str(error).splitlines() or [""])[0]
            typer.echo(
                f"internal error: {type(error).__name__}: {first_line} "
                "(RISKLEDGER_DEBUG=1 shows the traceback)",
                err=True,
            )
            raise typer.Exit(INTERNAL_ERROR) from None


app = typer.Typer(
    name="riskledger",
    cls=LedgerGroup,
    help="Event-sourced ledger for tech-SME loan risk-sharing programmes (政银投保险).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(parties.institution_app, name="institution")
app.add_typer(parties.enterprise_app, name="enterprise")
app.add_typer(parties.product_app, name="product")
app.add_typer(parties.lpr_app, name="lpr")
app.add_typer(pools.app, name="pool")
app.add_typer(loans.app, name="loan")
app.add_typer(claims.app, name="claim")
app.add_typer(cover.guarantee_app, name="guarantee")
app.add_typer(cover.policy_app, name="policy")
app.add_typer(reports.app, name="report")
app.add_typer(projections_cli.app, name="projections")
app.add_typer(audit.app, name="audit")
app.add_typer(corrections.app, name="reverse")
app.command("demo")(demo.demo)
app.add_typer(imports.import_app, name="import")
imports.import_app.command("events")(transfer.import_events)
loans.app.command("show")(schedules.show)
parties.product_app.command("status")(product_status.status)
app.add_typer(close_of_business.scheduler_app, name="scheduler")
app.command("close-day")(close_of_business.close_day)
app.add_typer(transfer.export_app, name="export")


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="RISKLEDGER_DB",
            help="SQLite file or postgresql:// URL [default: riskledger.db]",
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            envvar="RISKLEDGER_OPERATOR",
            help="Who is at the keyboard [default: $USER]",
        ),
    ] = None,
    acting_as: Annotated[
        str | None,
        typer.Option("--as", envvar="RISKLEDGER_AS", help="The fund manager's institution code"),
    ] = None,
) -> None:
    """Records every fact of a risk-sharing programme as an immutable event."""
    context = Context(Settings.from_env(db, operator), acting_as=acting_as)
    ctx.obj = context
    ctx.call_on_close(context.close)


def main() -> None:
    app()
