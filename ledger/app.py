"""The riskledger application: every command a programme's parties can give.

Commands run inside a `Session`, which loads the aggregates a command needs, lets the
domain decide, and is saved in one atomic write with optimistic concurrency: either every
event of the session is stored or none is. A version conflict reruns the session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from domain.actor import Actor
from domain.claim import Claim
from domain.enterprise import Enterprise
from domain.errors import Conflict, DomainError, NotFound, RuleViolation
from domain.ids import enterprise_id, institution_id, loan_id, pool_id, product_id
from domain.institution import Institution
from domain.loan import Loan
from domain.pool import RiskPool
from domain.product import Product
from domain.terms import POOL_PARTIES, ProductTerms
from domain.uscc import validate_uscc
from ledger.settings import Settings
from ledger.transcodings import ActorAsDict, DateAsISO

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")

MAX_ATTEMPTS = 5


class ConcurrencyError(DomainError):
    """Other writers kept changing the same aggregates; the command was not applied."""


class RiskLedger(Application[UUID]):
    """The ledger of one risk-sharing programme, stored as events."""

    name = "riskledger"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__(env=settings.event_store_env())

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ActorAsDict())

    def transact(self, command: Callable[[Session], R]) -> R:
        """Runs `command` in a session and saves all it changed atomically; retries conflicts."""
        for _ in range(MAX_ATTEMPTS):
            session = Session(self)
            result = command(session)
            try:
                self.save(*session.touched())
            except RecordConflictError:
                continue
            return result
        raise ConcurrencyError(
            "ledger", f"the command conflicted with other writers {MAX_ATTEMPTS} times; try again"
        )

    def event_count(self) -> int:
        """How many events the ledger holds."""
        return self.recorder.max_notification_id() or 0

    def get_loan(self, bank: str, reference: str) -> Loan:
        """Returns the loan a bank registered under `reference`."""
        return Session(self).loan(bank, reference)

    def get_pool(self, code: str) -> RiskPool:
        return Session(self).pool(code)


class Session:
    """The aggregates one command (or one batch of commands) reads and changes."""

    def __init__(self, app: RiskLedger) -> None:
        self._app = app
        self._aggregates: dict[UUID, Aggregate] = {}

    def touched(self) -> list[Aggregate]:
        return list(self._aggregates.values())

    # -- loading ---------------------------------------------------------------------------

    def _load(self, kind: type[A], aggregate_id: UUID, field: str, name: str) -> A:
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(field, f"no {kind.__name__.lower()} {name!r}") from None
            self._aggregates[aggregate_id] = aggregate
        if not isinstance(aggregate, kind):
            raise NotFound(field, f"{name!r} is not a {kind.__name__.lower()}")
        return aggregate

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id in self._aggregates or aggregate_id in self._app.repository:
            return self._load(kind, aggregate_id, "id", str(aggregate_id))
        return None

    def _add(self, aggregate: A) -> A:
        self._aggregates[aggregate.id] = aggregate
        return aggregate

    def institution(
        self, code: str, field: str = "institution", kind: str | None = None
    ) -> Institution:
        found = self._load(Institution, institution_id(code), field, code)
        if kind is not None and found.kind != kind:
            raise RuleViolation("roles", field, f"{code} is a {found.kind}, not a {kind}")
        return found

    def product(self, code: str) -> Product:
        return self._load(Product, product_id(code), "product", code)

    def pool(self, code: str) -> RiskPool:
        return self._load(RiskPool, pool_id(code), "pool", code)

    def loan(self, bank: str, reference: str) -> Loan:
        self.institution(bank, "bank", kind="bank")
        return self._load(Loan, loan_id(bank, reference), "loan", reference)

    def claim_of(self, bank: str, reference: str) -> tuple[Loan, Claim]:
        """Returns a loan and the claim open on it."""
        loan = self.loan(bank, reference)
        if loan.open_claim is None:
            raise NotFound("loan", f"{reference} has no open claim")
        return loan, self._load(Claim, loan.open_claim, "claim", reference)

    # -- institutions, enterprises, products, pools ----------------------------------------

    def add_institution(
        self,
        *,
        code: str,
        kind: str,
        name: str,
        region: str,
        level: str | None,
        effective_date: date,
        actor: Actor,
    ) -> UUID:
        """Registers an institution; a repeat with the same details is a no-op (R14)."""
        existing = self._find(Institution, institution_id(code))
        if existing is not None:
            if not existing.same_registration(kind, name, region, level):
                raise Conflict("code", f"institution {code} is registered with other details")
            return existing.id
        return self._add(
            Institution.register(
                code=code,
                kind=kind,
                name=name,
                region=region,
                level=level,
                effective_date=effective_date,
                actor=actor,
            )
        ).id

    def add_enterprise(
        self, *, uscc: str, name: str, region: str, effective_date: date, actor: Actor
    ) -> UUID:
        """Registers an enterprise by its USCC; a repeat with the same details is a no-op."""
        code = validate_uscc(uscc)
        existing = self._find(Enterprise, enterprise_id(code))
        if existing is not None:
            if not existing.same_registration(name, region):
                raise Conflict("uscc", f"enterprise {code} is registered with other details")
            return existing.id
        return self._add(
            Enterprise.register(
                uscc=code, name=name, region=region, effective_date=effective_date, actor=actor
            )
        ).id

    def define_product(self, *, terms: ProductTerms, actor: Actor) -> tuple[UUID, str]:
        """Defines a product or adds a terms version; returns its id and what happened."""
        existing = self._find(Product, product_id(terms.code))
        if existing is None:
            return self._add(Product.define(terms, actor)).id, "defined"
        revised = existing.revise(terms, actor)
        return existing.id, ("revised" if revised else "unchanged")

    def open_pool(
        self,
        *,
        code: str,
        name: str,
        owner: str,
        level: str,
        products: list[str],
        effective_date: date,
        actor: Actor,
    ) -> UUID:
        """Opens a pool owned by a government pool owner, covering products at its level."""
        owner_institution = self.institution(owner, "owner", kind="pool_owner")
        if owner_institution.level != level:
            raise RuleViolation(
                "roles", "level", f"{owner} is a {owner_institution.level}-level owner, not {level}"
            )
        existing = self._find(RiskPool, pool_id(code))
        if existing is not None:
            if not existing.same_opening(name, owner, level, products):
                raise Conflict("code", f"pool {code} is open with other details")
            return existing.id
        for product_code in products:
            self.product(product_code).bind_pool(level, code, effective_date, actor)
        return self._add(
            RiskPool.open(
                code=code,
                name=name,
                owner=owner,
                level=level,
                products=products,
                effective_date=effective_date,
                actor=actor,
            )
        ).id

    def fund_pool(
        self,
        *,
        pool: str,
        amount_fen: int,
        funder: str,
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> bool:
        """Records a contribution into a pool; False when `ref` was already recorded."""
        self.institution(funder, "funder")
        return self.pool(pool).contribute(
            amount_fen=amount_fen,
            funder=funder,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )

    # -- loans -----------------------------------------------------------------------------

    def register_loan(
        self,
        *,
        bank: str,
        reference: str,
        uscc: str,
        product: str,
        principal_fen: int,
        annual_rate_bps: int,
        term_months: int,
        start_date: date,
        first_loan: bool = False,
        pure_credit: bool = False,
        actor: Actor,
    ) -> tuple[UUID, bool]:
        """Registers a bank's loan; returns its id and whether it is new (R14)."""
        self.institution(bank, "bank", kind="bank")
        enterprise = self._load(Enterprise, enterprise_id(validate_uscc(uscc)), "uscc", uscc)
        found = self.product(product)
        version, terms = found.terms_on(start_date)
        existing = self._find(Loan, loan_id(bank, reference))
        if existing is not None:
            differences = existing.registration_differences(
                enterprise=enterprise.uscc,
                product=product,
                principal_fen=principal_fen,
                annual_rate_bps=annual_rate_bps,
                term_months=term_months,
                start_date=start_date,
                first_loan=first_loan,
                pure_credit=pure_credit,
            )
            if differences:
                raise Conflict(
                    differences[0],
                    f"{bank} loan {reference} is already registered with another "
                    f"{', '.join(differences)}",
                )
            return existing.id, False
        loan = Loan.register(
            bank=bank,
            reference=reference,
            enterprise=enterprise.uscc,
            terms=terms,
            terms_version=version,
            principal_fen=principal_fen,
            annual_rate_bps=annual_rate_bps,
            term_months=term_months,
            start_date=start_date,
            first_loan=first_loan,
            pure_credit=pure_credit,
            actor=actor,
        )
        return self._add(loan).id, True

    def disburse(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> bool:
        return self.loan(bank, reference).disburse(
            amount_fen=amount_fen, value_date=value_date, ref=ref, actor=actor
        )

    def repay(
        self,
        *,
        bank: str,
        reference: str,
        principal_fen: int,
        interest_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> bool:
        return self.loan(bank, reference).repay(
            principal_fen=principal_fen,
            interest_fen=interest_fen,
            value_date=value_date,
            ref=ref,
            actor=actor,
        )

    def declare_default(
        self, *, bank: str, reference: str, default_date: date, reason: str, actor: Actor
    ) -> bool:
        return self.loan(bank, reference).declare_default(
            default_date=default_date, reason=reason, actor=actor
        )

    # -- claims ----------------------------------------------------------------------------

    def file_claim(
        self, *, bank: str, reference: str, ref: str, filed_on: date, actor: Actor
    ) -> tuple[UUID, bool]:
        """Files the bank's claim on a defaulted loan; returns its id and whether it is new."""
        loan = self.loan(bank, reference)
        existing = self._find(Claim, Claim.create_id(loan.id, ref))
        if existing is not None:
            if existing.filed_on != filed_on:
                raise Conflict("ref", f"claim {ref!r} was filed on {existing.filed_on}")
            return existing.id, False
        terms = self.product(loan.product).terms_version(loan.terms_version)
        claim = Claim.file(loan=loan, terms=terms, reference=ref, filed_on=filed_on, actor=actor)
        loan.open_claim_for(claim=claim.id, effective_date=filed_on, actor=actor)
        return self._add(claim).id, True

    def approve_claim(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int | None,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int]:
        """Approves the open claim (by default its whole loss base); returns the burdens."""
        loan, claim = self.claim_of(bank, reference)
        terms = self.product(loan.product).terms_version(claim.terms_version)
        claim.approve(
            amount_fen=claim.loss_base_fen if amount_fen is None else amount_fen,
            terms=terms,
            effective_date=effective_date,
            actor=actor,
        )
        return dict(claim.burdens)

    def reject_claim(
        self, *, bank: str, reference: str, reason: str, effective_date: date, actor: Actor
    ) -> None:
        loan, claim = self.claim_of(bank, reference)
        claim.reject(reason=reason, effective_date=effective_date, actor=actor)
        loan.close_claim(claim=claim.id, effective_date=effective_date, actor=actor)

    def pay_legs(
        self,
        *,
        bank: str,
        reference: str,
        parties: list[str] | None,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int]:
        """Pays the named (default: all unpaid) legs of the open claim; pools pay from funds."""
        loan, claim = self.claim_of(bank, reference)
        product = self.product(loan.product)
        payers = list(claim.legs_due()) if parties is None else parties
        paid: dict[str, int] = {}
        for payer in payers:
            amount = claim.unpaid_legs.get(payer)
            pool = self.pool(product.pool_for(payer)) if payer in POOL_PARTIES else None
            if pool is not None and amount is not None:
                pool.check_can_pay(amount)
            paid[payer] = claim.pay_leg(payer=payer, effective_date=effective_date, actor=actor)
            if pool is not None:
                pool.pay(
                    amount_fen=paid[payer],
                    claim=claim.id,
                    payee=loan.bank,
                    effective_date=effective_date,
                    actor=actor,
                )
        return paid

    def record_recovery(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int,
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> dict[str, int] | None:
        """Shares a recovery back to the parties; pools take theirs. None when a repeat."""
        loan, claim = self.claim_of(bank, reference)
        shares = claim.record_recovery(
            amount_fen=amount_fen, ref=ref, effective_date=effective_date, actor=actor
        )
        if shares is None:
            return None
        product = self.product(loan.product)
        for party, fen in shares.items():
            if party in POOL_PARTIES:
                self.pool(product.pool_for(party)).receive_recovery(
                    amount_fen=fen, claim=claim.id, effective_date=effective_date, actor=actor
                )
        return shares
