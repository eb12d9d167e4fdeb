"""What every command shares: the aggregates it loads and changes, saved together."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.claim import Claim
from domain.errors import NotFound, RuleViolation
from domain.exposure import Exposure
from domain.guarantee import Guarantee
from domain.ids import exposure_id, institution_id, loan_id, pool_id, product_id
from domain.institution import Institution
from domain.loan import Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product

if TYPE_CHECKING:
    from ledger.app import RiskLedger

A = TypeVar("A", bound=Aggregate)


def _noun(kind: type[Aggregate]) -> str:
    """'RiskPool' -> 'risk pool': an aggregate class as a clerk would name it."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()


def _article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun.replace('_', ' ')}"


class SessionBase:
    """The aggregates one command (or one batch of commands) reads and changes."""

    def __init__(self, app: RiskLedger) -> None:
        self._app = app
        self._aggregates: dict[UUID, Aggregate] = {}
        self._read_versions: dict[UUID, int] = {}
        self._relied_on: set[UUID] = set()

    def touched(self) -> list[Aggregate]:
        return list(self._aggregates.values())

    def rely_on(self, *aggregates: Aggregate) -> None:
        """Marks aggregates a decision read but may not change: the save fails if any of them
        gains an event before it, and the command reruns on fresh state."""
        self._relied_on.update(aggregate.id for aggregate in aggregates)

    def expected_versions(self) -> dict[UUID, int]:
        """The versions this session read of the aggregates relied on and left unchanged.

        An aggregate the session changes needs no entry: saving its next version conflicts
        by itself when a rival saved first.
        """
        return {
            aggregate_id: self._read_versions[aggregate_id]
            for aggregate_id in self._relied_on
            if aggregate_id in self._read_versions
            and not self._aggregates[aggregate_id].pending_events
        }

    # -- loading ---------------------------------------------------------------------------

    def _load(self, kind: type[A], aggregate_id: UUID, field: str, name: str) -> A:
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(field, f"no {_noun(kind)} {name!r}") from None
            self._aggregates[aggregate_id] = aggregate
            self._read_versions[aggregate_id] = aggregate.version
        if not isinstance(aggregate, kind):
            raise NotFound(field, f"{name!r} is not {_article(_noun(kind))}")
        return aggregate

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """Returns the aggregate when the ledger has it, else None (read once, not twice)."""
        try:
            return self._load(kind, aggregate_id, "id", str(aggregate_id))
        except NotFound:
            return None

    def _add(self, aggregate: A) -> A:
        self._aggregates[aggregate.id] = aggregate
        return aggregate

    def institution(
        self, code: str, field: str = "institution", kind: str | None = None
    ) -> Institution:
        found = self._load(Institution, institution_id(code), field, code)
        if kind is not None and found.kind != kind:
            raise RuleViolation(
                "roles", field, f"{code} is {_article(found.kind)}, not {_article(kind)}"
            )
        return found

    def exposure(self, product: str, effective_date: date, actor: Actor) -> Exposure:
        """The product's covered-outstanding account (R3), opened with its first loan."""
        found = self._find(Exposure, exposure_id(product))
        if found is None:
            found = self._add(
                Exposure.open(product=product, effective_date=effective_date, actor=actor)
            )
        return found

    def product(self, code: str) -> Product:
        return self._load(Product, product_id(code), "product", code)

    def pool(self, code: str) -> RiskPool:
        return self._load(RiskPool, pool_id(code), "pool", code)

    def loan(self, bank: str, reference: str) -> Loan:
        self.institution(bank, "bank", kind="bank")
        return self._load(Loan, loan_id(bank, reference), "loan", reference)

    def claim_by_id(self, claim: UUID) -> Claim:
        return self._load(Claim, claim, "claim", str(claim))

    def guarantee_on(self, loan: UUID) -> Guarantee | None:
        """Returns the guarantee on the loan with id `loan`, if one was issued."""
        return self._find(Guarantee, Guarantee.create_id(loan))

    def policy_on(self, loan: UUID) -> InsurancePolicy | None:
        """Returns the insurance policy on the loan with id `loan`, if one was issued."""
        return self._find(InsurancePolicy, InsurancePolicy.create_id(loan))

    def claim_of(self, bank: str, reference: str) -> tuple[Loan, Claim]:
        """Returns a loan and the claim open on it."""
        loan = self.loan(bank, reference)
        if loan.open_claim is None:
            raise NotFound("loan", f"{reference} has no open claim")
        return loan, self._load(Claim, loan.open_claim, "claim", reference)
