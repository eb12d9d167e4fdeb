"""`loan show`: a loan's repayment schedule, what is paid, days past due and class (R5, R12)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.context import Context, get_context, parse_day
from cli.options import Bank, LoanRef
from domain.classification import CLASS_NAMES, classify
from domain.loan import Loan
from domain.money import format_bps, format_yuan
from domain.repayment import InstalmentStanding
from domain.schedule import ANNUITY, EQUAL_PRINCIPAL, INTEREST_ONLY, SCHEDULE_NAMES
from ledger.app import Session


class ScheduleKind(StrEnum):
    """The schedule kinds as typed on the command line."""

    interest_only = "interest-only"
    annuity = "annuity"
    equal_principal = "equal-principal"

    @property
    def domain_kind(self) -> str:
        return {
            ScheduleKind.interest_only: INTEREST_ONLY,
            ScheduleKind.annuity: ANNUITY,
            ScheduleKind.equal_principal: EQUAL_PRINCIPAL,
        }[self]


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


ScheduleOption = Annotated[
    ScheduleKind,
    typer.Option(
        "--schedule",
        help="interest-only (先息后本), annuity (等额本息) or equal-principal (等额本金)",
    ),
]
InterestEveryOption = Annotated[
    int,
    typer.Option("--interest-every", help="Months between payments: 1 (monthly) or 3 (quarterly)"),
]


def _instalment_record(standing: InstalmentStanding) -> dict[str, Any]:
    return {
        "number": standing.number,
        "due_date": standing.due_date.isoformat(),
        "principal_fen": standing.principal_fen,
        "interest_fen": standing.interest_fen,
        "principal_paid_fen": standing.principal_paid_fen,
        "interest_paid_fen": standing.interest_paid_fen,
        "status": standing.status,
    }


def loan_statement(session: Session, bank: str, reference: str, as_of: date) -> dict[str, Any]:
    """Returns the loan's schedule and standing on `as_of`, amounts in fen, as plain values."""
    loan: Loan = session.loan(bank, reference)
    terms = session.product(loan.product).terms_version(loan.terms_version)
    standing = loan.statement_on(as_of)
    days = loan.days_past_due(as_of)
    return {
        "bank": loan.bank,
        "loan": loan.reference,
        "product": loan.product,
        "enterprise": loan.enterprise,
        "state": loan.state,
        "schedule": loan.schedule_kind,
        "interest_every_months": loan.interest_every_months,
        "principal_fen": loan.principal_fen,
        "annual_rate_bps": loan.annual_rate_bps,
        "term_months": loan.term_months,
        "start_date": loan.start_date.isoformat(),
        "as_of": as_of.isoformat(),
        "disbursed_fen": standing.disbursed_fen,
        "principal_paid_fen": standing.principal_paid_fen,
        "interest_paid_fen": standing.interest_paid_fen,
        "outstanding_fen": standing.outstanding_fen,
        "overdue_interest_fen": standing.overdue_interest_fen,
        "overdue_principal_fen": standing.overdue_principal_fen,
        "current_interest_fen": standing.current_interest_fen,
        "current_principal_fen": standing.current_principal_fen,
        "payoff_fen": standing.payoff_fen if loan.paid_off_on is None else 0,
        "days_past_due": days,
        "class": classify(days, terms.classification),
        "recorded_class": loan.classification,
        "default_date": loan.default_date.isoformat() if loan.default_date else None,
        "instalments": [_instalment_record(s) for s in standing.instalments],
    }


def _status(row: dict[str, Any]) -> str:
    paid = row["principal_paid_fen"] + row["interest_paid_fen"]
    if row["status"] != "paid" and paid > 0:
        return f"{row['status']} (part paid)"
    return row["status"]


def _print_table(found: dict[str, Any]) -> None:
    console = Console()
    if not console.is_terminal:
        # Piped into a file or a pager, the schedule should not be cut to 80 columns.
        console = Console(width=200)
    kind = found["schedule"]
    every = found["interest_every_months"]
    console.print(
        f"loan {found['bank']}/{found['loan']} under {found['product']} "
        f"to {found['enterprise']}: {found['state']}"
    )
    console.print(
        f"{SCHEDULE_NAMES[kind]} ({kind}), paid every {every} month{'s' if every > 1 else ''}; "
        f"{format_yuan(found['principal_fen'])} at {format_bps(found['annual_rate_bps'])} "
        f"for {found['term_months']} months from {found['start_date']}"
    )
    table = Table(title=f"Schedule as of {found['as_of']} (元)", title_justify="left")
    for header in ("No.", "Due", "Principal", "Interest", "Paid", "Status"):
        table.add_column(header, justify="left" if header in ("Due", "Status") else "right")
    for row in found["instalments"]:
        table.add_row(
            str(row["number"]),
            row["due_date"],
            format_yuan(row["principal_fen"]),
            format_yuan(row["interest_fen"]),
            format_yuan(row["principal_paid_fen"] + row["interest_paid_fen"]),
            _status(row),
        )
    console.print(table)
    console.print(
        f"paid: principal {format_yuan(found['principal_paid_fen'])}, "
        f"interest {format_yuan(found['interest_paid_fen'])}; "
        f"outstanding {format_yuan(found['outstanding_fen'])}"
    )
    console.print(
        f"overdue: interest {format_yuan(found['overdue_interest_fen'])}, "
        f"principal {format_yuan(found['overdue_principal_fen'])}; "
        f"to pay off: {format_yuan(found['payoff_fen'])}"
    )
    loan_class = found["class"]
    recorded = found["recorded_class"]
    console.print(
        f"days past due: {found['days_past_due']}; class: {CLASS_NAMES[loan_class]} "
        f"({loan_class})"
        + ("" if recorded == loan_class else f"; last recorded class: {CLASS_NAMES[recorded]}")
        + (f"; in default from {found['default_date']}" if found["default_date"] else "")
    )


def show(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date YYYY-MM-DD [default: today]")
    ] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table or json")] = ShowFormat.table,
) -> None:
    """Show a loan's schedule, what is paid, days past due and class on a date (R5, R12)."""
    c = get_context(ctx)
    day = parse_day(as_of, "as-of")
    found = loan_statement(Session(c.ledger), bank, loan, day)
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        _print_table(found)


def repay_by_waterfall(
    c: Context, bank: str, loan: str, ref: str, amount_fen: int, value_date: date
) -> None:
    """Records one repayment applied by the waterfall (R12) and prints how it was applied."""
    allocation, recorded = c.ledger.transact(
        lambda s: s.receive_payment(
            bank=bank,
            reference=loan,
            amount_fen=amount_fen,
            value_date=value_date,
            ref=ref,
            actor=c.actor(bank),
        )
    )
    outstanding = c.ledger.get_loan(bank, loan).outstanding_fen
    verb = "repaid" if recorded else "already recorded"
    typer.echo(
        f"loan {bank}/{loan}: {verb} {format_yuan(amount_fen)} by the waterfall: "
        f"overdue interest {format_yuan(allocation.overdue_interest_fen)}, "
        f"overdue principal {format_yuan(allocation.overdue_principal_fen)}, "
        f"current interest {format_yuan(allocation.current_interest_fen)}, "
        f"current principal {format_yuan(allocation.current_principal_fen)}, "
        f"prepaid principal {format_yuan(allocation.prepaid_principal_fen)}; "
        f"outstanding {format_yuan(outstanding)}"
    )
