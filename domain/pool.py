"""Risk pools (风险补偿资金池): government money that compensates part of the losses."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import pool_id
from domain.institution import LEVELS
from domain.money import format_yuan
from domain.references import References


class RiskPool(Aggregate):
    """A pool's money: contributions in, compensation out, recoveries back. Never below zero."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return pool_id(code)

    @classmethod
    def open(
        cls,
        *,
        code: str,
        name: str,
        owner: str,
        level: str,
        products: list[str],
        effective_date: date,
        actor: Actor,
    ) -> RiskPool:
        """Returns a newly opened pool after checking its level."""
        if not code.strip():
            raise InvalidInput("code", "a pool needs a code")
        if level not in LEVELS:
            raise InvalidInput("level", f"{level!r} is not one of {', '.join(LEVELS)}")
        return cls(
            code=code,
            name=name,
            owner=owner,
            level=level,
            products=products,
            effective_date=effective_date,
            actor=actor,
        )

    @event("Opened")
    def __init__(
        self,
        code: str,
        name: str,
        owner: str,
        level: str,
        products: list[str],
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.code = code
        self.name = name
        self.owner = owner
        self.level = level
        self.products = list(products)
        self.contributed_fen = 0
        self.paid_out_fen = 0
        self.recovered_fen = 0
        self.refs = References()

    @property
    def available_fen(self) -> int:
        return self.contributed_fen - self.paid_out_fen + self.recovered_fen

    def same_opening(self, name: str, owner: str, level: str, products: list[str]) -> bool:
        """True when a repeated opening carries exactly what was opened."""
        return (self.name, self.owner, self.level, self.products) == (
            name,
            owner,
            level,
            list(products),
        )

    def contribute(
        self, *, amount_fen: int, funder: str, ref: str, effective_date: date, actor: Actor
    ) -> bool:
        """Records money paid into the pool; False when `ref` was already recorded (R14)."""
        if self.refs.is_repeat(ref, amount_fen, funder, effective_date):
            return False
        if amount_fen <= 0:
            raise InvalidInput("amount", "a contribution must be positive")
        self._contribution_received(
            amount_fen=amount_fen,
            funder=funder,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("ContributionReceived")
    def _contribution_received(
        self, amount_fen: int, funder: str, ref: str, effective_date: date, actor: Actor
    ) -> None:
        self.contributed_fen += amount_fen
        self.refs.remember(ref, amount_fen, funder, effective_date)

    def check_can_pay(self, amount_fen: int) -> None:
        """Raises when paying `amount_fen` would take the pool below zero (R10)."""
        if amount_fen > self.available_fen:
            raise RuleViolation(
                "R10",
                "pool",
                f"{self.code} holds {format_yuan(self.available_fen)}, "
                f"cannot pay {format_yuan(amount_fen)}",
            )

    def pay(
        self, *, amount_fen: int, claim: UUID, payee: str, effective_date: date, actor: Actor
    ) -> None:
        """Pays compensation out of the pool for a claim's leg."""
        if amount_fen <= 0:
            raise InvalidInput("amount", "a payment must be positive")
        self.check_can_pay(amount_fen)
        self._payment_made(
            amount_fen=amount_fen,
            claim=claim,
            payee=payee,
            effective_date=effective_date,
            actor=actor,
        )

    @event("PaymentMade")
    def _payment_made(
        self, amount_fen: int, claim: UUID, payee: str, effective_date: date, actor: Actor
    ) -> None:
        self.paid_out_fen += amount_fen

    def receive_recovery(
        self, *, amount_fen: int, claim: UUID, effective_date: date, actor: Actor
    ) -> None:
        """Takes the pool's share of money recovered on a claim it compensated."""
        if amount_fen < 0:
            raise InvalidInput("amount", "a recovery share cannot be negative")
        if amount_fen > 0:
            self._recovery_received(
                amount_fen=amount_fen, claim=claim, effective_date=effective_date, actor=actor
            )

    @event("RecoveryReceived")
    def _recovery_received(
        self, amount_fen: int, claim: UUID, effective_date: date, actor: Actor
    ) -> None:
        self.recovered_fen += amount_fen
