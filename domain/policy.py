"""Insurance policies (贷款保证保险): an insurer covers a loan of an insured product.

The insurer takes premiums while the loan runs (R17) and, when a claim on the loan is
approved, pays the bank its burden as a leg (R9). The policy must cover at least the
insurer's share of each loss, so its leg never goes beyond what it covers (R16).
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
    party_share_bps,
    rate_allowance_fen,
)
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import policy_id
from domain.loan import DEFAULTED, Loan
from domain.money import format_yuan
from domain.references import References
from domain.terms import ProductTerms

IN_FORCE = "in_force"
LAPSED = "lapsed"

PREMIUM = "premium"


class InsurancePolicy(Aggregate):
    """The policy on one loan, known by the loan; the insurer's policy number is its reference."""

    @staticmethod
    def create_id(loan: UUID) -> UUID:
        return policy_id(loan)

    @classmethod
    def issue(
        cls,
        *,
        loan: Loan,
        terms: ProductTerms,
        insurer: str,
        number: str,
        coverage_bps: int,
        premium_rate_bps: int,
        issued_on: date,
        actor: Actor,
    ) -> InsurancePolicy:
        """Returns a policy issued on a running loan, within the product's terms (R16, R17)."""
        if not number.strip():
            raise InvalidInput("ref", "a policy needs the insurer's policy number")
        check_loan_takes_cover(
            terms,
            loan_reference=loan.reference,
            loan_state=loan.state,
            structure="insured",
            cover="policy",
            verb="insured",
        )
        check_coverage(terms, coverage_bps, party_share_bps(terms, "insurer"), "insurer")
        check_rate(
            premium_rate_bps,
            terms.limits.max_premium_bps,
            field="premium_rate",
            what=PREMIUM,
            code=terms.code,
        )
        return cls(
            loan=loan.id,
            loan_reference=loan.reference,
            bank=loan.bank,
            product=loan.product,
            terms_version=loan.terms_version,
            insurer=insurer,
            number=number,
            coverage_bps=coverage_bps,
            premium_rate_bps=premium_rate_bps,
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
        insurer: str,
        number: str,
        coverage_bps: int,
        premium_rate_bps: int,
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
        self.insurer = insurer
        self.number = number
        self.coverage_bps = coverage_bps
        self.premium_rate_bps = premium_rate_bps
        self.principal_fen = principal_fen
        self.term_months = term_months
        self.issued_on = effective_date
        self.state = IN_FORCE
        self.lapsed_on: date | None = None
        self.lapse_reason: str | None = None
        self.premiums_paid_fen = 0
        self.claims_paid_fen = 0
        self.refs = References()

    def issue_differences(
        self, *, insurer: str, number: str, coverage_bps: int, premium_rate_bps: int
    ) -> list[str]:
        """Names the fields in which a repeated issue differs from the first (R14)."""
        given = {
            "insurer": insurer,
            "ref": number,
            "coverage": coverage_bps,
            "premium_rate": premium_rate_bps,
        }
        issued = {
            "insurer": self.insurer,
            "ref": self.number,
            "coverage": self.coverage_bps,
            "premium_rate": self.premium_rate_bps,
        }
        return [name for name, value in given.items() if issued[name] != value]

    @property
    def insured_fen(self) -> int:
        """The principal the policy covers, on which premiums are charged."""
        return covered_fen(self.principal_fen, self.coverage_bps)

    @property
    def premium_allowance_fen(self) -> int:
        """The most the premiums may total: the premium rate on the insured principal (R17)."""
        return rate_allowance_fen(self.insured_fen, self.premium_rate_bps, self.term_months)

    def _check_in_force(self, field: str, rule: str) -> None:
        if self.state == LAPSED:
            raise RuleViolation(rule, field, f"policy {self.number} lapsed on {self.lapsed_on}")

    def pay_premium(self, *, amount_fen: int, ref: str, paid_on: date, actor: Actor) -> bool:
        """Records a premium paid to the insurer; False when `ref` was recorded (R14, R17)."""
        if self.refs.is_repeat(ref, PREMIUM, amount_fen, paid_on):
            return False
        self._check_in_force("policy", "lifecycle")
        check_within_allowance(
            self.premiums_paid_fen,
            amount_fen,
            self.premium_allowance_fen,
            what=PREMIUM,
            basis=allowance_basis(
                self.premium_rate_bps, self.insured_fen, self.term_months, base="insured"
            ),
        )
        self._premium_paid(amount_fen=amount_fen, ref=ref, effective_date=paid_on, actor=actor)
        return True

    @event("PremiumPaid")
    def _premium_paid(self, amount_fen: int, ref: str, effective_date: date, actor: Actor) -> None:
        self.premiums_paid_fen += amount_fen
        self.refs.remember(ref, PREMIUM, amount_fen, effective_date)

    def check_may_claim(self) -> None:
        """Raises unless the policy is in force, so the insurer shares the loss (R7)."""
        self._check_in_force("policy", "R7")

    def pay_claim(
        self,
        *,
        claim: UUID,
        amount_fen: int,
        loss_base_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        """Records the insurer's leg of a claim, within what the policy covers (R9, R16)."""
        if amount_fen <= 0:
            raise InvalidInput("amount", "a claim payment must be positive")
        self._check_in_force("policy", "R9")
        covered = covered_fen(loss_base_fen, self.coverage_bps)
        if self.claims_paid_fen + amount_fen > covered:
            raise RuleViolation(
                "R16",
                "insurer",
                f"the insurer would pay {format_yuan(self.claims_paid_fen + amount_fen)}, more "
                f"than the {format_yuan(covered)} policy {self.number} covers",
            )
        self._claim_paid(
            claim=claim, amount_fen=amount_fen, effective_date=effective_date, actor=actor
        )

    @event("ClaimPaid")
    def _claim_paid(self, claim: UUID, amount_fen: int, effective_date: date, actor: Actor) -> None:
        self.claims_paid_fen += amount_fen

    def reverse_claim_payment(
        self, *, claim: UUID, amount_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        """Takes back the insurer's leg of a claim when that leg was reversed (R9, R13)."""
        check_take_back(amount_fen, self.claims_paid_fen, paid=f"policy {self.number} paid")
        self._claim_payment_reversed(
            claim=claim,
            amount_fen=amount_fen,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )

    @event("ClaimPaymentReversed")
    def _claim_payment_reversed(
        self, claim: UUID, amount_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.claims_paid_fen -= amount_fen

    def lapse(self, *, loan: Loan, reason: str, effective_date: date, actor: Actor) -> bool:
        """Ends the policy before a loss; False when it had already lapsed that day for that
        reason, Conflict naming what differs when it lapsed otherwise (R14)."""
        if self.state == LAPSED:
            if effective_date != self.lapsed_on:
                raise Conflict("date", f"policy {self.number} lapsed on {self.lapsed_on}")
            if reason != self.lapse_reason:
                raise Conflict(
                    "reason",
                    f"policy {self.number} lapsed because {self.lapse_reason!r}, not {reason!r}",
                )
            return False
        if not reason.strip():
            raise InvalidInput("reason", "a lapse needs a reason")
        if loan.id != self.loan:
            raise InvalidInput("loan", f"{loan.reference} is not the insured loan")
        if loan.state == DEFAULTED or self.claims_paid_fen:
            raise RuleViolation(
                "lifecycle",
                "loan",
                f"{loan.reference} is in default; the policy must answer the loss it insures",
            )
        if effective_date < self.issued_on:
            raise InvalidInput("date", f"{effective_date} is before the issue on {self.issued_on}")
        self._lapsed(reason=reason, effective_date=effective_date, actor=actor)
        return True

    @event("Lapsed")
    def _lapsed(self, reason: str, effective_date: date, actor: Actor) -> None:
        self.state = LAPSED
        self.lapsed_on = effective_date
        self.lapse_reason = reason
