"""Products: versioned terms (R15) and the pools that carry their losses."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import Conflict, NotFound, RuleViolation
from domain.ids import product_id
from domain.terms import ProductTerms


class Product(Aggregate):
    """A programme's product: its terms versions and its pool per level."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return product_id(code)

    @classmethod
    def define(cls, terms: ProductTerms, actor: Actor) -> Product:
        """Returns a newly defined product with its first terms version."""
        return cls(
            code=terms.code,
            terms=terms.to_record(),
            effective_date=terms.effective_from,
            actor=actor,
        )

    @event("Defined")
    def __init__(
        self, code: str, terms: dict[str, Any], effective_date: date, actor: Actor
    ) -> None:
        self.code = code
        self.versions: list[ProductTerms] = [ProductTerms.from_record(terms)]
        self.pools: dict[str, str] = {}

    @property
    def name(self) -> str:
        return self.versions[-1].name

    @property
    def latest(self) -> ProductTerms:
        return self.versions[-1]

    def revise(self, terms: ProductTerms, actor: Actor) -> bool:
        """Adds a terms version effective from a later date; False when identical to the latest."""
        if terms.code != self.code:
            raise Conflict("code", f"terms for {terms.code} cannot revise product {self.code}")
        if terms == self.latest:
            return False
        if terms.structure != self.latest.structure:
            raise Conflict("structure", "a product's structure cannot change between versions")
        if terms.effective_from <= self.latest.effective_from:
            raise RuleViolation(
                "R15",
                "effective_from",
                f"a new version must take effect after {self.latest.effective_from}",
            )
        self._revised(terms=terms.to_record(), effective_date=terms.effective_from, actor=actor)
        return True

    @event("TermsRevised")
    def _revised(self, terms: dict[str, Any], effective_date: date, actor: Actor) -> None:
        self.versions.append(ProductTerms.from_record(terms))

    def terms_on(self, day: date) -> tuple[int, ProductTerms]:
        """Returns the version number and terms in force on `day` (R15)."""
        for number in range(len(self.versions), 0, -1):
            if self.versions[number - 1].effective_from <= day:
                return number, self.versions[number - 1]
        raise RuleViolation(
            "R15", "start_date", f"{self.code} has no terms in force on {day.isoformat()}"
        )

    def terms_version(self, number: int) -> ProductTerms:
        return self.versions[number - 1]

    def bind_pool(self, level: str, pool_code: str, effective_date: date, actor: Actor) -> None:
        """Names the pool that pays this product's share at `level`; one pool per level."""
        bound = self.pools.get(level)
        if bound is not None and bound != pool_code:
            raise Conflict("products", f"{self.code} already has {bound} as its {level} pool")
        if bound is None:
            self._pool_bound(
                level=level, pool=pool_code, effective_date=effective_date, actor=actor
            )

    @event("PoolBound")
    def _pool_bound(self, level: str, pool: str, effective_date: date, actor: Actor) -> None:
        self.pools[level] = pool

    def pool_for(self, party: str) -> str:
        """Returns the code of the pool that pays `party` (e.g. 'pool.city')."""
        level = party.removeprefix("pool.")
        try:
            return self.pools[level]
        except KeyError:
            raise NotFound(
                "pool", f"{self.code} has no {level} pool to pay its {party} share"
            ) from None
