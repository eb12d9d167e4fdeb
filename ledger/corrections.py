"""Corrections by reversal (R13): a mistaken money event is undone by a new event, with a reason.

Nothing is edited or deleted. Each reversal names the event it undoes by the reference it was
recorded under (a leg payment by its claim and payer, the reversal carrying the caller's own
reference) and is saved together with everything that follows from it: the pools' money,
the guarantee's or policy's record of a leg, the product's covered outstanding (R3).
"""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.money import format_yuan
from domain.repayment import Repayment
from domain.terms import POOL_PARTIES
from ledger.claims import pay_queued_legs
from ledger.cover import unrecord_leg_on_cover
from ledger.session import SessionBase


class CorrectionCommands(SessionBase):
    """Reversals of repayments, contributions, recoveries and leg payments (R13)."""

    def reverse_repayment(
        self,
        *,
        bank: str,
        reference: str,
        ref: str,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> tuple[Repayment, bool]:
        """Undoes the repayment a bank recorded under `ref`; returns it, and False for a repeat.

        Its principal is outstanding again, so it goes back on the product's covered
        outstanding (R3) in the same save; arrears and class follow at the next close.
        """
        loan = self.loan(bank, reference)
        repayment, new = loan.reverse_repayment(
            ref=ref, reason=reason, effective_date=effective_date, actor=actor
        )
        if new:
            self.exposure(loan.product, effective_date, actor).restore(
                loan=loan.id,
                principal_fen=repayment.principal_fen,
                reason=reason,
                effective_date=effective_date,
                actor=actor,
            )
        return repayment, new

    def reverse_contribution(
        self, *, pool: str, ref: str, reason: str, effective_date: date, actor: Actor
    ) -> tuple[int, bool]:
        """Takes back the contribution recorded under `ref`; returns its amount, and False for a
        repeat. Refused when the pool no longer holds that money (R10)."""
        return self.pool(pool).reverse_contribution(
            ref=ref, reason=reason, effective_date=effective_date, actor=actor
        )

    def reverse_recovery(
        self,
        *,
        bank: str,
        reference: str,
        ref: str,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> tuple[dict[str, int], bool]:
        """Undoes a recovery on the loan's claim; returns each party's part as it was shared,
        and False for a repeat. Each pool gives its part back, never going below zero (R10)."""
        loan, claim = self.claim_of(bank, reference)
        shares, new = claim.reverse_recovery(
            ref=ref, reason=reason, effective_date=effective_date, actor=actor
        )
        if new:
            product = self.product(loan.product)
            for party, fen in shares.items():
                if party in POOL_PARTIES:
                    self.pool(product.pool_for(party)).reverse_recovery(
                        claim=claim.id,
                        ref=ref,
                        amount_fen=fen,
                        reason=reason,
                        effective_date=effective_date,
                        actor=actor,
                    )
        return shares, new

    def reverse_leg_payment(
        self,
        *,
        bank: str,
        reference: str,
        party: str,
        ref: str,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> tuple[int, bool]:
        """Puts `party`'s paid leg of the loan's claim back to unpaid under the caller's `ref`;
        returns its amount, and False for a repeat of that reversal (R13, R14).

        A pool's paid-out falls back by exactly what it paid on the leg, and the leg is payable
        again; the money back in the pool pays the legs queued on it, oldest first, in the same
        save (R10).
        """
        loan, claim = self.claim_of(bank, reference)
        amount, new = claim.reverse_leg_payment(
            payer=party, ref=ref, reason=reason, effective_date=effective_date, actor=actor
        )
        if not new:
            return amount, False
        unrecord_leg_on_cover(self, claim, party, amount, reason, effective_date, actor)
        if party in POOL_PARTIES:
            pool = self.pool(self.product(loan.product).pool_for(party))
            paid = pool.reverse_payment(
                claim=claim.id, reason=reason, effective_date=effective_date, actor=actor
            )
            if paid != amount:
                raise RuleViolation(
                    "R13",
                    "party",
                    f"{pool.code} paid {format_yuan(paid)} on the leg, the claim says "
                    f"{format_yuan(amount)}; the two records disagree",
                )
            pay_queued_legs(self, pool, effective_date, actor)
        return amount, True
