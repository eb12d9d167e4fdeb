"""The business days the ledger has closed: loans are classified and defaulted once per day."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.ids import calendar_id


class BusinessCalendar(Aggregate):
    """The ledger's one calendar of closed business days, closed in order, each once."""

    @staticmethod
    def create_id() -> UUID:
        return calendar_id()

    @classmethod
    def open(cls, *, effective_date: date, actor: Actor) -> BusinessCalendar:
        """Returns the calendar, opened when the first business day is closed."""
        return cls(effective_date=effective_date, actor=actor)

    @event("Opened")
    def __init__(self, effective_date: date, actor: Actor) -> None:
        self.last_closed: date | None = None
        self.days_closed = 0

    def is_closed(self, business_date: date) -> bool:
        """True when `business_date` was closed already."""
        return self.last_closed == business_date

    def check_may_close(self, business_date: date) -> None:
        """Raises when a later day is already closed: days close in order (R5, R6)."""
        if self.last_closed is not None and business_date < self.last_closed:
            raise RuleViolation(
                "R5",
                "date",
                f"business days close in order and {self.last_closed} is already closed",
            )

    def close(
        self,
        *,
        business_date: date,
        loans_reviewed: int,
        loans_classified: int,
        loans_defaulted: int,
        actor: Actor,
    ) -> bool:
        """Records the close of `business_date` with what it did; False when already closed."""
        if self.is_closed(business_date):
            return False
        self.check_may_close(business_date)
        self._day_closed(
            loans_reviewed=loans_reviewed,
            loans_classified=loans_classified,
            loans_defaulted=loans_defaulted,
            effective_date=business_date,
            actor=actor,
        )
        return True

    @event("BusinessDayClosed")
    def _day_closed(
        self,
        loans_reviewed: int,
        loans_classified: int,
        loans_defaulted: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.last_closed = effective_date
        self.days_closed += 1
