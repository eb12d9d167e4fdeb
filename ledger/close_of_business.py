"""Close of business: each open loan classified (R5) and defaulted past its threshold (R6);
then the circuit breaker (R4) judges every product on the same loans' figures.

`close_business_day` runs once per business date and is idempotent for it: the business
calendar records the day as closed, so a rerun writes nothing. Loans are reviewed in
batches, each saved atomically on its own, so a conflict with a clerk's repayment reruns
one batch, not the day; a run cut short is finished by the next one, which finds the loans
already reviewed unchanged.

Which loans to review is read from the notification log by topic (registrations, payoffs,
class changes) rather than from a per-product list of loans: such a list would be one
aggregate written by every registration under the product (contention on the busiest
path, and an ever longer history to load), while the log is the ledger's one ordering
point and needs no projection to be up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.actor import Actor
from domain.business_calendar import BusinessCalendar
from domain.classification import NORMAL
from domain.loan import Loan
from domain.suspension import LoanStanding
from ledger.session import SessionBase
from ledger.suspension import products_defined

if TYPE_CHECKING:
    from ledger.app import RiskLedger, Session

BATCH = 200
PAGE = 1000
_REGISTERED = get_topic(Loan.Registered)
_PAID_OFF = get_topic(Loan.PaidOff)
_CLASSIFIED = get_topic(Loan.Classified)
# A reversed repayment makes a paid-off loan active again (R13): it is reviewed once more.
_REACTIVATED = get_topic(Loan.Reactivated)


@dataclass(frozen=True, slots=True)
class DayClose:
    """What closing one business day did; `closed_now` is False when it was closed before."""

    business_date: date
    closed_now: bool
    loans_reviewed: int = 0
    loans_classified: int = 0
    loans_defaulted: int = 0
    # What the circuit breaker changed (R4), one line each: "SKD: ICBC suspended (...)".
    breakers: tuple[str, ...] = ()


class CloseOfBusinessCommands(SessionBase):
    """The scheduler's commands: review loans on a date, close the day on the calendar."""

    def business_calendar(self, effective_date: date, actor: Actor) -> BusinessCalendar:
        """The ledger's business calendar, opened with the first day closed."""
        found = self._find(BusinessCalendar, BusinessCalendar.create_id())
        if found is None:
            found = self._add(BusinessCalendar.open(effective_date=effective_date, actor=actor))
        return found

    def last_closed_day(self) -> date | None:
        """The last business day closed, or None before the first."""
        found = self._find(BusinessCalendar, BusinessCalendar.create_id())
        return None if found is None else found.last_closed

    def day_to_close(self, business_date: date) -> bool:
        """False when `business_date` is closed already; raises when a later day is (R5)."""
        found = self._find(BusinessCalendar, BusinessCalendar.create_id())
        if found is None:
            return True
        found.check_may_close(business_date)
        return not found.is_closed(business_date)

    def review_loans(self, loans: Sequence[UUID], as_of: date, actor: Actor) -> tuple[int, int]:
        """Defaults and classifies each loan on `as_of`; returns how many of each it recorded."""
        classified = defaulted = 0
        for loan_id in loans:
            loan = self._find(Loan, loan_id)
            if loan is None:
                continue
            terms = self.product(loan.product).terms_version(loan.terms_version)
            defaulted += loan.default_when_overdue(
                as_of=as_of, default_days=terms.default_days, actor=actor
            )
            classified += loan.classify(as_of=as_of, bounds=terms.classification, actor=actor)
        return classified, defaulted

    def close_day(self, closing: DayClose, actor: Actor) -> bool:
        """Records the day closed on the calendar; False when another run closed it first."""
        return self.business_calendar(closing.business_date, actor).close(
            business_date=closing.business_date,
            loans_reviewed=closing.loans_reviewed,
            loans_classified=closing.loans_classified,
            loans_defaulted=closing.loans_defaulted,
            actor=actor,
        )


def loans_to_review(ledger: RiskLedger) -> list[UUID]:
    """Returns, in order of registration, every loan not paid off, and every paid-off loan
    whose last class is not normal (its payoff returns it to normal)."""
    registered: dict[UUID, None] = {}
    paid_off: set[UUID] = set()
    last_class: dict[UUID, str] = {}
    start = 1
    while True:
        page = ledger.recorder.select_notifications(
            start=start, limit=PAGE, topics=(_REGISTERED, _PAID_OFF, _CLASSIFIED, _REACTIVATED)
        )
        for notification in page:
            loan = notification.originator_id
            if notification.topic == _REGISTERED:
                registered[loan] = None
            elif notification.topic == _PAID_OFF:
                paid_off.add(loan)
            elif notification.topic == _REACTIVATED:
                paid_off.discard(loan)
            else:
                classified = ledger.mapper.to_domain_event(notification)
                last_class[loan] = classified.new_class
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return [
        loan
        for loan in registered
        if loan not in paid_off or last_class.get(loan, NORMAL) != NORMAL
    ]


def close_business_day(
    ledger: RiskLedger, as_of: date, actor: Actor, *, batch_size: int = BATCH
) -> DayClose:
    """Closes `as_of`: classifies every open loan and defaults those past the threshold.

    Idempotent for its date: a day closed already returns `closed_now=False` and writes
    nothing; a day before the last closed one is refused (R5).
    """
    if not ledger.transact(lambda s: s.day_to_close(as_of)):
        return DayClose(as_of, closed_now=False)
    loans = loans_to_review(ledger)
    classified = defaulted = 0
    standings: list[LoanStanding] = []
    for first in range(0, len(loans), batch_size):
        batch = loans[first : first + batch_size]
        # The loans just reviewed, already loaded, give the circuit breaker its figures.
        (batch_classified, batch_defaulted), batch_standings = ledger.transact(
            lambda s, batch=batch: (
                s.review_loans(batch, as_of, actor),
                s.loan_standings(batch, as_of),
            )
        )
        classified += batch_classified
        defaulted += batch_defaulted
        standings.extend(batch_standings)
    closing = DayClose(as_of, True, len(loans), classified, defaulted)
    products = products_defined(ledger)

    def finish(s: Session) -> tuple[list[str], bool]:
        # The verdicts and the day's close are saved together: a rerun finds both or neither.
        if not s.day_to_close(as_of):
            return [], False
        breakers = s.trip_breakers(products, standings, as_of, actor)
        return breakers, s.close_day(closing, actor)

    breakers, closed_now = ledger.transact(finish)
    if not closed_now:
        return DayClose(as_of, closed_now=False)
    return replace(closing, breakers=tuple(breakers))
