"""Risk pools (风险补偿资金池): government money that compensates part of the losses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.corrections import Reversals, check_reason
from domain.errors import InvalidInput, NotFound, RuleViolation
from domain.ids import pool_id
from domain.institution import LEVELS
from domain.money import format_yuan
from domain.references import References


@dataclass(frozen=True, slots=True)
class QueuedLeg:
    """A claim's leg the pool could not pay when it was due: it waits for funds (R10)."""

    claim: UUID
    payer: str
    payee: str
    amount_fen: int
    queued_on: date


class RiskPool(Aggregate):
    """A pool's money: contributions in, compensation out, recoveries back. Never below zero.

    A leg the pool cannot pay waits in its queue and is paid, oldest first, as funds arrive.
    """

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
        # A pool is one party of every claim it pays (pool.<its level>), so the claim alone
        # names the leg: the keys are claim ids in hex, as snapshots are JSON.
        # The legs waiting for funds, oldest first (R10).
        self.queued: dict[str, QueuedLeg] = {}
        # What the pool paid on each claim's leg: a reversal gives back exactly that (R13).
        self.paid_legs: dict[str, int] = {}
        # What each contribution brought and each claim's recoveries gave back, so a mistaken
        # one can be reversed by its reference, never by more than it was (R13).
        self.contributions: dict[str, int] = {}
        self.recoveries_by_claim: dict[str, int] = {}
        self.reversals = Reversals()

    @property
    def queue(self) -> dict[UUID, QueuedLeg]:
        """The legs waiting for funds by claim, oldest first (R10)."""
        return {leg.claim: leg for leg in self.queued.values()}

    @property
    def claims_paid(self) -> set[UUID]:
        """The claims whose leg the pool has paid and not reversed."""
        return {UUID(claim) for claim in self.paid_legs}

    @property
    def recovered_by_claim(self) -> dict[UUID, int]:
        """What each claim's recoveries gave the pool, less those reversed."""
        return {UUID(claim): fen for claim, fen in self.recoveries_by_claim.items()}

    @property
    def available_fen(self) -> int:
        return self.contributed_fen - self.paid_out_fen + self.recovered_fen

    @property
    def queued_fen(self) -> int:
        """What the legs waiting in the queue come to."""
        return sum(leg.amount_fen for leg in self.queued.values())

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
        self.contributions[ref] = amount_fen

    def check_can_pay(self, amount_fen: int) -> None:
        """Raises when paying `amount_fen` would take the pool below zero (R10)."""
        if amount_fen > self.available_fen:
            raise RuleViolation(
                "R10",
                "pool",
                f"{self.code} holds {format_yuan(self.available_fen)}, "
                f"cannot pay {format_yuan(amount_fen)}",
            )

    def pays_at_once(self, amount_fen: int) -> bool:
        """True when a leg of `amount_fen` can be paid now: funds suffice and no older leg waits."""
        return not self.queued and amount_fen <= self.available_fen

    def queue_leg(
        self,
        *,
        claim: UUID,
        payer: str,
        payee: str,
        amount_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        """Puts a claim's leg in the queue, to be paid when funds allow (R10)."""
        if amount_fen <= 0:
            raise InvalidInput("amount", "a queued leg must be positive")
        waiting = self.queued.get(claim.hex)
        if waiting is not None:
            raise RuleViolation(
                "R10",
                "party",
                f"{waiting.payer}'s leg has waited in {self.code}'s queue since "
                f"{waiting.queued_on}; it is paid when funds arrive",
            )
        if claim.hex in self.paid_legs:
            raise RuleViolation("R10", "party", f"{self.code} already paid {payer}'s leg")
        self._leg_queued(
            claim=claim,
            payer=payer,
            payee=payee,
            amount_fen=amount_fen,
            effective_date=effective_date,
            actor=actor,
        )

    @event("LegQueued")
    def _leg_queued(
        self,
        claim: UUID,
        payer: str,
        payee: str,
        amount_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.queued[claim.hex] = QueuedLeg(claim, payer, payee, amount_fen, effective_date)

    def payable_queue(self) -> list[QueuedLeg]:
        """Returns the queued legs the funds now cover, oldest first (R10).

        It stops at the first leg that does not fit: a younger, smaller leg never jumps it.
        """
        payable: list[QueuedLeg] = []
        funds = self.available_fen
        for leg in self.queued.values():
            if leg.amount_fen > funds:
                break
            payable.append(leg)
            funds -= leg.amount_fen
        return payable

    def pay_queued(self, *, claim: UUID, effective_date: date, actor: Actor) -> int:
        """Pays the oldest queued leg, which must be `claim`'s; returns the amount (R10)."""
        oldest = next(iter(self.queued.values()), None)
        if oldest is None or oldest.claim != claim:
            raise RuleViolation(
                "R10", "claim", f"{claim} is not the oldest leg in {self.code}'s queue"
            )
        self.check_can_pay(oldest.amount_fen)
        self._payment_made(
            amount_fen=oldest.amount_fen,
            claim=claim,
            payee=oldest.payee,
            effective_date=effective_date,
            actor=actor,
        )
        return oldest.amount_fen

    def pay(
        self, *, amount_fen: int, claim: UUID, payee: str, effective_date: date, actor: Actor
    ) -> None:
        """Pays compensation out of the pool for a claim's leg, when no older leg waits (R10)."""
        if amount_fen <= 0:
            raise InvalidInput("amount", "a payment must be positive")
        if self.queued:
            raise RuleViolation(
                "R10",
                "pool",
                f"{len(self.queued)} older leg(s) wait in {self.code}'s queue and are paid first",
            )
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
        self.queued.pop(claim.hex, None)
        self.paid_legs[claim.hex] = self.paid_legs.get(claim.hex, 0) + amount_fen

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
        self.recoveries_by_claim[claim.hex] = (
            self.recoveries_by_claim.get(claim.hex, 0) + amount_fen
        )

    # -- corrections (R13) ----------------------------------------------------------------------

    def _check_keeps_funds(self, amount_fen: int, what: str) -> None:
        """Raises when taking `amount_fen` back would leave the pool below zero (R10)."""
        if amount_fen > self.available_fen:
            raise RuleViolation(
                "R10",
                "ref",
                f"{self.code} holds {format_yuan(self.available_fen)}; taking back "
                f"{format_yuan(amount_fen)} of {what} would leave it below zero",
            )

    def reverse_contribution(
        self, *, ref: str, reason: str, effective_date: date, actor: Actor
    ) -> tuple[int, bool]:
        """Takes back the contribution recorded under `ref`; returns its amount, and False for a
        repeat. Refused when the pool no longer holds that money (R10, R13)."""
        check_reason(reason)
        amount = self.contributions.get(ref)
        if amount is None:
            raise NotFound("ref", f"{self.code} has no contribution {ref!r}")
        if self.reversals.is_repeat(ref, reason, effective_date):
            return amount, False
        self._check_keeps_funds(amount, f"contribution {ref}")
        self._contribution_reversed(
            ref=ref, amount_fen=amount, reason=reason, effective_date=effective_date, actor=actor
        )
        return amount, True

    @event("ContributionReversed")
    def _contribution_reversed(
        self, ref: str, amount_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.contributed_fen -= amount_fen
        self.reversals.remember(ref, reason, effective_date)

    def reverse_payment(
        self, *, claim: UUID, reason: str, effective_date: date, actor: Actor
    ) -> int:
        """Takes back the leg the pool paid on `claim`, exactly the amount it paid, and returns
        it: the money is the pool's again (R13)."""
        check_reason(reason)
        amount_fen = self.paid_legs.get(claim.hex)
        if amount_fen is None:
            raise RuleViolation("R13", "party", f"{self.code} paid no leg on claim {claim}")
        self._payment_reversed(
            claim=claim,
            amount_fen=amount_fen,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
        return amount_fen

    @event("PaymentReversed")
    def _payment_reversed(
        self, claim: UUID, amount_fen: int, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.paid_out_fen -= amount_fen
        left = self.paid_legs.get(claim.hex, 0) - amount_fen
        if left > 0:
            self.paid_legs[claim.hex] = left
        else:
            self.paid_legs.pop(claim.hex, None)

    def reverse_recovery(
        self,
        *,
        claim: UUID,
        ref: str,
        amount_fen: int,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        """Gives back the pool's share of the recovery `ref` on `claim`; refused when the pool
        no longer holds it (R10, R13)."""
        check_reason(reason)
        received = self.recoveries_by_claim.get(claim.hex, 0)
        if amount_fen < 0 or amount_fen > received:
            raise RuleViolation(
                "R13",
                "ref",
                f"{self.code} received {format_yuan(received)} "
                f"of recoveries on that claim, not {format_yuan(amount_fen)} to give back",
            )
        if amount_fen == 0:
            return
        self._check_keeps_funds(amount_fen, f"recovery {ref}")
        self._recovery_reversed(
            claim=claim,
            ref=ref,
            amount_fen=amount_fen,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )

    @event("RecoveryReversed")
    def _recovery_reversed(
        self,
        claim: UUID,
        ref: str,
        amount_fen: int,
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.recovered_fen -= amount_fen
        self.recoveries_by_claim[claim.hex] -= amount_fen
