"""`loan`: what a bank records about its loans."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import amount, get_context, parse_day, rate
from cli.options import Bank, Date, LoanRef, Ref
from cli.schedules import InterestEveryOption, ScheduleKind, ScheduleOption, repay_by_waterfall
from domain.errors import InvalidInput
from domain.money import format_yuan

app = typer.Typer(help="Loans: register, disburse, repay, default.", no_args_is_help=True)


@app.command("register")
def register(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    uscc: Annotated[str, typer.Option(help="The borrower's unified social credit code")],
    product: Annotated[str, typer.Option(help="Product code")],
    principal: Annotated[str, typer.Option(help="e.g. 300万")],
    annual_rate: Annotated[str, typer.Option("--rate", help="Annual rate, e.g. 3.85%")],
    term: Annotated[int, typer.Option(help="Term in months")],
    start: Annotated[str, typer.Option(help="Start date YYYY-MM-DD")],
    first_loan: Annotated[bool, typer.Option("--first-loan", help="首贷")] = False,
    pure_credit: Annotated[bool, typer.Option("--pure-credit", help="信用贷款")] = False,
    schedule: ScheduleOption = ScheduleKind.interest_only,
    interest_every: InterestEveryOption = 1,
    revenue: Annotated[
        str | None,
        typer.Option(help="The enterprise's annual revenue, e.g. 1500万: picks its tier (R8)"),
    ] = None,
) -> None:
    """Register a loan under a product; repeating the same loan reference is a no-op."""
    c = get_context(ctx)
    principal_fen = amount(principal, "principal")
    revenue_fen = None if revenue is None else amount(revenue, "revenue", allow_zero=True)
    rate_bps = rate(annual_rate)
    start_date = parse_day(start, "start")
    _, created = c.ledger.transact(
        lambda s: s.register_loan(
            bank=bank,
            reference=loan,
            uscc=uscc,
            product=product,
            principal_fen=principal_fen,
            annual_rate_bps=rate_bps,
            term_months=term,
            start_date=start_date,
            first_loan=first_loan,
            pure_credit=pure_credit,
            annual_revenue_fen=revenue_fen,
            schedule=schedule.domain_kind,
            interest_every_months=interest_every,
            actor=c.actor(bank),
        )
    )
    state = "registered" if created else "already registered"
    typer.echo(f"loan {bank}/{loan} {state}: {format_yuan(principal_fen)} under {product}")


@app.command("disburse")
def disburse(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    money: Annotated[str, typer.Option("--amount", help="Amount paid out")],
    ref: Ref,
    day: Date = None,
) -> None:
    """Record money paid out to the borrower."""
    c = get_context(ctx)
    fen = amount(money)
    effective = parse_day(day)
    recorded = c.ledger.transact(
        lambda s: s.disburse(
            bank=bank,
            reference=loan,
            amount_fen=fen,
            value_date=effective,
            ref=ref,
            actor=c.actor(bank),
        )
    )
    typer.echo(
        f"loan {bank}/{loan}: {'disbursed' if recorded else 'already recorded'} {format_yuan(fen)}"
    )


@app.command("repay")
def repay(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    ref: Ref,
    principal: Annotated[str | None, typer.Option(help="Principal repaid (0 if not given)")] = None,
    interest: Annotated[str | None, typer.Option(help="Interest paid (0 if not given)")] = None,
    money: Annotated[
        str | None,
        typer.Option("--amount", help="One amount, applied by the waterfall (R12)"),
    ] = None,
    day: Date = None,
) -> None:
    """Record a repayment: one --amount by the waterfall, or --principal and --interest."""
    c = get_context(ctx)
    if money is not None:
        if principal is not None or interest is not None:
            raise InvalidInput(
                "amount", "give --amount (applied by the waterfall) or --principal/--interest"
            )
        repay_by_waterfall(c, bank, loan, ref, amount(money), parse_day(day))
        return
    principal_fen = amount(principal or "0", "principal", allow_zero=True)
    interest_fen = amount(interest or "0", "interest", allow_zero=True)
    effective = parse_day(day)
    recorded = c.ledger.transact(
        lambda s: s.repay(
            bank=bank,
            reference=loan,
            principal_fen=principal_fen,
            interest_fen=interest_fen,
            value_date=effective,
            ref=ref,
            actor=c.actor(bank),
        )
    )
    outstanding = c.ledger.get_loan(bank, loan).outstanding_fen
    verb = "repaid" if recorded else "already recorded"
    typer.echo(
        f"loan {bank}/{loan}: {verb} principal {format_yuan(principal_fen)}, interest "
        f"{format_yuan(interest_fen)}; outstanding {format_yuan(outstanding)}"
    )


@app.command("default")
def declare_default(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    reason: Annotated[str, typer.Option(help="Why, e.g. 逾期90天 or bankruptcy")],
    day: Date = None,
) -> None:
    """Declare a loan in default (R6); the same declaration again stores nothing (R14)."""
    c = get_context(ctx)
    effective = parse_day(day)
    declared = c.ledger.transact(
        lambda s: s.declare_default(
            bank=bank, reference=loan, default_date=effective, reason=reason, actor=c.actor(bank)
        )
    )
    already = "" if declared else "already "
    typer.echo(f"loan {bank}/{loan} {already}in default from {effective}")


@app.command("write-off")
def write_off(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    reason: Annotated[str, typer.Option(help="Why, e.g. 代偿结清后核销")],
    day: Date = None,
) -> None:
    """Write off (核销) what a defaulted loan still owes: it leaves outstanding and NPL."""
    c = get_context(ctx)
    effective = parse_day(day)
    written = c.ledger.transact(
        lambda s: s.write_off(
            bank=bank, reference=loan, effective_date=effective, reason=reason, actor=c.actor(bank)
        )
    )
    amount = c.ledger.get_loan(bank, loan).written_off_fen
    verb = "written off" if written else "already written off"
    typer.echo(f"loan {bank}/{loan} {verb}: {format_yuan(amount)}")
