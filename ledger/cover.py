"""Commands on guarantees and insurance policies, and the part they play in a claim's legs."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.claim import Claim
from domain.errors import Conflict, NotFound, RuleViolation
from domain.guarantee import Guarantee
from domain.legs import BANK, GUARANTOR
from domain.loan import Loan
from domain.policy import InsurancePolicy
from ledger.session import SessionBase


class CoverCommands(SessionBase):
    """What a guarantor records about its guarantees and an insurer about its policies."""

    # -- guarantees ----------------------------------------------------------------------------

    def issue_guarantee(
        self,
        *,
        guarantor: str,
        bank: str,
        reference: str,
        contract: str,
        coverage_bps: int,
        fee_rate_bps: int,
        reguarantor: str | None = None,
        reguarantee_fee_bps: int | None = None,
        issued_on: date,
        actor: Actor,
    ) -> tuple[UUID, bool]:
        """Issues a guarantee on a bank's loan; returns its id and whether it is new (R16, R17)."""
        self.institution(guarantor, "guarantor", kind="guarantor")
        if reguarantor is not None:
            self.institution(reguarantor, "reguarantor", kind="reguarantor")
        loan = self.loan(bank, reference)
        existing = self.guarantee_on(loan.id)
        if existing is not None:
            differences = existing.issue_differences(
                guarantor=guarantor,
                contract=contract,
                coverage_bps=coverage_bps,
                fee_rate_bps=fee_rate_bps,
                reguarantor=reguarantor,
                reguarantee_fee_bps=reguarantee_fee_bps,
            )
            if differences:
                raise Conflict(
                    differences[0],
                    f"{bank} loan {reference} is already guaranteed by {existing.guarantor} "
                    f"under contract {existing.contract!r} with another "
                    f"{', '.join(differences)}",
                )
            return existing.id, False
        terms = self.product(loan.product).terms_version(loan.terms_version)
        guarantee = Guarantee.issue(
            loan=loan,
            terms=terms,
            guarantor=guarantor,
            contract=contract,
            coverage_bps=coverage_bps,
            fee_rate_bps=fee_rate_bps,
            reguarantor=reguarantor,
            reguarantee_fee_bps=reguarantee_fee_bps,
            issued_on=issued_on,
            actor=actor,
        )
        return self._add(guarantee).id, True

    def guarantee_of(self, guarantor: str, bank: str, reference: str) -> tuple[Loan, Guarantee]:
        """Returns a loan and its guarantee, refused unless `guarantor` issued it (roles)."""
        loan = self.loan(bank, reference)
        guarantee = self.guarantee_on(loan.id)
        if guarantee is None:
            raise NotFound("loan", f"{bank} loan {reference} has no guarantee")
        if guarantee.guarantor != guarantor:
            raise RuleViolation(
                "roles",
                "guarantor",
                f"{bank} loan {reference} is guaranteed by {guarantee.guarantor}, not {guarantor}",
            )
        return loan, guarantee

    def pay_guarantee_fee(
        self,
        *,
        guarantor: str,
        bank: str,
        reference: str,
        amount_fen: int,
        ref: str,
        paid_on: date,
        actor: Actor,
        reguarantee: bool = False,
    ) -> bool:
        """Records a guarantee fee (or the re-guarantee fee); False when `ref` was recorded."""
        _, guarantee = self.guarantee_of(guarantor, bank, reference)
        pay = guarantee.pay_reguarantee_fee if reguarantee else guarantee.pay_fee
        return pay(amount_fen=amount_fen, ref=ref, paid_on=paid_on, actor=actor)

    def make_guarantee_payout(
        self,
        *,
        guarantor: str,
        bank: str,
        reference: str,
        amount_fen: int | None,
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> tuple[int, bool]:
        """Records the guarantor's 代偿 to the bank; returns its amount and whether it is new."""
        loan, guarantee = self.guarantee_of(guarantor, bank, reference)
        terms = self.product(loan.product).terms_version(loan.terms_version)
        made = guarantee.make_payout(
            loan=loan,
            amount_fen=amount_fen,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
            covers_interest=terms.covers_interest,
        )
        return guarantee.paid_out_fen, made

    def release_guarantee(
        self, *, guarantor: str, bank: str, reference: str, effective_date: date, actor: Actor
    ) -> bool:
        """Releases the guarantee on a paid-off loan; False when it was already released."""
        loan, guarantee = self.guarantee_of(guarantor, bank, reference)
        return guarantee.release(loan=loan, effective_date=effective_date, actor=actor)

    # -- insurance policies --------------------------------------------------------------------

    def issue_policy(
        self,
        *,
        insurer: str,
        bank: str,
        reference: str,
        number: str,
        coverage_bps: int,
        premium_rate_bps: int,
        issued_on: date,
        actor: Actor,
    ) -> tuple[UUID, bool]:
        """Issues the insurer's policy on a bank's loan; returns its id and whether it is new."""
        self.institution(insurer, "insurer", kind="insurer")
        loan = self.loan(bank, reference)
        existing = self.policy_on(loan.id)
        if existing is not None:
            differences = existing.issue_differences(
                insurer=insurer,
                number=number,
                coverage_bps=coverage_bps,
                premium_rate_bps=premium_rate_bps,
            )
            if differences:
                raise Conflict(
                    differences[0],
                    f"{bank} loan {reference} is already insured by {existing.insurer} "
                    f"under policy {existing.number!r} with another {', '.join(differences)}",
                )
            return existing.id, False
        terms = self.product(loan.product).terms_version(loan.terms_version)
        policy = InsurancePolicy.issue(
            loan=loan,
            terms=terms,
            insurer=insurer,
            number=number,
            coverage_bps=coverage_bps,
            premium_rate_bps=premium_rate_bps,
            issued_on=issued_on,
            actor=actor,
        )
        return self._add(policy).id, True

    def policy_of(self, insurer: str, bank: str, reference: str) -> tuple[Loan, InsurancePolicy]:
        """Returns a loan and its policy, refused unless `insurer` issued it (roles)."""
        loan = self.loan(bank, reference)
        policy = self.policy_on(loan.id)
        if policy is None:
            raise NotFound("loan", f"{bank} loan {reference} has no insurance policy")
        if policy.insurer != insurer:
            raise RuleViolation(
                "roles",
                "insurer",
                f"{bank} loan {reference} is insured by {policy.insurer}, not {insurer}",
            )
        return loan, policy

    def pay_premium(
        self,
        *,
        insurer: str,
        bank: str,
        reference: str,
        amount_fen: int,
        ref: str,
        paid_on: date,
        actor: Actor,
    ) -> bool:
        """Records a premium paid to the insurer; False when `ref` was already recorded."""
        _, policy = self.policy_of(insurer, bank, reference)
        return policy.pay_premium(amount_fen=amount_fen, ref=ref, paid_on=paid_on, actor=actor)

    def lapse_policy(
        self,
        *,
        insurer: str,
        bank: str,
        reference: str,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> bool:
        """Ends a policy before any loss; False when it had already lapsed."""
        loan, policy = self.policy_of(insurer, bank, reference)
        return policy.lapse(loan=loan, reason=reason, effective_date=effective_date, actor=actor)

    def pay_insurer_leg(
        self, *, insurer: str, bank: str, reference: str, effective_date: date, actor: Actor
    ) -> int:
        """Pays the insurer's leg of the approved claim on its own policy's loan (R9, roles)."""
        self.policy_of(insurer, bank, reference)
        _, claim = self.claim_of(bank, reference)
        claim.legs_due()
        paid = claim.pay_leg(payer="insurer", effective_date=effective_date, actor=actor)
        record_leg_on_cover(self, claim, "insurer", paid, effective_date, actor)
        return paid


# -- the cover's part in a claim (called by the claim commands) ------------------------------


def claimant_cover(
    session: SessionBase, loan: Loan, structure: str, guarantor: str | None
) -> tuple[Guarantee | None, InsurancePolicy | None]:
    """Returns the guarantee or policy a claim on `loan` rests on, checking who files (R7, roles).

    A guaranteed loan's claim is filed by its guarantor, named as `guarantor`; any other
    loan's claim is filed by its bank, with no guarantor named.
    """
    if structure != "guaranteed":
        if guarantor is not None:
            raise RuleViolation(
                "R7", "guarantor", f"{loan.product} is {structure}: the bank files, not a guarantor"
            )
        return None, session.policy_on(loan.id) if structure == "insured" else None
    if guarantor is None:
        raise RuleViolation(
            "R7",
            "guarantor",
            f"{loan.product} is guaranteed: its guarantor files, after its 代偿",
        )
    session.institution(guarantor, "guarantor", kind="guarantor")
    guarantee = session.guarantee_on(loan.id)
    if guarantee is not None and guarantee.guarantor != guarantor:
        raise RuleViolation(
            "roles",
            "guarantor",
            f"{loan.bank} loan {loan.reference} is guaranteed by {guarantee.guarantor}, "
            f"not {guarantor}",
        )
    return guarantee, None


def count_payout_as_leg(
    session: SessionBase, claim: Claim, effective_date: date, actor: Actor
) -> None:
    """Pays the guarantor's leg to the bank with the 代偿 it already made (R9).

    Refused when the approval leaves the guarantor owing the bank more than it paid.
    """
    leg = claim.unpaid_legs.get(GUARANTOR)
    if leg is None or claim.payees.get(GUARANTOR) != BANK:
        return
    guarantee = session.guarantee_on(claim.loan)
    if guarantee is None:
        raise NotFound("guarantor", f"{claim.loan_reference} has no guarantee")
    guarantee.check_covers_leg(leg)
    claim.pay_leg(payer=GUARANTOR, effective_date=effective_date, actor=actor)


def payee_institution(session: SessionBase, claim: Claim, payer: str) -> str:
    """Returns the institution a leg is paid to: the loan's bank, or its guarantor (R9)."""
    if claim.payees.get(payer, claim.claimant) != GUARANTOR:
        return claim.bank
    guarantee = session.guarantee_on(claim.loan)
    if guarantee is None:
        raise NotFound("guarantor", f"{claim.loan_reference} has no guarantee")
    return guarantee.guarantor


def _covers_of_leg(
    session: SessionBase, claim: Claim, payer: str
) -> tuple[InsurancePolicy | None, Guarantee | None]:
    """Returns the policy that pays `payer`'s leg and the guarantee it reimburses, each only
    when the leg touches it; NotFound when the loan lacks the cover the leg needs."""
    policy = guarantee = None
    if payer == "insurer":
        policy = session.policy_on(claim.loan)
        if policy is None:
            raise NotFound("insurer", f"{claim.loan_reference} has no insurance policy")
    if claim.payees.get(payer) == GUARANTOR:
        guarantee = session.guarantee_on(claim.loan)
        if guarantee is None:
            raise NotFound("guarantor", f"{claim.loan_reference} has no guarantee")
    return policy, guarantee


def record_leg_on_cover(
    session: SessionBase,
    claim: Claim,
    payer: str,
    amount_fen: int,
    effective_date: date,
    actor: Actor,
) -> None:
    """Records a paid leg on its cover: the insurer's claim paid, or a guarantor's reimbursement."""
    policy, guarantee = _covers_of_leg(session, claim, payer)
    if policy is not None:
        policy.pay_claim(
            claim=claim.id,
            amount_fen=amount_fen,
            loss_base_fen=claim.loss_base_fen,
            effective_date=effective_date,
            actor=actor,
        )
    if guarantee is not None:
        guarantee.receive_reimbursement(
            payer=payer,
            amount_fen=amount_fen,
            claim=claim.id,
            effective_date=effective_date,
            actor=actor,
        )


def unrecord_leg_on_cover(
    session: SessionBase,
    claim: Claim,
    payer: str,
    amount_fen: int,
    reason: str,
    effective_date: date,
    actor: Actor,
) -> None:
    """Takes a reversed leg off its cover, the mirror of `record_leg_on_cover` (R13)."""
    policy, guarantee = _covers_of_leg(session, claim, payer)
    if policy is not None:
        policy.reverse_claim_payment(
            claim=claim.id,
            amount_fen=amount_fen,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
    if guarantee is not None:
        guarantee.reverse_reimbursement(
            payer=payer,
            amount_fen=amount_fen,
            claim=claim.id,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
