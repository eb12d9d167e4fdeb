"""Products: versioned terms (R15) and the pools that carry their losses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import Conflict, NotFound, RuleViolation
from domain.ids import product_id
from domain.money import format_bps
from domain.suspension import FIGURE_NAMES, NPL_RATIO, Verdict
from domain.terms import ProductTerms


@dataclass(frozen=True, slots=True)
class Breaker:
    """One decision of the circuit breaker (R4): on `day`, `bank` (None: the whole product)
    was suspended (or resumed) on its `figure` of `figure_bps` against `threshold_bps`."""

    day: date
    bank: str | None
    suspended: bool
    figure: str
    figure_bps: int
    threshold_bps: int | None

    def describe(self) -> str:
        """Says what was decided and on which figure, e.g. 'NPL ratio 5.00% ≥ 5.00%'."""
        return Verdict(self.suspended, self.figure, self.figure_bps, self.threshold_bps).describe()


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
        # The circuit breaker (R4): suspended banks and a stop, each with its deciding record.
        self.suspended_banks: dict[str, Breaker] = {}
        self.stopped: Breaker | None = None
        self.breaker_log: list[Breaker] = []

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

    # -- the circuit breaker (R4) ----------------------------------------------------------

    def check_open_to(self, bank: str) -> None:
        """Raises while the product is stopped, or `bank` is suspended under it (R4)."""
        if self.stopped is not None:
            raise RuleViolation(
                "R4",
                "product",
                f"{self.code} stopped taking new loans on {self.stopped.day}: its "
                f"{FIGURE_NAMES[self.stopped.figure]} {format_bps(self.stopped.figure_bps)} "
                f"reached the cap of {format_bps(self.stopped.threshold_bps or 0)}",
            )
        suspension = self.suspended_banks.get(bank)
        if suspension is not None:
            _, terms = self.terms_near(suspension.day)
            raise RuleViolation(
                "R4",
                "bank",
                f"{bank}'s new loans under {self.code} are suspended since {suspension.day}: "
                f"its NPL ratio was {format_bps(suspension.figure_bps)}, at or above the "
                f"{format_bps(terms.suspension.npl_suspend_bps)} suspend threshold; they "
                f"resume when it falls below {format_bps(terms.suspension.npl_resume_bps)}",
            )

    def terms_near(self, day: date) -> tuple[int, ProductTerms]:
        """The terms in force on `day`, else the first version (a day before any terms)."""
        try:
            return self.terms_on(day)
        except RuleViolation:
            return 1, self.versions[0]

    def apply_bank_verdict(
        self, *, bank: str, verdict: Verdict, effective_date: date, actor: Actor
    ) -> bool:
        """Suspends or resumes `bank` as the verdict on its NPL ratio says; False when it
        already stands so (a rerun of the same close of business)."""
        if verdict.figure != NPL_RATIO:
            raise ValueError(f"a bank is suspended on its NPL ratio, not its {verdict.figure}")
        if verdict.suspend == (bank in self.suspended_banks):
            return False
        changed = self._bank_suspended if verdict.suspend else self._bank_resumed
        changed(
            bank=bank,
            npl_ratio_bps=verdict.figure_bps,
            threshold_bps=verdict.threshold_bps,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("BankSuspended")
    def _bank_suspended(
        self,
        bank: str,
        npl_ratio_bps: int,
        threshold_bps: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        record = Breaker(effective_date, bank, True, NPL_RATIO, npl_ratio_bps, threshold_bps)
        self.suspended_banks[bank] = record
        self.breaker_log.append(record)

    @event("BankResumed")
    def _bank_resumed(
        self,
        bank: str,
        npl_ratio_bps: int,
        threshold_bps: int,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.suspended_banks.pop(bank, None)
        self.breaker_log.append(
            Breaker(effective_date, bank, False, NPL_RATIO, npl_ratio_bps, threshold_bps)
        )

    def apply_product_verdict(
        self, *, verdict: Verdict, effective_date: date, actor: Actor
    ) -> bool:
        """Stops or restarts the whole product as the verdict says; False when it already
        stands so (a rerun of the same close of business)."""
        if verdict.suspend == (self.stopped is not None):
            return False
        changed = self._stopped if verdict.suspend else self._resumed
        changed(
            reason=verdict.figure,
            figure_bps=verdict.figure_bps,
            cap_bps=verdict.threshold_bps,
            effective_date=effective_date,
            actor=actor,
        )
        return True

    @event("Stopped")
    def _stopped(
        self, reason: str, figure_bps: int, cap_bps: int | None, effective_date: date, actor: Actor
    ) -> None:
        self.stopped = Breaker(effective_date, None, True, reason, figure_bps, cap_bps)
        self.breaker_log.append(self.stopped)

    @event("Resumed")
    def _resumed(
        self, reason: str, figure_bps: int, cap_bps: int | None, effective_date: date, actor: Actor
    ) -> None:
        self.stopped = None
        self.breaker_log.append(Breaker(effective_date, None, False, reason, figure_bps, cap_bps))

    def breakers_on(self, day: date) -> tuple[dict[str, Breaker], Breaker | None]:
        """Returns the banks suspended on `day` and the product's stop then, if any, each
        with the decision that made it so: the circuit breaker as it stood that day."""
        banks: dict[str, Breaker] = {}
        stopped: Breaker | None = None
        for record in self.breaker_log:
            if record.day > day:
                continue
            if record.bank is None:
                stopped = record if record.suspended else None
            elif record.suspended:
                banks[record.bank] = record
            else:
                banks.pop(record.bank, None)
        return banks, stopped
