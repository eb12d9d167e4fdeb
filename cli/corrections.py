"""`reverse`: undo a mistaken money event with a reason; nothing is edited or deleted (R13)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import get_context, parse_day
from cli.options import Bank, Date, LoanRef
from domain.loan import ACTIVE, PAID_OFF
from domain.money import format_yuan
from domain.terms import POOL_PARTIES
from ledger.app import Session

app = typer.Typer(
    help="Corrections (R13): reverse a repayment, contribution, recovery or leg payment.",
    no_args_is_help=True,
)

Reason = Annotated[str, typer.Option("--reason", help="Why it is reversed, e.g. 'keyed twice'")]
RepaymentRef = Annotated[
    str, typer.Option("--ref", help="The reference the repayment was recorded under")
]
ContributionRef = Annotated[
    str, typer.Option("--ref", help="The reference the contribution was recorded under")
]
RecoveryRef = Annotated[
    str, typer.Option("--ref", help="The reference the recovery was recorded under")
]
LegReversalRef = Annotated[
    str,
    typer.Option(
        "--ref",
        help="Your reference for this reversal: the same again is answered as the first time",
    ),
]


def _parts(parts: dict[str, int]) -> str:
    return ", ".join(f"{party} {format_yuan(fen)}" for party, fen in parts.items())


@app.command("repayment")
def reverse_repayment(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    ref: RepaymentRef,
    reason: Reason,
    day: Date = None,
) -> None:
    """Reverse a repayment: its principal is outstanding and its interest unpaid again."""
    c = get_context(ctx)
    effective = parse_day(day)
    was_paid_off = Session(c.ledger).loan(bank, loan).state == PAID_OFF
    repayment, new = c.ledger.transact(
        lambda s: s.reverse_repayment(
            bank=bank,
            reference=loan,
            ref=ref,
            reason=reason,
            effective_date=effective,
            actor=c.actor(bank),
        )
    )
    found = c.ledger.get_loan(bank, loan)
    verb = "reversed" if new else "already reversed"
    typer.echo(
        f"loan {bank}/{loan}: repayment {ref} {verb} ({reason}): principal "
        f"{format_yuan(repayment.principal_fen)}, interest {format_yuan(repayment.interest_fen)}; "
        f"outstanding {format_yuan(found.outstanding_fen)}"
    )
    if new and was_paid_off and found.state == ACTIVE:
        typer.echo(f"loan {bank}/{loan} is active again")


@app.command("contribution")
def reverse_contribution(
    ctx: typer.Context,
    pool: Annotated[str, typer.Argument(help="Pool code")],
    ref: ContributionRef,
    reason: Reason,
    day: Date = None,
) -> None:
    """Reverse a contribution into a pool; refused when the pool no longer holds it (R10)."""
    c = get_context(ctx)
    effective = parse_day(day)
    fen, new = c.ledger.transact(
        lambda s: s.reverse_contribution(
            pool=pool, ref=ref, reason=reason, effective_date=effective, actor=c.manager(s)
        )
    )
    available = c.ledger.get_pool(pool).available_fen
    verb = "reversed" if new else "already reversed"
    typer.echo(
        f"pool {pool}: contribution {ref} of {format_yuan(fen)} {verb} ({reason}); "
        f"available {format_yuan(available)}"
    )


@app.command("recovery")
def reverse_recovery(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    ref: RecoveryRef,
    reason: Reason,
    day: Date = None,
) -> None:
    """Reverse a recovery: every party gives back exactly the part it was shared (R11)."""
    c = get_context(ctx)
    effective = parse_day(day)
    shares, new = c.ledger.transact(
        lambda s: s.reverse_recovery(
            bank=bank,
            reference=loan,
            ref=ref,
            reason=reason,
            effective_date=effective,
            actor=c.actor(bank),
        )
    )
    verb = "reversed" if new else "already reversed"
    typer.echo(
        f"recovery {ref} of {format_yuan(sum(shares.values()))} on {bank}/{loan} {verb} "
        f"({reason}): {_parts(shares)}"
    )


@app.command("leg")
def reverse_leg(
    ctx: typer.Context,
    bank: Bank,
    loan: LoanRef,
    party: Annotated[str, typer.Option(help="The payer of the leg, e.g. pool.city or insurer")],
    ref: LegReversalRef,
    reason: Reason,
    day: Date = None,
) -> None:
    """Reverse a leg payment: the leg is unpaid again and the claim no longer settled (R9)."""
    c = get_context(ctx)
    effective = parse_day(day)
    _, claim = Session(c.ledger).claim_of(bank, loan)
    pool = None
    if party in POOL_PARTIES and party in claim.legs:
        pool = Session(c.ledger).product(claim.product).pool_for(party)
    waiting = c.ledger.get_pool(pool).queue if pool is not None else {}
    fen, new = c.ledger.transact(
        lambda s: s.reverse_leg_payment(
            bank=bank,
            reference=loan,
            party=party,
            ref=ref,
            reason=reason,
            effective_date=effective,
            actor=c.manager(s),
        )
    )
    _, claim = Session(c.ledger).claim_of(bank, loan)
    if not new:
        typer.echo(
            f"leg of {party} on {bank}/{loan} already reversed under {ref} ({reason}): "
            f"{format_yuan(fen)}; the claim is {claim.state}"
        )
        return
    typer.echo(
        f"leg of {party} on {bank}/{loan} reversed under {ref} ({reason}): {format_yuan(fen)} "
        f"unpaid again; the claim is {claim.state}"
    )
    still = c.ledger.get_pool(pool).queue if pool is not None else {}
    paid = [leg for waiting_claim, leg in waiting.items() if waiting_claim not in still]
    if paid:
        total = format_yuan(sum(leg.amount_fen for leg in paid))
        typer.echo(f"queued legs paid from the money back in {pool} (R10): {len(paid)}, {total}")
