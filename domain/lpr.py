"""The one-year loan prime rate (LPR) as published, kept as history so rate caps can use it (R2)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import LPR_HISTORY_ID
from domain.money import format_bps

LPR_ID = LPR_HISTORY_ID


class LprHistory(Aggregate):
    """Every 1-year LPR fixing with the date it took effect."""

    @staticmethod
    def create_id() -> UUID:
        return LPR_ID

    @classmethod
    def start(cls, actor: Actor) -> LprHistory:
        return cls(actor=actor)

    @event("Started")
    def __init__(self, actor: Actor) -> None:
        # Keyed by the ISO date each fixing took effect, as snapshots are JSON.
        self.fixings: dict[str, int] = {}

    def set_rate(self, *, effective_from: date, rate_bps: int, actor: Actor) -> bool:
        """Records a fixing; False when the same fixing was recorded before."""
        if not 0 < rate_bps < 10_000:
            raise InvalidInput("rate", "an LPR must be above 0% and below 100%")
        recorded = self.fixings.get(effective_from.isoformat())
        if recorded == rate_bps:
            return False
        if recorded is not None:
            raise RuleViolation(
                "R2",
                "date",
                f"the LPR from {effective_from} is already {format_bps(recorded)}; "
                "a published fixing is not changed",
            )
        self._rate_set(effective_date=effective_from, rate_bps=rate_bps, actor=actor)
        return True

    @event("RateSet")
    def _rate_set(self, effective_date: date, rate_bps: int, actor: Actor) -> None:
        self.fixings[effective_date.isoformat()] = rate_bps

    def rate_on(self, day: date) -> int | None:
        """The LPR in force on `day`: the latest fixing on or before it, None before any."""
        # ISO dates order as the days do.
        in_force = [fixed for fixed in self.fixings if fixed <= day.isoformat()]
        return self.fixings[max(in_force)] if in_force else None
