"""`claim`: a defaulted loan's loss, from filing to the last recovery shared back."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import amount, get_context, parse_day
from cli.options import Bank, Date, LoanRef, Ref
from domain.claim import FILED, RECOVERING
from domain.money import format_bps, format_yuan
from ledger.app import Session

app = typer.Typer(
    help="Claims: file, approve or reject, pay legs, share recoveries.", no_args_is_help=True
)


def _shares(parts: dict[str, int]) -> str:
    return ", ".join(f"{party} {format_yuan(fen)}" for party, fen in parts.items())


@app.command("file")
def file_claim(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    ref: Annotated[str | None, typer.Option(help="Claim reference [default: LOAN/claim]")] = None,
    guarantor: Annotated[
        str | None, typer.Option(help="The guarantor filing, for a guaranteed loan (after 代偿)")
    ] = None,
    day: Date = None,
) -> None:
    """File the claim on a defaulted loan: the bank's, or its guarantor's after 代偿 (R7)."""
    c = get_context(ctx)
    effective = parse_day(day)
    reference = ref or f"{loan}/claim"
    _, created = c.ledger.transact(
        lambda s: s.file_claim(
            bank=bank,
            reference=loan,
            ref=reference,
            filed_on=effective,
            actor=c.actor(guarantor or bank),
            guarantor=guarantor,
        )
    )
    by = f" by {guarantor}" if guarantor else ""
    typer.echo(f"claim {reference} on {bank}/{loan} {'filed' if created else 'already filed'}{by}")


@app.command("approve")
def approve(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    money: Annotated[
        str | None, typer.Option("--amount", help="[default: the whole loss base]")
    ] = None,
    day: Date = None,
) -> None:
    """Approve the open claim on a loan and split the loss into burdens (R8)."""
    c = get_context(ctx)
    fen = amount(money) if money is not None else None
    effective = parse_day(day)

    def approving(s: Session) -> tuple[dict[str, int], bool]:
        # A decided claim is approved again only as the same approval: a no-op (R14).
        decided = s.claim_of(bank, loan)[1].state != FILED
        burdens = s.approve_claim(
            bank=bank, reference=loan, amount_fen=fen, effective_date=effective, actor=c.manager(s)
        )
        return burdens, decided

    burdens, repeat = c.ledger.transact(approving)
    _, claim = Session(c.ledger).claim_of(bank, loan)
    again = " (already approved)" if repeat else ""
    typer.echo(f"claim on {bank}/{loan} approved: {format_yuan(claim.approved_fen)}{again}")
    if claim.state == RECOVERING:
        shares = ", ".join(f"{party} {format_bps(bps)}" for party, bps in claim.shares.items())
        typer.echo(f"shares fixed: {shares}; the split follows the close of recovery (R11)")
    else:
        typer.echo(f"burdens: {_shares(burdens)}")
    if claim.legs_paid:  # a guarantor's leg to the bank is the 代偿 it already made (R9)
        by_payout = {payer: claim.legs[payer] for payer in claim.legs_paid}
        typer.echo(f"paid by the 代偿 already made: {_shares(by_payout)} to {bank}")


@app.command("reject")
def reject(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    reason: Annotated[str, typer.Option(help="Why the claim is refused")],
    day: Date = None,
) -> None:
    """Reject the open claim on a loan, with a reason."""
    c = get_context(ctx)
    effective = parse_day(day)
    rejected = c.ledger.transact(
        lambda s: s.reject_claim(
            bank=bank, reference=loan, reason=reason, effective_date=effective, actor=c.manager(s)
        )
    )
    typer.echo(f"claim on {bank}/{loan} {'rejected' if rejected else 'already rejected'}: {reason}")


@app.command("pay")
def pay(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    party: Annotated[
        list[str] | None, typer.Option(help="Pay only this party's leg (repeat)")
    ] = None,
    day: Date = None,
) -> None:
    """Pay the approved claim's legs: each party pays the bank its burden (R9, R10)."""
    c = get_context(ctx)
    effective = parse_day(day)
    paid = c.ledger.transact(
        lambda s: s.pay_legs(
            bank=bank, reference=loan, parties=party, effective_date=effective, actor=c.manager(s)
        )
    )
    session = Session(c.ledger)
    queued = session.queued_legs(bank=bank, reference=loan)
    if not paid and not session.claim_of(bank, loan)[1].unpaid_legs:
        typer.echo(f"every leg of the claim on {bank}/{loan} is already paid: nothing to pay")
        return
    typer.echo(f"legs paid on {bank}/{loan}: {_shares(paid) or 'none outstanding'}")
    if queued:
        typer.echo(f"queued until the pools are funded (R10): {_shares(queued)}")


@app.command("recover")
def recover(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    money: Annotated[str, typer.Option("--amount", help="Money recovered from the borrower")],
    ref: Ref,
    day: Date = None,
) -> None:
    """Record money recovered after the loss was shared, and share it back (R11)."""
    c = get_context(ctx)
    fen = amount(money)
    effective = parse_day(day)
    shares = c.ledger.transact(
        lambda s: s.record_recovery(
            bank=bank,
            reference=loan,
            amount_fen=fen,
            ref=ref,
            effective_date=effective,
            actor=c.actor(bank),
        )
    )
    _, claim = Session(c.ledger).claim_of(bank, loan)
    if shares is None:
        typer.echo(f"recovery {ref} already recorded")
    elif claim.state == RECOVERING:
        left = claim.approved_fen - claim.recovered_fen
        typer.echo(f"recovery {format_yuan(fen)} recorded: {format_yuan(left)} left to split (R11)")
    else:
        typer.echo(f"recovery {format_yuan(fen)} shared back: {_shares(shares)}")


@app.command("close-recovery")
def close_recovery(ctx: typer.Context, bank: Bank, loan: LoanRef, day: Date = None) -> None:
    """Close recovery on a claim settled after recovery: split what is left (R8, R11)."""
    c = get_context(ctx)
    effective = parse_day(day)
    burdens = c.ledger.transact(
        lambda s: s.close_recovery(
            bank=bank, reference=loan, effective_date=effective, actor=c.actor(bank)
        )
    )
    typer.echo(
        f"recovery closed on {bank}/{loan}: {format_yuan(sum(burdens.values()))} left to split"
    )
    typer.echo(f"burdens: {_shares(burdens)}")
