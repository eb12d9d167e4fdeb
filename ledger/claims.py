"""Commands on claims: filing, approval, payment legs and recoveries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.claim import Claim
from domain.errors import Conflict
from domain.terms import POOL_PARTIES
from ledger.session import SessionBase


class ClaimCommands(SessionBase):
    """A defaulted loan's loss: filed, approved or rejected, paid in legs, recovered."""

    def file_claim(
        self, *, bank: str, reference: str, ref: str, filed_on: date, actor: Actor
    ) -> tuple[UUID, bool]:
        """Files the bank's claim on a defaulted loan; returns its id and whether it is new."""
        loan = self.loan(bank, reference)
        existing = self._find(Claim, Claim.create_id(loan.id, ref))
        if existing is not None:
            if existing.filed_on != filed_on:
                raise Conflict("ref", f"claim {ref!r} was filed on {existing.filed_on}")
            return existing.id, False
        terms = self.product(loan.product).terms_version(loan.terms_version)
        claim = Claim.file(loan=loan, terms=terms, reference=ref, filed_on=filed_on, actor=actor)
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
        """Approves the open claim (by default its whole loss base); returns the burdens."""
        loan, claim = self.claim_of(bank, reference)
        terms = self.product(loan.product).terms_version(claim.terms_version)
        claim.approve(
            amount_fen=claim.loss_base_fen if amount_fen is None else amount_fen,
            terms=terms,
            effective_date=effective_date,
            actor=actor,
        )
        return dict(claim.burdens)

    def reject_claim(
        self, *, bank: str, reference: str, reason: str, effective_date: date, actor: Actor
    ) -> None:
        loan, claim = self.claim_of(bank, reference)
        claim.reject(reason=reason, effective_date=effective_date, actor=actor)
        loan.close_claim(claim=claim.id, effective_date=effective_date, actor=actor)

    def pay_legs(
        self,
        *,
        bank: str,
        reference: str,
        parties: list[str] | None,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int]:
        """Pays the named (default: all unpaid) legs of the open claim; pools pay from funds."""
        loan, claim = self.claim_of(bank, reference)
        product = self.product(loan.product)
        payers = list(claim.legs_due()) if parties is None else parties
        paid: dict[str, int] = {}
        for payer in payers:
            amount = claim.unpaid_legs.get(payer)
            pool = self.pool(product.pool_for(payer)) if payer in POOL_PARTIES else None
            if pool is not None and amount is not None:
                pool.check_can_pay(amount)
            paid[payer] = claim.pay_leg(payer=payer, effective_date=effective_date, actor=actor)
            if pool is not None:
                pool.pay(
                    amount_fen=paid[payer],
                    claim=claim.id,
                    payee=loan.bank,
                    effective_date=effective_date,
                    actor=actor,
                )
        return paid

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
                self.pool(product.pool_for(party)).receive_recovery(
                    amount_fen=fen, claim=claim.id, effective_date=effective_date, actor=actor
                )
        return shares
