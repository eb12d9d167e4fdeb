"""`guarantee` and `policy`: what a guarantor and an insurer record about the loans they cover."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import amount, get_context, parse_day, rate
from cli.options import Bank, Date, LoanRef, Ref
from domain.guarantee import Guarantee
from domain.money import format_bps, format_yuan
from domain.policy import InsurancePolicy
from ledger.app import Session

guarantee_app = typer.Typer(
    help="Guarantees (担保): issue, fees, 代偿, release.", no_args_is_help=True
)
policy_app = typer.Typer(
    help="Insurance policies (保证保险): issue, premiums, the insurer's leg, lapse.",
    no_args_is_help=True,
)

Guarantor = Annotated[str, typer.Option("--guarantor", help="The guarantor's institution code")]
Insurer = Annotated[str, typer.Option("--insurer", help="The insurer's institution code")]
Coverage = Annotated[
    str, typer.Option("--coverage", help="Share of principal covered, e.g. 80% (R16)")
]
Amount = Annotated[str, typer.Option("--amount", help="e.g. 16,000.00 or 1.6万")]


def _guarantee_line(guarantee: Guarantee) -> str:
    reguarantee = ""
    if guarantee.reguarantor is not None:
        reguarantee = f"; re-guaranteed by {guarantee.reguarantor}"
    if guarantee.reguarantee_fee_bps is not None:
        reguarantee += f" at {format_bps(guarantee.reguarantee_fee_bps)} a year"
    return (
        f"guarantee {guarantee.contract} on {guarantee.bank}/{guarantee.loan_reference} by "
        f"{guarantee.guarantor}: covers {format_bps(guarantee.coverage_bps)} "
        f"({format_yuan(guarantee.guaranteed_fen)}), fee {format_bps(guarantee.fee_rate_bps)} "
        f"a year{reguarantee}"
    )


def _policy_line(policy: InsurancePolicy) -> str:
    return (
        f"policy {policy.number} on {policy.bank}/{policy.loan_reference} by {policy.insurer}: "
        f"covers {format_bps(policy.coverage_bps)} ({format_yuan(policy.insured_fen)}), "
        f"premium {format_bps(policy.premium_rate_bps)} a year"
    )


@guarantee_app.command("issue")
def issue_guarantee(
    ctx: typer.Context,
    guarantor: Guarantor,
    bank: Bank,
    loan: LoanRef,
    coverage: Coverage,
    fee_rate: Annotated[str, typer.Option("--fee-rate", help="Annual guarantee fee, e.g. 1%")],
    ref: Annotated[str, typer.Option("--ref", help="The guarantee contract's reference")],
    reguarantor: Annotated[
        str | None, typer.Option(help="The re-guarantor's institution code")
    ] = None,
    reguarantee_fee: Annotated[
        str | None, typer.Option("--reguarantee-fee", help="Annual re-guarantee fee, e.g. 0.5%")
    ] = None,
    day: Date = None,
) -> None:
    """Issue a guarantee on a loan of a guaranteed product (R16, R17)."""
    c = get_context(ctx)
    coverage_bps = rate(coverage, "coverage")
    fee_bps = rate(fee_rate, "fee_rate")
    reguarantee_bps = rate(reguarantee_fee, "reguarantee_fee") if reguarantee_fee else None
    issued_on = parse_day(day)

    def issue(s: Session) -> tuple[bool, Guarantee]:
        _, created = s.issue_guarantee(
            guarantor=guarantor,
            bank=bank,
            reference=loan,
            contract=ref,
            coverage_bps=coverage_bps,
            fee_rate_bps=fee_bps,
            reguarantor=reguarantor,
            reguarantee_fee_bps=reguarantee_bps,
            issued_on=issued_on,
            actor=c.actor(guarantor),
        )
        return created, s.guarantee_of(guarantor, bank, loan)[1]

    created, guarantee = c.ledger.transact(issue)
    typer.echo(f"{_guarantee_line(guarantee)} {'issued' if created else 'already issued'}")


@guarantee_app.command("fee")
def guarantee_fee(
    ctx: typer.Context,
    guarantor: Guarantor,
    bank: Bank,
    loan: LoanRef,
    money: Amount,
    ref: Ref,
    reguarantee: Annotated[
        bool, typer.Option("--reguarantee", help="The re-guarantee fee the guarantor paid")
    ] = False,
    day: Date = None,
) -> None:
    """Record a guarantee fee received (or, with --reguarantee, a re-guarantee fee paid) (R17)."""
    c = get_context(ctx)
    fen = amount(money)
    paid_on = parse_day(day)

    def pay(s: Session) -> tuple[bool, Guarantee]:
        recorded = s.pay_guarantee_fee(
            guarantor=guarantor,
            bank=bank,
            reference=loan,
            amount_fen=fen,
            ref=ref,
            paid_on=paid_on,
            actor=c.actor(guarantor),
            reguarantee=reguarantee,
        )
        return recorded, s.guarantee_of(guarantor, bank, loan)[1]

    recorded, guarantee = c.ledger.transact(pay)
    if reguarantee:
        what, paid, allowed = (
            "re-guarantee fee",
            guarantee.reguarantee_fees_paid_fen,
            guarantee.reguarantee_fee_allowance_fen,
        )
    else:
        what, paid, allowed = (
            "guarantee fee",
            guarantee.fees_paid_fen,
            guarantee.fee_allowance_fen,
        )
    verb = "recorded" if recorded else "already recorded"
    typer.echo(
        f"{what} {format_yuan(fen)} {verb} on {bank}/{loan} ({ref}); "
        f"{what}s {format_yuan(paid)} of {format_yuan(allowed)} allowed"
    )


@guarantee_app.command("payout")
def guarantee_payout(
    ctx: typer.Context,
    guarantor: Guarantor,
    bank: Bank,
    loan: LoanRef,
    ref: Ref,
    money: Annotated[
        str | None,
        typer.Option("--amount", help="[default: the covered part of the outstanding at default]"),
    ] = None,
    day: Date = None,
) -> None:
    """Record the guarantor's 代偿: it pays the bank on a defaulted loan (R9, R16)."""
    c = get_context(ctx)
    fen = amount(money) if money is not None else None
    effective = parse_day(day)
    paid, made = c.ledger.transact(
        lambda s: s.make_guarantee_payout(
            guarantor=guarantor,
            bank=bank,
            reference=loan,
            amount_fen=fen,
            ref=ref,
            effective_date=effective,
            actor=c.actor(guarantor),
        )
    )
    verb = "paid" if made else "already recorded:"
    typer.echo(f"代偿 on {bank}/{loan} {verb} {format_yuan(paid)} to {bank} ({ref})")


@guarantee_app.command("release")
def guarantee_release(
    ctx: typer.Context, guarantor: Guarantor, bank: Bank, loan: LoanRef, day: Date = None
) -> None:
    """Release the guarantee on a loan that was paid off."""
    c = get_context(ctx)
    effective = parse_day(day)
    released = c.ledger.transact(
        lambda s: s.release_guarantee(
            guarantor=guarantor,
            bank=bank,
            reference=loan,
            effective_date=effective,
            actor=c.actor(guarantor),
        )
    )
    typer.echo(f"guarantee on {bank}/{loan} {'released' if released else 'already released'}")


@guarantee_app.command("show")
def guarantee_show(ctx: typer.Context, guarantor: Guarantor, bank: Bank, loan: LoanRef) -> None:
    """Show a guarantee: its terms, fees, 代偿 and reimbursements."""
    c = get_context(ctx)
    _, guarantee = Session(c.ledger).guarantee_of(guarantor, bank, loan)
    typer.echo(_guarantee_line(guarantee))
    typer.echo(f"state: {guarantee.state}")
    typer.echo(
        f"fees: {format_yuan(guarantee.fees_paid_fen)} of "
        f"{format_yuan(guarantee.fee_allowance_fen)} allowed"
    )
    if guarantee.reguarantor is not None:
        typer.echo(
            f"re-guarantee fees: {format_yuan(guarantee.reguarantee_fees_paid_fen)} of "
            f"{format_yuan(guarantee.reguarantee_fee_allowance_fen)} allowed"
        )
    if guarantee.payout_date is not None:
        typer.echo(
            f"代偿: {format_yuan(guarantee.paid_out_fen)} on {guarantee.payout_date} "
            f"({guarantee.payout_ref})"
        )
        received = ", ".join(
            f"{payer} {format_yuan(fen)}" for payer, fen in guarantee.reimbursed.items()
        )
        typer.echo(f"reimbursed: {format_yuan(guarantee.reimbursed_fen)} ({received or 'none'})")


@policy_app.command("issue")
def issue_policy(
    ctx: typer.Context,
    insurer: Insurer,
    bank: Bank,
    loan: LoanRef,
    coverage: Coverage,
    premium_rate: Annotated[
        str, typer.Option("--premium-rate", help="Annual premium rate, e.g. 2.5%")
    ],
    ref: Annotated[str, typer.Option("--ref", help="The policy number")],
    day: Date = None,
) -> None:
    """Issue an insurance policy on a loan of an insured product (R16, R17)."""
    c = get_context(ctx)
    coverage_bps = rate(coverage, "coverage")
    premium_bps = rate(premium_rate, "premium_rate")
    issued_on = parse_day(day)

    def issue(s: Session) -> tuple[bool, InsurancePolicy]:
        _, created = s.issue_policy(
            insurer=insurer,
            bank=bank,
            reference=loan,
            number=ref,
            coverage_bps=coverage_bps,
            premium_rate_bps=premium_bps,
            issued_on=issued_on,
            actor=c.actor(insurer),
        )
        return created, s.policy_of(insurer, bank, loan)[1]

    created, policy = c.ledger.transact(issue)
    typer.echo(f"{_policy_line(policy)} {'issued' if created else 'already issued'}")


@policy_app.command("premium")
def policy_premium(
    ctx: typer.Context,
    insurer: Insurer,
    bank: Bank,
    loan: LoanRef,
    money: Amount,
    ref: Ref,
    day: Date = None,
) -> None:
    """Record a premium the insurer received (R17)."""
    c = get_context(ctx)
    fen = amount(money)
    paid_on = parse_day(day)

    def pay(s: Session) -> tuple[bool, InsurancePolicy]:
        recorded = s.pay_premium(
            insurer=insurer,
            bank=bank,
            reference=loan,
            amount_fen=fen,
            ref=ref,
            paid_on=paid_on,
            actor=c.actor(insurer),
        )
        return recorded, s.policy_of(insurer, bank, loan)[1]

    recorded, policy = c.ledger.transact(pay)
    verb = "recorded" if recorded else "already recorded"
    typer.echo(
        f"premium {format_yuan(fen)} {verb} on {bank}/{loan} ({ref}); premiums "
        f"{format_yuan(policy.premiums_paid_fen)} of {format_yuan(policy.premium_allowance_fen)} "
        "allowed"
    )


@policy_app.command("lapse")
def policy_lapse(
    ctx: typer.Context,
    insurer: Insurer,
    bank: Bank,
    loan: LoanRef,
    reason: Annotated[str, typer.Option(help="Why the policy ends, e.g. 保费未缴")],
    day: Date = None,
) -> None:
    """End a policy before any loss on its loan."""
    c = get_context(ctx)
    effective = parse_day(day)
    lapsed = c.ledger.transact(
        lambda s: s.lapse_policy(
            insurer=insurer,
            bank=bank,
            reference=loan,
            reason=reason,
            effective_date=effective,
            actor=c.actor(insurer),
        )
    )
    typer.echo(f"policy on {bank}/{loan} {'lapsed' if lapsed else 'already lapsed'}: {reason}")


@policy_app.command("pay")
def policy_pay(
    ctx: typer.Context, insurer: Insurer, bank: Bank, loan: LoanRef, day: Date = None
) -> None:
    """Pay the insurer's leg of the approved claim on an insured loan to the bank (R9)."""
    c = get_context(ctx)
    effective = parse_day(day)
    paid = c.ledger.transact(
        lambda s: s.pay_insurer_leg(
            insurer=insurer,
            bank=bank,
            reference=loan,
            effective_date=effective,
            actor=c.actor(insurer),
        )
    )
    typer.echo(f"insurer's leg on {bank}/{loan} paid: {format_yuan(paid)} to {bank}")


@policy_app.command("show")
def policy_show(ctx: typer.Context, insurer: Insurer, bank: Bank, loan: LoanRef) -> None:
    """Show a policy: its terms, premiums and claims paid."""
    c = get_context(ctx)
    _, policy = Session(c.ledger).policy_of(insurer, bank, loan)
    typer.echo(_policy_line(policy))
    lapsed = f" on {policy.lapsed_on}" if policy.lapsed_on is not None else ""
    typer.echo(f"state: {policy.state}{lapsed}")
    typer.echo(
        f"premiums: {format_yuan(policy.premiums_paid_fen)} of "
        f"{format_yuan(policy.premium_allowance_fen)} allowed"
    )
    typer.echo(f"claims paid: {format_yuan(policy.claims_paid_fen)}")
