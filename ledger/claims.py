"""Commands on claims: filing, approval, payment legs and recoveries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.claim import RECOVERING, Claim
from domain.claimant_account import ClaimantAccount
from domain.errors import Conflict, NotFound
from domain.legs import GUARANTOR
from domain.pool import RiskPool
from domain.split import NO_HISTORY, loan_shares, pools_burden_fen
from domain.terms import POOL_PARTIES
from ledger.cover import (
    claimant_cover,
    count_payout_as_leg,
    payee_institution,
    record_leg_on_cover,
)
from ledger.session import SessionBase


class ClaimCommands(SessionBase):
    """A defaulted loan's loss: filed, approved or rejected, paid in legs, recovered."""

    def file_claim(
        self,
        *,
        bank: str,
        reference: str,
        ref: str,
        filed_on: date,
        actor: Actor,
        guarantor: str | None = None,
    ) -> tuple[UUID, bool]:
        """Files the claim on a defaulted loan; returns its id and whether it is new (R7).

        The bank files, except on a guaranteed loan, whose `guarantor` files after its 代偿.
        """
        loan = self.loan(bank, reference)
        existing = self._find(Claim, Claim.create_id(loan.id, ref))
        if existing is not None:
            # R14: the same filing again is a no-op; another date or filer is a conflict.
            if existing.filed_on != filed_on:
                raise Conflict("date", f"claim {ref!r} was filed on {existing.filed_on}")
            filed_by = self._claimant(existing) if existing.claimant == GUARANTOR else None
            if guarantor != filed_by:
                raise Conflict(
                    "guarantor",
                    f"claim {ref!r} was filed by {filed_by or existing.bank}, not "
                    f"{guarantor or bank}",
                )
            return existing.id, False
        terms = self.product(loan.product).terms_version(loan.terms_version)
        guarantee, policy = claimant_cover(self, loan, terms.structure, guarantor)
        claim = Claim.file(
            loan=loan,
            terms=terms,
            reference=ref,
            filed_on=filed_on,
            actor=actor,
            guarantee=guarantee,
            policy=policy,
        )
        loan.open_claim_for(claim=claim.id, effective_date=filed_on, actor=actor)
        return self._add(claim).id, True

    def approve_claim(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int | None,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int]:
        """Approves the open claim (by default its whole loss base); returns the burdens.

        The loss is split by the loan's shares (tier, bonus) within the caps, the claimant's
        account counting it in the same save (R8). Under after-recovery settlement the
        burdens wait for the close of recovery and none are returned (R11). The same approval
        again returns the burdens and writes nothing; another is a Conflict (R14).
        """
        loan, claim = self.claim_of(bank, reference)
        terms = self.product(loan.product).terms_version(claim.terms_version)
        account = self._claimant_account(claim)
        approved = claim.approve(
            amount_fen=claim.loss_base_fen if amount_fen is None else amount_fen,
            terms=terms,
            effective_date=effective_date,
            actor=actor,
            shares=loan_shares(
                terms,
                annual_revenue_fen=loan.annual_revenue_fen,
                first_loan=loan.first_loan,
                pure_credit=loan.pure_credit,
            ),
            history=account.history if account is not None else NO_HISTORY,
        )
        if not approved:  # a repeat: its loss is already counted and its 代偿 already a leg
            return dict(claim.burdens)
        count_payout_as_leg(self, claim, effective_date, actor)
        if claim.state != RECOVERING:
            self._count_claim(account, claim, effective_date, actor)
        # The loss is fixed: the loan's remaining principal stops using leverage (R3, R4).
        # The compensation rate counts principal: interest a product covers is not (R4).
        self.exposure(loan.product, effective_date, actor).compensate(
            loan=loan.id,
            remaining_fen=loan.exposure_fen,
            compensated_fen=min(claim.approved_fen, loan.outstanding_at_default_fen),
            effective_date=effective_date,
            actor=actor,
        )
        return dict(claim.burdens)

    def close_recovery(
        self, *, bank: str, reference: str, effective_date: date, actor: Actor
    ) -> dict[str, int]:
        """Splits what is left unrecovered of a claim settled after recovery; returns the burdens.

        The claimant closes recovery; the claim's fixed shares and the caps then apply to the
        approved loss less every recovery, and the legs fall due (R8, R11). Closing again on the
        same day returns the same burdens and writes nothing; on another day, a Conflict (R14).
        """
        loan, claim = self.claim_of(bank, reference)
        terms = self.product(loan.product).terms_version(claim.terms_version)
        account = self._claimant_account(claim)
        # The claim answers a repeated close itself; what it counted then must not count twice.
        closed_before = claim.recovery_closed_on is not None
        burdens = claim.close_recovery(
            terms=terms,
            history=account.history if account is not None else NO_HISTORY,
            effective_date=effective_date,
            actor=actor,
        )
        if closed_before:
            return burdens
        count_payout_as_leg(self, claim, effective_date, actor)
        self._count_claim(account, claim, effective_date, actor)
        return burdens

    def _claimant(self, claim: Claim) -> str:
        """Returns the institution that claims: the bank, or a guaranteed loan's guarantor."""
        if claim.claimant == "bank":
            return claim.bank
        guarantee = self.guarantee_on(claim.loan)
        if guarantee is None:
            raise NotFound("guarantor", f"{claim.loan_reference} has no guarantee")
        return guarantee.guarantor

    def _claimant_account(self, claim: Claim) -> ClaimantAccount | None:
        """Returns the claimant's account under the claim's product, None before its first."""
        return self._find(
            ClaimantAccount, ClaimantAccount.create_id(claim.product, self._claimant(claim))
        )

    def _count_claim(
        self, account: ClaimantAccount | None, claim: Claim, effective_date: date, actor: Actor
    ) -> None:
        """Counts a split claim on its claimant's account, opening the account on first use."""
        if account is None:
            account = self._add(
                ClaimantAccount.open(
                    product=claim.product,
                    claimant=self._claimant(claim),
                    effective_date=effective_date,
                    actor=actor,
                )
            )
        account.count(
            claim=claim.id,
            loss_fen=claim.shared_loss_fen,
            pool_burden_fen=pools_burden_fen(claim.burdens),
            effective_date=effective_date,
            actor=actor,
        )

    def reject_claim(
        self, *, bank: str, reference: str, reason: str, effective_date: date, actor: Actor
    ) -> bool:
        """Rejects the open claim and frees the loan; returns False for the same rejection again.

        With no claim open, the claim last rejected answers: the same reason and day are a
        no-op, others a Conflict naming the field (R14).
        """
        loan = self.loan(bank, reference)
        if loan.open_claim is None and loan.rejected_claim is not None:
            rejected = self.claim_by_id(loan.rejected_claim)
            return rejected.reject(reason=reason, effective_date=effective_date, actor=actor)
        loan, claim = self.claim_of(bank, reference)
        claim.reject(reason=reason, effective_date=effective_date, actor=actor)
        loan.close_claim(claim=claim.id, effective_date=effective_date, actor=actor)
        return True

    def pay_legs(
        self,
        *,
        bank: str,
        reference: str,
        parties: list[str] | None,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int]:
        """Pays the named (default: all unpaid) legs of the open claim; returns those paid.

        A pool pays from its funds; a pool leg it cannot pay now (short of funds, or older legs
        waiting) is queued on the pool and paid when funds arrive (R10).
        """
        loan, claim = self.claim_of(bank, reference)
        product = self.product(loan.product)
        payers = list(claim.legs_due()) if parties is None else parties
        paid: dict[str, int] = {}
        for payer in payers:
            amount = claim.unpaid_legs.get(payer)
            pool = self.pool(product.pool_for(payer)) if payer in POOL_PARTIES else None
            if pool is not None and amount is not None and not pool.pays_at_once(amount):
                if parties is None and claim.id in pool.queue:
                    continue  # already waiting for funds
                pool.queue_leg(
                    claim=claim.id,
                    payer=payer,
                    payee=payee_institution(self, claim, payer),
                    amount_fen=amount,
                    effective_date=effective_date,
                    actor=actor,
                )
                continue
            paid[payer] = claim.pay_leg(payer=payer, effective_date=effective_date, actor=actor)
            record_leg_on_cover(self, claim, payer, paid[payer], effective_date, actor)
            if pool is not None:
                pool.pay(
                    amount_fen=paid[payer],
                    claim=claim.id,
                    payee=payee_institution(self, claim, payer),
                    effective_date=effective_date,
                    actor=actor,
                )
        return paid

    def queued_legs(self, *, bank: str, reference: str) -> dict[str, int]:
        """Returns the open claim's legs that wait in their pools' queues for funds (R10)."""
        loan, claim = self.claim_of(bank, reference)
        product = self.product(loan.product)
        waiting: dict[str, int] = {}
        for payer, amount in claim.unpaid_legs.items():
            if payer in POOL_PARTIES and claim.id in self.pool(product.pool_for(payer)).queue:
                waiting[payer] = amount
        return waiting

    def record_recovery(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int,
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int] | None:
        """Shares a recovery back to the parties; pools take theirs. None when a repeat."""
        loan, claim = self.claim_of(bank, reference)
        shares = claim.record_recovery(
            amount_fen=amount_fen, ref=ref, effective_date=effective_date, actor=actor
        )
        if shares is None:
            return None
        product = self.product(loan.product)
        for party, fen in shares.items():
            if party in POOL_PARTIES:
                pool = self.pool(product.pool_for(party))
                pool.receive_recovery(
                    amount_fen=fen, claim=claim.id, effective_date=effective_date, actor=actor
                )
                # Recovered money is funds arriving too: legs waiting on the pool are paid (R10).
                pay_queued_legs(self, pool, effective_date, actor)
        return shares


def pay_queued_legs(
    session: SessionBase, pool: RiskPool, effective_date: date, actor: Actor
) -> dict[UUID, int]:
    """Pays the pool's queued legs its funds now cover, oldest first; returns them by claim.

    Each payment is recorded on the pool and as the claim's paid leg, in the same save as
    whatever brought the funds (R10). A leg is paid no earlier than the day it was queued.
    """
    paid: dict[UUID, int] = {}
    for leg in pool.payable_queue():
        claim = session.claim_by_id(leg.claim)
        day = max(effective_date, leg.queued_on)
        amount = claim.pay_leg(payer=leg.payer, effective_date=day, actor=actor)
        record_leg_on_cover(session, claim, leg.payer, amount, day, actor)
        paid[leg.claim] = pool.pay_queued(claim=leg.claim, effective_date=day, actor=actor)
    return paid
