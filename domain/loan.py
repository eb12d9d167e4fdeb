"""Loans registered by a bank under a product, from registration to payoff or default."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import arrears
from domain.actor import Actor
from domain.classification import NORMAL
from domain.corrections import Reversals, check_reason
from domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from domain.ids import loan_id
from domain.money import format_yuan
from domain.references import References
from domain.registration import check_registration
from domain.repayment import Allocation, Repayment, Statement, statement, waterfall
from domain.schedule import (
    INTEREST_ONLY,
    Draw,
    Instalment,
    maturity_date,
)
from domain.terms import Classification, ProductTerms

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
        annual_revenue_fen: int | None = None,
        schedule: str = INTEREST_ONLY,
        interest_every_months: int = 1,
    ) -> Loan:
        """Returns a newly registered loan after checking it against the product's limits.

        `annual_revenue_fen`, the enterprise's annual revenue when known, picks the tier of
        shares its losses are split by (R8).
        """
        check_registration(
            terms,
            reference=reference,
            principal_fen=principal_fen,
            annual_rate_bps=annual_rate_bps,
            term_months=term_months,
            annual_revenue_fen=annual_revenue_fen,
            schedule=schedule,
            interest_every_months=interest_every_months,
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
            annual_revenue_fen=annual_revenue_fen,
            schedule=schedule,
            interest_every_months=interest_every_months,
        )

    class Registered(Aggregate.Created):
        """A bank registered the loan. Version 2 added revenue (R8 tiers) and the schedule (R12)."""

        class_version = 2
        bank: str
        reference: str
        enterprise: str
        product: str
        terms_version: int
        principal_fen: int
        annual_rate_bps: int
        term_months: int
        start_date: date
        first_loan: bool
        pure_credit: bool
        effective_date: date
        actor: Actor
        annual_revenue_fen: int | None
        schedule: str
        interest_every_months: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Registrations stored before version 2: revenue unknown, monthly 先息后本."""
            state["annual_revenue_fen"] = None
            state["schedule"] = INTEREST_ONLY
            state["interest_every_months"] = 1

    @event(Registered)
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
        annual_revenue_fen: int | None,
        schedule: str,
        interest_every_months: int,
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
        self.annual_revenue_fen = annual_revenue_fen
        self.state = REGISTERED
        self.disbursed_fen = 0
        self.principal_repaid_fen = 0
        self.interest_repaid_fen = 0
        self.default_date: date | None = None
        self.default_reason: str | None = None
        self.outstanding_at_default_fen = 0
        self.written_off_fen = 0
        self.written_off_on: date | None = None
        self.written_off_reason: str | None = None
        self.open_claim: UUID | None = None
        # The claim last rejected, to answer the same rejection sent again (R14).
        self.rejected_claim: UUID | None = None
        self.refs = References()
        self.schedule_kind = schedule
        self.interest_every_months = interest_every_months
        self.disbursements: list[Draw] = []
        self.repayments: list[Repayment] = []
        # Every repayment by the bank's reference, reversed or not; a reversed one leaves
        # `repayments`, so the schedule, arrears and class no longer count it (R13).
        self.repayments_by_ref: dict[str, Repayment] = {}
        self.reversals = Reversals()
        self.allocations: dict[str, Allocation] = {}
        self.classification = NORMAL
        self.paid_off_on: date | None = None

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
        annual_revenue_fen: int | None = None,
        schedule: str = INTEREST_ONLY,
        interest_every_months: int = 1,
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
            "revenue": annual_revenue_fen,
            "schedule": schedule,
            "interest_every": interest_every_months,
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
            "revenue": self.annual_revenue_fen,
            "schedule": self.schedule_kind,
            "interest_every": self.interest_every_months,
        }
        return [name for name, value in given.items() if registered[name] != value]

    @property
    def outstanding_fen(self) -> int:
        """Principal disbursed and neither repaid nor written off."""
        return self.disbursed_fen - self.principal_repaid_fen - self.written_off_fen

    @property
    def exposure_fen(self) -> int:
        """Principal the borrower owes or may still draw: what counts against its caps (R2)."""
        return 0 if self.state == PAID_OFF else self.principal_fen - self.principal_repaid_fen

    @property
    def maturity_date(self) -> date:
        """The day the last instalment falls due."""
        return maturity_date(self.start_date, self.term_months)

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
        if value_date >= self.maturity_date:
            # No instalment is left to repay it by: the schedule ends at maturity (R12).
            raise InvalidInput(
                "date", f"{value_date} is on or after the loan's maturity {self.maturity_date}"
            )
        self._disbursed(amount_fen=amount_fen, effective_date=value_date, ref=ref, actor=actor)
        return True

    @event("Disbursed")
    def _disbursed(self, amount_fen: int, effective_date: date, ref: str, actor: Actor) -> None:
        self.disbursed_fen += amount_fen
        self.state = ACTIVE
        self.refs.remember(ref, "disburse", amount_fen, effective_date)
        self.disbursements.append(Draw(effective_date, amount_fen))

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

    def receive_payment(
        self, *, amount_fen: int, value_date: date, ref: str, actor: Actor
    ) -> tuple[Allocation, bool]:
        """Applies one amount by the waterfall (R12); returns how, and False for a repeat."""
        if self.refs.is_repeat(ref, "pay", amount_fen, value_date):
            return self.allocations[ref], False
        if self.state != ACTIVE:
            raise RuleViolation("lifecycle", "loan", f"a {self.state} loan cannot take repayments")
        if amount_fen <= 0:
            raise InvalidInput("amount", "must be positive")
        self._check_on_or_after_start("date", value_date)
        last = max((r.value_date for r in self.repayments), default=value_date)
        if value_date < last:
            raise InvalidInput(
                "date",
                f"{value_date} is before the last repayment on {last}; give an earlier "
                "repayment's principal and interest explicitly",
            )
        owed = self.statement_on(value_date)
        if amount_fen > owed.payoff_fen:
            raise RuleViolation(
                "R12",
                "amount",
                f"{format_yuan(amount_fen)} is more than everything owed on {value_date}: "
                f"{format_yuan(owed.payoff_fen)} (interest "
                f"{format_yuan(owed.overdue_interest_fen + owed.current_interest_fen)}, "
                f"principal {format_yuan(owed.outstanding_fen)})",
            )
        allocation = waterfall(owed, amount_fen)
        self._repaid(
            principal_fen=allocation.principal_fen,
            interest_fen=allocation.interest_fen,
            effective_date=value_date,
            ref=ref,
            actor=actor,
            allocation=allocation.to_record(),
        )
        if self.outstanding_fen == 0 and self.disbursed_fen == self.principal_fen:
            self._paid_off(effective_date=value_date, actor=actor)
        return allocation, True

    @event("RepaymentReceived")
    def _repaid(
        self,
        principal_fen: int,
        interest_fen: int,
        effective_date: date,
        ref: str,
        actor: Actor,
        allocation: dict[str, int] | None = None,  # the waterfall's parts; None when explicit
    ) -> None:
        self.principal_repaid_fen += principal_fen
        self.interest_repaid_fen += interest_fen
        repayment = Repayment(effective_date, principal_fen, interest_fen)
        self.repayments.append(repayment)
        self.repayments_by_ref[ref] = repayment
        if allocation is None:
            self.refs.remember(ref, "repay", principal_fen, interest_fen, effective_date)
        else:
            self.refs.remember(ref, "pay", principal_fen + interest_fen, effective_date)
            self.allocations[ref] = Allocation.from_record(allocation)

    @event("PaidOff")
    def _paid_off(self, effective_date: date, actor: Actor) -> None:
        self.state = PAID_OFF
        self.paid_off_on = effective_date

    def reverse_repayment(
        self, *, ref: str, reason: str, effective_date: date, actor: Actor
    ) -> tuple[Repayment, bool]:
        """Undoes the repayment recorded under `ref`; returns it, and False for a repeat (R13).

        Its principal is outstanding and its interest unpaid again, as if it had never been
        received; a loan it had paid off is active again.
        """
        check_reason(reason)
        repayment = self.repayments_by_ref.get(ref)
        if repayment is None:
            raise NotFound("ref", f"{self.reference} has no repayment {ref!r}")
        if self.reversals.is_repeat(ref, reason, effective_date):
            return repayment, False
        if self.state not in (ACTIVE, PAID_OFF):
            raise RuleViolation(
                "R13",
                "loan",
                f"{self.reference} is {self.state}: its loss was fixed on the repayments it had",
            )
        if effective_date < repayment.value_date:
            raise InvalidInput(
                "date",
                f"{effective_date} is before the repayment's value date {repayment.value_date}",
            )
        self._repayment_reversed(
            ref=ref,
            principal_fen=repayment.principal_fen,
            interest_fen=repayment.interest_fen,
            value_date=repayment.value_date,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
        if self.state == PAID_OFF and self.outstanding_fen > 0:
            self._reactivated(reason=reason, effective_date=effective_date, actor=actor)
        return repayment, True

    @event("RepaymentReversed")
    def _repayment_reversed(
        self,
        ref: str,
        principal_fen: int,
        interest_fen: int,
        value_date: date,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.principal_repaid_fen -= principal_fen
        self.interest_repaid_fen -= interest_fen
        self.repayments.remove(self.repayments_by_ref[ref])
        self.reversals.remember(ref, reason, effective_date)

    @event("Reactivated")
    def _reactivated(self, reason: str, effective_date: date, actor: Actor) -> None:
        self.state = ACTIVE
        self.paid_off_on = None

    # -- arrears: schedule, days past due, class (R5, R6, R12) ----------------------------------

    def schedule_on(self, as_of: date) -> tuple[Instalment, ...]:
        """Returns the schedule of the tranches disbursed by `as_of`, each repaid over the
        periods after its value date and charged interest from it (R12)."""
        return arrears.schedule_on(
            self.disbursements,
            as_of,
            annual_rate_bps=self.annual_rate_bps,
            term_months=self.term_months,
            start_date=self.start_date,
            kind=self.schedule_kind,
            interest_every_months=self.interest_every_months,
        )

    def statement_on(self, as_of: date) -> Statement:
        """Returns what is paid, overdue and current on `as_of`, by repayments valued by then."""
        return statement(self.schedule_on(as_of), self.annual_rate_bps, self.repayments, as_of)

    def days_past_due(self, as_of: date) -> int:
        """Days since the oldest unpaid instalment fell due on `as_of`; 0 once paid off (R5)."""
        if arrears.paid_off_by(self.paid_off_on, as_of):
            return 0
        return self.statement_on(as_of).days_past_due

    def classify(self, *, as_of: date, bounds: Classification, actor: Actor) -> bool:
        """Records the loan's class on `as_of` only when it changed (R5); True when it did."""
        if self.state == REGISTERED:
            return False
        days = self.days_past_due(as_of)
        new_class = arrears.class_change(days, bounds, self.classification)
        if new_class is None:
            return False
        self._classified(
            old_class=self.classification,
            new_class=new_class,
            days_past_due=days,
            outstanding_fen=self.outstanding_fen,
            effective_date=as_of,
            actor=actor,
        )
        return True

    @event("Classified")
    def _classified(
        self,
        old_class: str,
        new_class: str,
        days_past_due: int,
        outstanding_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.classification = new_class

    def default_when_overdue(self, *, as_of: date, default_days: int, actor: Actor) -> bool:
        """Puts an active loan `default_days` past due in default (R6); True when it did.

        The default date is the day the arrears reached the threshold: `as_of` itself when
        every business day is closed, earlier when days were missed.
        """
        if self.state != ACTIVE:
            return False
        default_date = arrears.overdue_default_date(self.statement_on(as_of), default_days)
        if default_date is None:
            return False
        self._defaulted(
            outstanding_fen=self.outstanding_fen,
            reason=f"逾期{default_days}天",
            effective_date=default_date,
            actor=actor,
        )
        return True

    def declare_default(self, *, default_date: date, reason: str, actor: Actor) -> bool:
        """Records the bank's declaration of default (R6); False when the same default (day
        and reason) is already recorded, Conflict naming what differs when another is (R14)."""
        if self.state == DEFAULTED and self.default_date == default_date:
            if reason != self.default_reason:
                raise Conflict(
                    "reason",
                    f"{self.reference} defaulted on {self.default_date} because "
                    f"{self.default_reason!r}, not {reason!r}",
                )
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
        self.default_reason = reason
        self.outstanding_at_default_fen = outstanding_fen

    def interest_unpaid_at_default_fen(self) -> int:
        """The interest fallen due by the default date and not paid then (欠息), from the
        loan's statement on that date; 0 for a loan not in default."""
        if self.default_date is None:
            return 0
        return arrears.interest_unpaid_by(self.statement_on(self.default_date), self.default_date)

    def loss_base_fen(self, *, covers_interest: bool) -> int:
        """What a claim on the loan may recover (R7): the principal outstanding at default,
        plus the interest unpaid then when the product covers interest."""
        interest = self.interest_unpaid_at_default_fen() if covers_interest else 0
        return self.outstanding_at_default_fen + interest

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
        self.rejected_claim = claim

    def write_off(self, *, effective_date: date, reason: str, actor: Actor) -> bool:
        """Writes off (核销) what a defaulted loan still owes; False when the same write-off
        (day and reason) is already recorded, Conflict naming what differs when another is.

        The loan leaves the outstanding and NPL figures; money recovered later still goes
        through its claim.
        """
        if self.written_off_on is not None:
            if effective_date != self.written_off_on:
                raise Conflict("date", f"{self.reference} was written off on {self.written_off_on}")
            if reason != self.written_off_reason:
                raise Conflict(
                    "reason",
                    f"{self.reference} was written off because {self.written_off_reason!r}, "
                    f"not {reason!r}",
                )
            return False
        if self.state != DEFAULTED or self.default_date is None:
            raise RuleViolation("lifecycle", "loan", f"a {self.state} loan cannot be written off")
        if not reason.strip():
            raise InvalidInput("reason", "a write-off needs a reason")
        if effective_date < self.default_date:
            raise InvalidInput(
                "date", f"{effective_date} is before the default on {self.default_date}"
            )
        self._written_off(
            amount_fen=self.outstanding_fen,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("WrittenOff")
    def _written_off(
        self, amount_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.written_off_fen += amount_fen
        self.written_off_on = effective_date
        self.written_off_reason = reason
