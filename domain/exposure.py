"""A product's covered outstanding principal, kept so leverage (R3) is checked atomically.

Every registration adds its principal, every principal repayment and every approved loss
takes its part off. The registration is saved together with this aggregate, so two
registrations racing for the last headroom conflict and the loser is rerun on fresh state:
the product can never overshoot its leverage.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.ids import exposure_id
from domain.money import format_yuan


class Exposure(Aggregate):
    """The covered outstanding principal of one product's loans."""

    @staticmethod
    def create_id(product: str) -> UUID:
        return exposure_id(product)

    @classmethod
    def open(cls, *, product: str, effective_date: date, actor: Actor) -> Exposure:
        return cls(product=product, effective_date=effective_date, actor=actor)

    @event("Opened")
    def __init__(self, product: str, effective_date: date, actor: Actor) -> None:
        self.product = product
        self.covered_fen = 0

    def check_headroom(
        self, *, principal_fen: int, multiple: int | None, pool_funds_fen: int
    ) -> None:
        """Raises when covering `principal_fen` more would exceed `multiple` × the pools' funds."""
        if multiple is None:
            return
        limit = multiple * pool_funds_fen
        if self.covered_fen + principal_fen > limit:
            raise RuleViolation(
                "R3",
                "principal",
                f"{self.product} would cover {format_yuan(self.covered_fen + principal_fen)}, "
                f"above {multiple}× its pools' funds of {format_yuan(pool_funds_fen)} "
                f"({format_yuan(limit)})",
            )

    def cover(self, *, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        """Adds a newly registered loan's principal."""
        self._covered(
            loan=loan, principal_fen=principal_fen, effective_date=effective_date, actor=actor
        )

    @event("Covered")
    def _covered(self, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        self.covered_fen += principal_fen

    def reduce(self, *, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        """Takes principal off: repaid by the borrower, or a loss fixed by an approved claim."""
        if principal_fen > 0:
            self._reduced(
                loan=loan, principal_fen=principal_fen, effective_date=effective_date, actor=actor
            )

    @event("Reduced")
    def _reduced(self, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        self.covered_fen -= principal_fen
