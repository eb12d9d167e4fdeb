"""A claimant's account under a product: its approved losses and what the pools bore of them.

The cumulative cap of R8 (the pools bear at most a share of everything a claimant lost
under a product) needs this history; each approval reads it and counts its claim in the
same atomic save, so two approvals can never both spend the same headroom.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import Conflict, InvalidInput
from domain.ids import claimant_account_id
from domain.split import ClaimantHistory


class ClaimantAccount(Aggregate):
    """The claims of one claimant (a bank, or a guarantor) under one product, in approval order."""

    @staticmethod
    def create_id(product: str, claimant: str) -> UUID:
        return claimant_account_id(product, claimant)

    @classmethod
    def open(
        cls, *, product: str, claimant: str, effective_date: date, actor: Actor
    ) -> ClaimantAccount:
        """Returns a new, empty account for `claimant`'s claims under `product`."""
        if not product.strip() or not claimant.strip():
            raise InvalidInput("claimant", "an account needs a product and a claimant")
        return cls(product=product, claimant=claimant, effective_date=effective_date, actor=actor)

    @event("Opened")
    def __init__(self, product: str, claimant: str, effective_date: date, actor: Actor) -> None:
        self.product = product
        self.claimant = claimant
        # Claim id (hex) -> [its loss split, the pools' part of it], in the order counted; hex
        # keys and lists, as snapshots are JSON.
        self.counted: dict[str, list[int]] = {}
        self.losses_fen = 0
        self.pool_burdens_fen = 0

    @property
    def claims(self) -> dict[UUID, tuple[int, int]]:
        """Each counted claim's loss split and the pools' part of it, in the order counted."""
        return {UUID(claim): (loss, pools) for claim, (loss, pools) in self.counted.items()}

    @property
    def history(self) -> ClaimantHistory:
        """What the claims counted so far come to: the base of the next claim's cumulative cap."""
        return ClaimantHistory(losses_fen=self.losses_fen, pool_burdens_fen=self.pool_burdens_fen)

    def count(
        self,
        *,
        claim: UUID,
        loss_fen: int,
        pool_burden_fen: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        """Adds a claim whose loss was split: its loss and what the pools bear of it (R8)."""
        if claim.hex in self.counted:
            raise Conflict("claim", f"claim {claim} is already counted for {self.claimant}")
        if not 0 <= pool_burden_fen <= loss_fen:
            raise InvalidInput("amount", "the pools' burden must lie between zero and the loss")
        self._claim_counted(
            claim=claim,
            loss_fen=loss_fen,
            pool_burden_fen=pool_burden_fen,
            effective_date=effective_date,
            actor=actor,
        )

    @event("ClaimCounted")
    def _claim_counted(
        self, claim: UUID, loss_fen: int, pool_burden_fen: int, effective_date: date, actor: Actor
    ) -> None:
        self.counted[claim.hex] = [loss_fen, pool_burden_fen]
        self.losses_fen += loss_fen
        self.pool_burdens_fen += pool_burden_fen
