"""Guarantees (担保): a guarantee company covers a loan of a guaranteed product.

The guarantor takes fees while the loan runs (R17), pays the bank its 代偿 when the loan
defaults (R9), files the claim, and is then reimbursed by the pools and re-guarantor.
How coverage enters the loss sharing (R16): the product's shares decide every burden; a
guarantee must cover at least the part of each loss the product puts on everyone but the
bank, so its 代偿 (by default the covered part of the outstanding principal at default)
always reaches the leg the guarantor owes the bank. What it pays beyond that leg is its own.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.coverage import (
    allowance_basis,
    check_coverage,
    check_loan_takes_cover,
    check_rate,
    check_take_back,
    check_within_allowance,
    covered_fen,
    guarantor_side_bps,
    party_share_bps,
    rate_allowance_fen,
)
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import guarantee_id
from domain.loan import DEFAULTED, PAID_OFF, Loan
from domain.money import format_bps, format_yuan
from domain.references import References
from domain.terms import ProductTerms

ISSUED = "issued"
PAID_OUT = "paid_out"
RELEASED = "released"

GUARANTEE_FEE = "guarantee fee"
REGUARANTEE_FEE = "re-guarantee fee"


class Guarantee(Aggregate):
    """The guarantee on one loan, known by the loan; the guarantor's contract is its reference."""

    @staticmethod
    def create_id(loan: UUID) -> UUID:
        return guarantee_id(loan)

    @classmethod
    def issue(
        cls,
        *,
        loan: Loan,
        terms: ProductTerms,
        guarantor: str,
        contract: str,
        coverage_bps: int,
        fee_rate_bps: int,
        reguarantor: str | None,
        reguarantee_fee_bps: int | None,
        issued_on: date,
        actor: Actor,
    ) -> Guarantee:
        """Returns a guarantee issued on a running loan, within the product's terms (R16, R17)."""
        if not contract.strip():
            raise InvalidInput("ref", "a guarantee needs the guarantor's contract reference")
        check_loan_takes_cover(
            terms,
            loan_reference=loan.reference,
            loan_state=loan.state,
            structure="guaranteed",
            cover="guarantee",
            verb="guaranteed",
        )
        side = guarantor_side_bps(terms, first_loan=loan.first_loan, pure_credit=loan.pure_credit)
        check_coverage(terms, coverage_bps, side, "guarantor")
        check_rate(
            fee_rate_bps,
            terms.limits.max_guarantee_fee_bps,
            field="fee_rate",
            what=GUARANTEE_FEE,
            code=terms.code,
        )
        shares_reguarantor = party_share_bps(terms, "reguarantor") > 0
        if reguarantor is None and shares_reguarantor:
            raise RuleViolation(
                "R9", "reguarantor", f"{terms.code} shares losses with a re-guarantor: name it"
            )
        if reguarantor is not None and not shares_reguarantor:
            raise RuleViolation(
                "R9", "reguarantor", f"{terms.code} gives a re-guarantor no share of losses"
            )
        if reguarantee_fee_bps is not None:
            if reguarantor is None:
                raise InvalidInput("reguarantee_fee", "a re-guarantee fee needs a re-guarantor")
            check_rate(
                reguarantee_fee_bps,
                terms.limits.max_reguarantee_fee_bps,
                field="reguarantee_fee",
                what=REGUARANTEE_FEE,
                code=terms.code,
            )
        return cls(
            loan=loan.id,
            loan_reference=loan.reference,
            bank=loan.bank,
            product=loan.product,
            terms_version=loan.terms_version,
            guarantor=guarantor,
            contract=contract,
            coverage_bps=coverage_bps,
            fee_rate_bps=fee_rate_bps,
            reguarantor=reguarantor,
            reguarantee_fee_bps=reguarantee_fee_bps,
            principal_fen=loan.principal_fen,
            term_months=loan.term_months,
            effective_date=issued_on,
            actor=actor,
        )

    @event("Issued")
    def __init__(
        self,
        loan: UUID,
        loan_reference: str,
        bank: str,
        product: str,
        terms_version: int,
        guarantor: str,
        contract: str,
        coverage_bps: int,
        fee_rate_bps: int,
        reguarantor: str | None,
        reguarantee_fee_bps: int | None,
        principal_fen: int,
        term_months: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.loan = loan
        self.loan_reference = loan_reference
        self.bank = bank
        self.product = product
        self.terms_version = terms_version
        self.guarantor = guarantor
        self.contract = contract
        self.coverage_bps = coverage_bps
        self.fee_rate_bps = fee_rate_bps
        self.reguarantor = reguarantor
        self.reguarantee_fee_bps = reguarantee_fee_bps
        self.principal_fen = principal_fen
        self.term_months = term_months
        self.issued_on = effective_date
        self.state = ISSUED
        self.fees_paid_fen = 0
        self.reguarantee_fees_paid_fen = 0
        self.paid_out_fen = 0
        self.loss_base_fen = 0
        self.payout_ref: str | None = None
        self.payout_date: date | None = None
        self.reimbursed: dict[str, int] = {}
        self.refs = References()
        self.released_on: date | None = None

    def issue_differences(
        self,
        *,
        guarantor: str,
        contract: str,
        coverage_bps: int,
        fee_rate_bps: int,
        reguarantor: str | None,
        reguarantee_fee_bps: int | None,
    ) -> list[str]:
        """Names the fields in which a repeated issue differs from the first (R14)."""
        given = {
            "guarantor": guarantor,
            "ref": contract,
            "coverage": coverage_bps,
            "fee_rate": fee_rate_bps,
            "reguarantor": reguarantor,
            "reguarantee_fee": reguarantee_fee_bps,
        }
        issued = {
            "guarantor": self.guarantor,
            "ref": self.contract,
            "coverage": self.coverage_bps,
            "fee_rate": self.fee_rate_bps,
            "reguarantor": self.reguarantor,
            "reguarantee_fee": self.reguarantee_fee_bps,
        }
        return [name for name, value in given.items() if issued[name] != value]

    @property
    def guaranteed_fen(self) -> int:
        """The principal the guarantee covers, on which fees are charged."""
        return covered_fen(self.principal_fen, self.coverage_bps)

    @property
    def fee_allowance_fen(self) -> int:
        """The most the guarantee fees may total: the fee rate on the covered principal (R17)."""
        return rate_allowance_fen(self.guaranteed_fen, self.fee_rate_bps, self.term_months)

    @property
    def reguarantee_fee_allowance_fen(self) -> int:
        """The most the re-guarantee fees may total (R17); nothing without a fee rate."""
        if self.reguarantee_fee_bps is None:
            return 0
        return rate_allowance_fen(self.guaranteed_fen, self.reguarantee_fee_bps, self.term_months)

    def _basis(self, rate_bps: int) -> str:
        return allowance_basis(rate_bps, self.guaranteed_fen, self.term_months, base="covered")

    def _check_takes_fees(self, what: str) -> None:
        """Raises once the guarantee was released or made its 代偿: its cover has ended, as a
        lapsed policy takes no premium (R17)."""
        if self.state == RELEASED:
            raise RuleViolation(
                "lifecycle",
                "guarantee",
                f"the guarantee on {self.loan_reference} was released on {self.released_on}; "
                f"it takes no {what}",
            )
        if self.state == PAID_OUT:
            raise RuleViolation(
                "lifecycle",
                "guarantee",
                f"the guarantee on {self.loan_reference} made its 代偿 on {self.payout_date}; "
                f"it takes no {what}",
            )

    def pay_fee(self, *, amount_fen: int, ref: str, paid_on: date, actor: Actor) -> bool:
        """Records a guarantee fee paid to the guarantor; False when `ref` was recorded (R17)."""
        if self.refs.is_repeat(ref, GUARANTEE_FEE, amount_fen, paid_on):
            return False
        self._check_takes_fees(GUARANTEE_FEE)
        check_within_allowance(
            self.fees_paid_fen,
            amount_fen,
            self.fee_allowance_fen,
            what=GUARANTEE_FEE,
            basis=self._basis(self.fee_rate_bps),
        )
        self._fee_paid(
            kind=GUARANTEE_FEE, amount_fen=amount_fen, ref=ref, effective_date=paid_on, actor=actor
        )
        return True

    def pay_reguarantee_fee(
        self, *, amount_fen: int, ref: str, paid_on: date, actor: Actor
    ) -> bool:
        """Records a re-guarantee fee the guarantor paid; False when `ref` was recorded (R17)."""
        if self.refs.is_repeat(ref, REGUARANTEE_FEE, amount_fen, paid_on):
            return False
        self._check_takes_fees(REGUARANTEE_FEE)
        if self.reguarantee_fee_bps is None:
            raise RuleViolation(
                "R17", "reguarantee_fee", "the guarantee was issued without a re-guarantee fee"
            )
        check_within_allowance(
            self.reguarantee_fees_paid_fen,
            amount_fen,
            self.reguarantee_fee_allowance_fen,
            what=REGUARANTEE_FEE,
            basis=self._basis(self.reguarantee_fee_bps),
        )
        self._fee_paid(
            kind=REGUARANTEE_FEE,
            amount_fen=amount_fen,
            ref=ref,
            effective_date=paid_on,
            actor=actor,
        )
        return True

    @event("FeePaid")
    def _fee_paid(
        self, kind: str, amount_fen: int, ref: str, effective_date: date, actor: Actor
    ) -> None:
        if kind == GUARANTEE_FEE:
            self.fees_paid_fen += amount_fen
        else:
            self.reguarantee_fees_paid_fen += amount_fen
        self.refs.remember(ref, kind, amount_fen, effective_date)

    def covered_loss_fen(self, loss_base_fen: int) -> int:
        """The part of a loss base the guarantee covers, rounded up to the fen (R16)."""
        return covered_fen(loss_base_fen, self.coverage_bps)

    def make_payout(
        self,
        *,
        loan: Loan,
        amount_fen: int | None,
        ref: str,
        effective_date: date,
        actor: Actor,
        covers_interest: bool = False,
    ) -> bool:
        """Records the 代偿 paid to the bank (by default all the guarantee covers); once only.

        The loss it covers is the principal outstanding at default, with the interest unpaid
        then when the product covers interest (R7). Returns False when this very payout was
        already recorded.
        """
        if self.payout_ref is not None:
            same = amount_fen in (None, self.paid_out_fen) and effective_date == self.payout_date
            if ref == self.payout_ref and same:
                return False
            if ref == self.payout_ref:
                raise Conflict("ref", f"{ref!r} was already used with different content")
            raise RuleViolation(
                "R9",
                "guarantee",
                f"the 代偿 of {format_yuan(self.paid_out_fen)} was made on {self.payout_date} "
                f"under {self.payout_ref!r}",
            )
        if not ref.strip():
            raise InvalidInput("ref", "a reference is required for every money command")
        if self.state == RELEASED:
            raise RuleViolation("lifecycle", "guarantee", "the guarantee was released")
        if loan.id != self.loan:
            raise InvalidInput("loan", f"{loan.reference} is not the guaranteed loan")
        if loan.state != DEFAULTED or loan.default_date is None:
            raise RuleViolation(
                "R9", "loan", f"{loan.reference} is {loan.state}; 代偿 follows a default"
            )
        if effective_date < loan.default_date:
            raise InvalidInput(
                "date", f"{effective_date} is before the default on {loan.default_date}"
            )
        loss_base = loan.loss_base_fen(covers_interest=covers_interest)
        covered = self.covered_loss_fen(loss_base)
        amount = covered if amount_fen is None else amount_fen
        if amount <= 0:
            raise InvalidInput("amount", "a 代偿 must be positive")
        if amount > covered:
            raise RuleViolation(
                "R16",
                "amount",
                f"{format_yuan(amount)} exceeds the {format_yuan(covered)} the guarantee covers "
                f"({format_bps(self.coverage_bps)} of the {format_yuan(loss_base)} "
                f"{'owed' if covers_interest else 'outstanding'} at default)",
            )
        self._payout_made(
            amount_fen=amount,
            loss_base_fen=loss_base,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("PayoutMade")
    def _payout_made(
        self, amount_fen: int, loss_base_fen: int, ref: str, effective_date: date, actor: Actor
    ) -> None:
        self.state = PAID_OUT
        self.paid_out_fen = amount_fen
        self.loss_base_fen = loss_base_fen
        self.payout_ref = ref
        self.payout_date = effective_date

    def check_may_claim(self) -> None:
        """Raises unless the guarantor has made its 代偿, after which it may file (R7)."""
        if self.state != PAID_OUT:
            raise RuleViolation(
                "R7",
                "guarantor",
                f"{self.guarantor} files a claim on {self.loan_reference} only after its 代偿 "
                "to the bank",
            )

    def check_covers_leg(self, leg_fen: int) -> None:
        """Raises unless the 代偿 made reaches the leg the guarantor owes the bank (R9)."""
        if leg_fen > self.paid_out_fen:
            raise RuleViolation(
                "R9",
                "amount",
                f"the bank's burden leaves {format_yuan(leg_fen)} for the guarantor to pay, more "
                f"than its 代偿 of {format_yuan(self.paid_out_fen)}",
            )

    def receive_reimbursement(
        self, *, payer: str, amount_fen: int, claim: UUID, effective_date: date, actor: Actor
    ) -> None:
        """Records a leg paid to the guarantor by a pool or the re-guarantor (R9)."""
        if amount_fen <= 0:
            raise InvalidInput("amount", "a reimbursement must be positive")
        if self.state != PAID_OUT:
            raise RuleViolation("R9", "guarantee", "reimbursements follow the 代偿")
        self._reimbursed(
            payer=payer,
            amount_fen=amount_fen,
            claim=claim,
            effective_date=effective_date,
            actor=actor,
        )

    @event("ReimbursementReceived")
    def _reimbursed(
        self, payer: str, amount_fen: int, claim: UUID, effective_date: date, actor: Actor
    ) -> None:
        self.reimbursed[payer] = self.reimbursed.get(payer, 0) + amount_fen

    def reverse_reimbursement(
        self,
        *,
        payer: str,
        amount_fen: int,
        claim: UUID,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        """Takes back a reimbursement whose leg was reversed (R9, R13)."""
        check_take_back(amount_fen, self.reimbursed.get(payer, 0), paid=f"{payer} reimbursed")
        self._reimbursement_reversed(
            payer=payer,
            amount_fen=amount_fen,
            claim=claim,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )

    @event("ReimbursementReversed")
    def _reimbursement_reversed(
        self,
        payer: str,
        amount_fen: int,
        claim: UUID,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        left = self.reimbursed[payer] - amount_fen
        if left:
            self.reimbursed[payer] = left
        else:
            del self.reimbursed[payer]

    @property
    def reimbursed_fen(self) -> int:
        return sum(self.reimbursed.values())

    def release(self, *, loan: Loan, effective_date: date, actor: Actor) -> bool:
        """Releases the guarantee once its loan is paid off; False when already released that
        day, Conflict when released on another (R14)."""
        if self.state == RELEASED:
            if effective_date != self.released_on:
                raise Conflict(
                    "date",
                    f"the guarantee on {self.loan_reference} was released on {self.released_on}",
                )
            return False
        if self.state == PAID_OUT:
            raise RuleViolation(
                "lifecycle", "guarantee", "a guarantee that made its 代偿 cannot be released"
            )
        if loan.id != self.loan:
            raise InvalidInput("loan", f"{loan.reference} is not the guaranteed loan")
        if loan.state != PAID_OFF:
            raise RuleViolation(
                "lifecycle",
                "loan",
                f"{loan.reference} is {loan.state}; a guarantee is released when it is paid off",
            )
        self._released(effective_date=effective_date, actor=actor)
        return True

    @event("Released")
    def _released(self, effective_date: date, actor: Actor) -> None:
        self.state = RELEASED
        self.released_on = effective_date
