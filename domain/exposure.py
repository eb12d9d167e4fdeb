"""A product's covered outstanding principal, kept so leverage (R3) is checked atomically.

Every registration adds its whole principal, disbursed or not: the pools stand behind the
commitment, and a bank may draw an undisbursed loan down at any time. Every principal
repayment and every approved loss takes its part off. The registration is saved together
with this aggregate, so two registrations racing for the last headroom conflict and the
loser is rerun on fresh state: the product can never overshoot its leverage.

It also keeps the two running totals of the product's compensation rate (R4): principal
ever covered, and principal compensated by approved claims.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.ids import exposure_id
from domain.money import format_yuan
from domain.terms import POOL_PARTIES, ProductTerms


def leverage_multiple(terms: ProductTerms) -> int | None:
    """Returns the multiple R3 holds the product to; None when no pool shares its losses.

    Leverage is a multiple of the pools' funds: a product whose losses no pool shares (an
    insured product split between insurer and bank) has nothing to lever.
    """
    shares = [terms.shares, *(tier.shares for tier in terms.tiers)]
    if not any(party in POOL_PARTIES for parts in shares for party, _ in parts):
        return None
    return terms.leverage_multiple


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
        self.registered_fen = 0
        self.compensated_fen = 0
        # Loan id (hex) -> [day its claim was approved, principal compensated]: once per loan.
        # A list, not a tuple, as snapshots are JSON and give lists back.
        self.compensations: dict[str, list[Any]] = {}
        # Loan id (hex) -> day written off, for loans written off before any claim was
        # approved: their principal is off already. A dict, as snapshots are JSON.
        self.written_off: dict[str, date] = {}

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
                f"{self.product} covers {format_yuan(self.covered_fen)} already; with "
                f"{format_yuan(principal_fen)} more it would cover "
                f"{format_yuan(self.covered_fen + principal_fen)}, above {multiple}× its pools' "
                f"funds of {format_yuan(pool_funds_fen)} ({format_yuan(limit)}); "
                f"{format_yuan(max(limit - self.covered_fen, 0))} of headroom is left",
            )

    def cover(self, *, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        """Adds a newly registered loan's principal."""
        self._covered(
            loan=loan, principal_fen=principal_fen, effective_date=effective_date, actor=actor
        )

    @event("Covered")
    def _covered(self, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        self.covered_fen += principal_fen
        self.registered_fen += principal_fen

    def reduce(self, *, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        """Takes principal the borrower repaid off (an approved loss goes by `compensate`)."""
        if principal_fen > 0:
            self._reduced(
                loan=loan, principal_fen=principal_fen, effective_date=effective_date, actor=actor
            )

    @event("Reduced")
    def _reduced(self, loan: UUID, principal_fen: int, effective_date: date, actor: Actor) -> None:
        self.covered_fen -= principal_fen

    def restore(
        self, *, loan: UUID, principal_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        """Puts back principal a reversed repayment had taken off (R13); never headroom-checked,
        since the loan was covered all along."""
        if principal_fen > 0:
            self._restored(
                loan=loan,
                principal_fen=principal_fen,
                reason=reason,
                effective_date=effective_date,
                actor=actor,
            )

    @event("Restored")
    def _restored(
        self, loan: UUID, principal_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.covered_fen += principal_fen

    def compensate(
        self,
        *,
        loan: UUID,
        remaining_fen: int,
        compensated_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> bool:
        """Takes a loan whose claim was approved off, with all its `remaining_fen` principal,
        and counts the `compensated_fen` its claim approved; False when already counted."""
        if loan.hex in self.compensations:
            return False
        self._compensated(
            loan=loan,
            remaining_fen=0 if loan.hex in self.written_off else remaining_fen,
            compensated_fen=compensated_fen,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("Compensated")
    def _compensated(
        self,
        loan: UUID,
        remaining_fen: int,
        compensated_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.covered_fen -= remaining_fen
        self.compensated_fen += compensated_fen
        self.compensations[loan.hex] = [effective_date, compensated_fen]

    def write_off(
        self, *, loan: UUID, remaining_fen: int, effective_date: date, actor: Actor
    ) -> bool:
        """Takes a written-off loan's remaining principal off; False when it is off already."""
        if loan.hex in self.compensations or loan.hex in self.written_off:
            return False
        self._written_off(
            loan=loan, remaining_fen=remaining_fen, effective_date=effective_date, actor=actor
        )
        return True

    @event("WrittenOff")
    def _written_off(
        self, loan: UUID, remaining_fen: int, effective_date: date, actor: Actor
    ) -> None:
        self.covered_fen -= remaining_fen
        self.written_off[loan.hex] = effective_date

    def compensated_on(self, day: date) -> int:
        """Principal compensated by claims approved on or before `day`."""
        return sum(fen for approved_on, fen in self.compensations.values() if approved_on <= day)
