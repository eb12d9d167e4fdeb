"""Loans registered by a bank under a product, from registration to payoff or default."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import loan_id
from domain.money import format_yuan
from domain.references import References
from domain.terms import ProductTerms

REGISTERED = "registered"
ACTIVE = "active"
PAID_OFF = "paid_off"
DEFAULTED = "defaulted"


class Loan(Aggregate):
    """A loan known by its bank and the bank's own reference for it."""

    @staticmethod
    def create_id(bank: str, reference: str) -> UUID:
        return loan_id(bank, reference)

    @classmethod
    def register(
        cls,
        *,
        bank: str,
        reference: str,
        enterprise: str,
        terms: ProductTerms,
        terms_version: int,
        principal_fen: int,
        annual_rate_bps: int,
        term_months: int,
        start_date: date,
        first_loan: bool,
        pure_credit: bool,
        actor: Actor,
    ) -> Loan:
        """Returns a newly registered loan after checking it against the product's limits."""
        if not reference.strip():
            raise InvalidInput("reference", "the bank's loan reference is required")
        if principal_fen <= 0:
            raise InvalidInput("principal", "must be positive")
        if not 0 < annual_rate_bps < 10_000:
            raise InvalidInput("rate", "an annual rate must be above 0% and below 100%")
        if term_months <= 0:
            raise InvalidInput("term", "must be at least one month")
        if terms.max_principal_fen is not None and principal_fen > terms.max_principal_fen:
            raise RuleViolation(
                "R2",
                "principal",
                f"{format_yuan(principal_fen)} exceeds {terms.code}'s per-loan cap "
                f"of {format_yuan(terms.max_principal_fen)}",
            )
        if terms.max_term_months is not None and term_months > terms.max_term_months:
            raise RuleViolation(
                "R2",
                "term",
                f"{term_months} months exceeds {terms.code}'s maximum of {terms.max_term_months}",
            )
        return cls(
            bank=bank,
            reference=reference,
            enterprise=enterprise,
            product=terms.code,
            terms_version=terms_version,
            principal_fen=principal_fen,
            annual_rate_bps=annual_rate_bps,
            term_months=term_months,
            start_date=start_date,
            first_loan=first_loan,
            pure_credit=pure_credit,
            effective_date=start_date,
            actor=actor,
        )

    @event("Registered")
    def __init__(
        self,
        bank: str,
        reference: str,
        enterprise: str,
        product: str,
        terms_version: int,
        principal_fen: int,
        annual_rate_bps: int,
        term_months: int,
        start_date: date,
        first_loan: bool,
        pure_credit: bool,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.bank = bank
        self.reference = reference
        self.enterprise = enterprise
        self.product = product
        self.terms_version = terms_version
        self.principal_fen = principal_fen
        self.annual_rate_bps = annual_rate_bps
        self.term_months = term_months
        self.start_date = start_date
        self.first_loan = first_loan
        self.pure_credit = pure_credit
        self.state = REGISTERED
        self.disbursed_fen = 0
        self.principal_repaid_fen = 0
        self.interest_repaid_fen = 0
        self.default_date: date | None = None
        self.outstanding_at_default_fen = 0
        self.open_claim: UUID | None = None
        self.refs = References()

    def registration_differences(
        self,
        *,
        enterprise: str,
        product: str,
        principal_fen: int,
        annual_rate_bps: int,
        term_months: int,
        start_date: date,
        first_loan: bool,
        pure_credit: bool,
    ) -> list[str]:
        """Names the fields in which a repeated registration differs from the first (R14)."""
        given = {
            "uscc": enterprise,
            "product": product,
            "principal": principal_fen,
            "rate": annual_rate_bps,
            "term": term_months,
            "start": start_date,
            "first_loan": first_loan,
            "pure_credit": pure_credit,
        }
        registered = {
            "uscc": self.enterprise,
            "product": self.product,
            "principal": self.principal_fen,
            "rate": self.annual_rate_bps,
            "term": self.term_months,
            "start": self.start_date,
            "first_loan": self.first_loan,
            "pure_credit": self.pure_credit,
        }
        return [name for name, value in given.items() if registered[name] != value]

    @property
    def outstanding_fen(self) -> int:
        """Principal disbursed and not yet repaid."""
        return self.disbursed_fen - self.principal_repaid_fen

    @property
    def exposure_fen(self) -> int:
        """Principal the borrower owes or may still draw: what counts against its caps (R2)."""
        return 0 if self.state == PAID_OFF else self.principal_fen - self.principal_repaid_fen

    def _check_on_or_after_start(self, field: str, day: date) -> None:
        if day < self.start_date:
            raise InvalidInput(field, f"{day} is before the loan's start date {self.start_date}")

    def disburse(self, *, amount_fen: int, value_date: date, ref: str, actor: Actor) -> bool:
        """Records money paid out to the borrower; False when `ref` was already recorded."""
        if self.refs.is_repeat(ref, "disburse", amount_fen, value_date):
            return False
        if self.state not in (REGISTERED, ACTIVE):
            raise RuleViolation("lifecycle", "loan", f"a {self.state} loan cannot be disbursed")
        if amount_fen <= 0:
            raise InvalidInput("amount", "must be positive")
        if self.disbursed_fen + amount_fen > self.principal_fen:
            raise InvalidInput(
                "amount",
                f"disbursing {format_yuan(amount_fen)} would exceed the principal "
                f"{format_yuan(self.principal_fen)} ({format_yuan(self.disbursed_fen)} disbursed)",
            )
        self._check_on_or_after_start("date", value_date)
        self._disbursed(amount_fen=amount_fen, effective_date=value_date, ref=ref, actor=actor)
        return True

    @event("Disbursed")
    def _disbursed(self, amount_fen: int, effective_date: date, ref: str, actor: Actor) -> None:
        self.disbursed_fen += amount_fen
        self.state = ACTIVE
        self.refs.remember(ref, "disburse", amount_fen, effective_date)

    def repay(
        self,
        *,
        principal_fen: int,
        interest_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> bool:
        """Records a repayment of principal and interest; pays the loan off when nothing is left."""
        if self.refs.is_repeat(ref, "repay", principal_fen, interest_fen, value_date):
            return False
        if self.state != ACTIVE:
            raise RuleViolation("lifecycle", "loan", f"a {self.state} loan cannot take repayments")
        if principal_fen < 0 or interest_fen < 0 or principal_fen + interest_fen == 0:
            raise InvalidInput("amount", "a repayment must pay some principal or interest")
        if principal_fen > self.outstanding_fen:
            raise InvalidInput(
                "principal",
                f"{format_yuan(principal_fen)} is more than the outstanding "
                f"{format_yuan(self.outstanding_fen)}",
            )
        self._check_on_or_after_start("date", value_date)
        self._repaid(
            principal_fen=principal_fen,
            interest_fen=interest_fen,
            effective_date=value_date,
            ref=ref,
            actor=actor,
        )
        if self.outstanding_fen == 0 and self.disbursed_fen == self.principal_fen:
            self._paid_off(effective_date=value_date, actor=actor)
        return True

    @event("RepaymentReceived")
    def _repaid(
        self, principal_fen: int, interest_fen: int, effective_date: date, ref: str, actor: Actor
    ) -> None:
        self.principal_repaid_fen += principal_fen
        self.interest_repaid_fen += interest_fen
        self.refs.remember(ref, "repay", principal_fen, interest_fen, effective_date)

    @event("PaidOff")
    def _paid_off(self, effective_date: date, actor: Actor) -> None:
        self.state = PAID_OFF

    def declare_default(self, *, default_date: date, reason: str, actor: Actor) -> bool:
        """Records the bank's declaration of default (R6); False when already declared that day."""
        if self.state == DEFAULTED and self.default_date == default_date:
            return False
        if self.state != ACTIVE:
            raise RuleViolation("R6", "loan", f"a {self.state} loan cannot default")
        if not reason.strip():
            raise InvalidInput("reason", "a declared default needs a reason")
        self._check_on_or_after_start("date", default_date)
        self._defaulted(
            outstanding_fen=self.outstanding_fen,
            reason=reason,
            effective_date=default_date,
            actor=actor,
        )
        return True

    @event("Defaulted")
    def _defaulted(
        self, outstanding_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.state = DEFAULTED
        self.default_date = effective_date
        self.outstanding_at_default_fen = outstanding_fen

    def open_claim_for(self, *, claim: UUID, effective_date: date, actor: Actor) -> None:
        """Marks `claim` as the loan's one open claim (R7)."""
        if self.state != DEFAULTED:
            raise RuleViolation("R7", "loan", f"a {self.state} loan is not in default")
        if self.open_claim is not None:
            raise RuleViolation("R7", "loan", "the loan already has an open claim")
        self._claim_opened(claim=claim, effective_date=effective_date, actor=actor)

    @event("ClaimOpened")
    def _claim_opened(self, claim: UUID, effective_date: date, actor: Actor) -> None:
        self.open_claim = claim

    def close_claim(self, *, claim: UUID, effective_date: date, actor: Actor) -> None:
        """Frees the loan for a new claim after `claim` was rejected."""
        if self.open_claim == claim:
            self._claim_closed(claim=claim, effective_date=effective_date, actor=actor)

    @event("ClaimClosed")
    def _claim_closed(self, claim: UUID, effective_date: date, actor: Actor) -> None:
        self.open_claim = None
