"""One row's loan admitted under the rule book, on a batch's aggregates (R1-R4, R14-R17).

The row's loan is registered, covered, disbursed, repaid, defaulted and written off on a
loan of its own first, against the shared aggregates as they stand (the product for R4 and
R15, the enterprise and its loans for R1 and R2, the product's exposure and pools for R3),
and only when every step passed does the row touch what the batch shares: the enterprise
lists the loan, the exposure covers it. A refused row so leaves nothing behind in the batch.

A loan already in the ledger (an earlier run, or an earlier row of the same file) is left
as it is when the row says what it recorded, and refused as a conflict (R14) when it says
otherwise: the import never changes a recorded loan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.enterprise import Enterprise
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.exposure import Exposure, leverage_multiple
from domain.guarantee import Guarantee
from domain.ids import enterprise_id, exposure_id, loan_id, product_id
from domain.loan import PAID_OFF, Loan
from domain.money import format_yuan
from domain.policy import InsurancePolicy
from domain.product import Product
from domain.terms import ProductTerms
from ledger.bulk_import.mapping import DEFAULTED, GUARANTEE, WRITTEN_OFF
from ledger.bulk_import.mapping import PAID_OFF as PAID_OFF_ROW
from ledger.bulk_import.recorded import cover_conflict, lifecycle_conflict, registration_conflict
from ledger.bulk_import.records import LoanRow, RowError, RowRefused
from ledger.lending import LendingCommands

if TYPE_CHECKING:
    from ledger.app import RiskLedger

A = TypeVar("A", bound=Aggregate)

CHANNEL = "import"
DISBURSED_REF = "import:disbursed"
REPAID_REF = "import:repaid-to"

IMPORTED = "imported"
PRESENT = "present"

# The steps of a row, and for each which ledger field a domain error's field stands for.
REGISTER, COVER, DISBURSE, REPAY, DEFAULT, WRITE_OFF, STATUS = (
    "register",
    "cover",
    "disburse",
    "repay",
    "default",
    "write_off",
    "status",
)
_FIELDS = {
    REGISTER: {
        "start_date": "start",
        "name": "name",
        "reason": "status",
        "loan": "reference",
        "--bank": "bank",
        "--product": "product",
    },
    COVER: {
        "guarantor": "party",
        "insurer": "party",
        "premium_rate": "fee_rate",
        "ref": "contract",
        "loan": "status",
        "guarantee": "status",
    },
    DISBURSE: {"amount": "disbursed", "date": "disbursed_on", "loan": "status"},
    REPAY: {
        "amount": "principal_repaid",
        "principal": "principal_repaid",
        "interest": "interest_repaid",
        "date": "repaid_on",
        "loan": "status",
    },
    DEFAULT: {"date": "defaulted_on", "reason": "default_reason", "loan": "status"},
    WRITE_OFF: {
        "date": "written_off_on",
        "reason": "write_off_reason",
        "amount": "written_off",
        "loan": "status",
        "guarantee": "status",
    },
    STATUS: {"loan": "status", "status": "status"},
}


class ImportSession(LendingCommands):
    """The aggregates one batch reads and changes; what is known to be absent is not asked
    for again."""

    def __init__(
        self,
        app: RiskLedger,
        operator: str,
        *,
        absent: Iterable[UUID] = (),
        carried: Iterable[Aggregate] = (),
    ) -> None:
        super().__init__(app)
        self.operator = operator
        self._absent: dict[UUID, str] = dict.fromkeys(absent, "not in the ledger")
        self._opening: dict[str, Exposure] = {}
        self._step = REGISTER
        # What this batch read or created: all a next batch may want carried over to it.
        self._used: set[UUID] = set()
        for aggregate in carried:
            # As if loaded now: the store holds it at this very version.
            self._aggregates[aggregate.id] = aggregate
            self._read_versions[aggregate.id] = aggregate.version

    def _load(self, kind: type[Any], aggregate_id: UUID, field: str, name: str) -> Any:
        if aggregate_id not in self._aggregates:
            reason = self._absent.get(aggregate_id)
            if reason is not None:
                raise NotFound(field, reason)
        try:
            found = super()._load(kind, aggregate_id, field, name)
        except NotFound as missing:
            if aggregate_id not in self._aggregates:
                self._absent[aggregate_id] = missing.reason
            raise
        self._used.add(aggregate_id)
        return found

    def _add(self, aggregate: A) -> A:
        self._used.add(aggregate.id)
        return super()._add(aggregate)

    def used(self) -> list[Aggregate]:
        """The aggregates this batch read or created (not those carried in and left unused)."""
        return [self._aggregates[aggregate_id] for aggregate_id in self._used]

    def product_named(self, code: str, field: str) -> Product:
        """The product `code`, refused on `field` when the ledger has none."""
        found: Product = self._load(Product, product_id(code), field, code)
        return found

    def changed(self) -> list[Aggregate]:
        """The aggregates with events to save."""
        return [aggregate for aggregate in self.touched() if aggregate.pending_events]

    # -- one row -------------------------------------------------------------------------------

    def admit(self, row: LoanRow) -> str:
        """Brings the row's loan into the batch; returns IMPORTED, or PRESENT when the ledger
        holds it as the row says. Raises RowRefused naming the row's cell at fault."""
        self._step = REGISTER
        try:
            return self._admit(row, Actor(row.bank, self.operator, CHANNEL))
        except Conflict as error:
            raise self._refusal(row, error, f"{error.reason} (R14)") from None
        except DomainError as error:
            raise self._refusal(row, error, error.reason) from None

    def _refusal(self, row: LoanRow, error: DomainError, reason: str) -> RowRefused:
        name = _FIELDS[self._step].get(error.field, error.field)
        label, value = row.sources.get(name, (f"[{name}]", ""))
        return RowRefused(RowError(row.row, label, value, reason))

    def _admit(self, row: LoanRow, actor: Actor) -> str:
        self.institution(row.bank, "--bank", kind="bank")
        product = self.product_named(row.product, "--product")
        version, terms = product.terms_on(row.start)
        existing = self._find(Loan, loan_id(row.bank, row.reference))
        if existing is not None:
            self._check_as_recorded(existing, row)
            return PRESENT
        enterprise = self._find(Enterprise, enterprise_id(row.uscc))
        new_enterprise = None
        if enterprise is None:
            enterprise = new_enterprise = Enterprise.register(
                uscc=row.uscc,
                name=row.enterprise_name,
                region=row.region,
                effective_date=row.start,
                actor=actor,
            )
        product.check_open_to(row.bank)  # R4
        pools = [self.pool(code) for code in product.pools.values()]
        # Read, not changed: a suspension (R4) or a leg paid from a pool meanwhile must make
        # the batch's save conflict, as it does a registration's (R3).
        self.rely_on(product, *pools)
        self._check_eligibility(
            terms,
            enterprise,
            principal_fen=row.principal_fen,
            rate_bps=row.rate_bps,
            start=row.start,
        )  # R1, R2
        loan = Loan.register(
            bank=row.bank,
            reference=row.reference,
            enterprise=enterprise.uscc,
            terms=terms,
            terms_version=version,
            principal_fen=row.principal_fen,
            annual_rate_bps=row.rate_bps,
            term_months=row.term_months,
            start_date=row.start,
            first_loan=row.first_loan,
            pure_credit=row.pure_credit,
            actor=actor,
            annual_revenue_fen=row.revenue_fen,
            schedule=row.schedule,
            interest_every_months=row.interest_every,
        )  # R2, R8, R12
        exposure = self._exposure_of(row.product, row.start, actor)
        exposure.check_headroom(
            principal_fen=row.principal_fen,
            multiple=leverage_multiple(terms),
            pool_funds_fen=sum(pool.available_fen for pool in pools),
        )  # R3
        cover = self._issue_cover(row, loan, terms)
        self._bring_up_to_date(row, loan, cover, actor)
        # Every step passed: now the row may change what the batch shares.
        if new_enterprise is not None:
            self._add(new_enterprise)
        enterprise.take_loan(
            product=row.product, loan=loan.id, effective_date=row.start, actor=actor
        )
        if exposure.id not in self._aggregates:
            self._add(self._opening.pop(row.product))
        exposure.cover(
            loan=loan.id, principal_fen=row.principal_fen, effective_date=row.start, actor=actor
        )
        if loan.principal_repaid_fen and row.repaid_on is not None:
            exposure.reduce(
                loan=loan.id,
                principal_fen=loan.principal_repaid_fen,
                effective_date=row.repaid_on,
                actor=actor,
            )
        if loan.written_off_on is not None:
            exposure.write_off(
                loan=loan.id,
                remaining_fen=loan.exposure_fen,
                effective_date=loan.written_off_on,
                actor=actor,
            )
        self._add(loan)
        if cover is not None:
            self._add(cover)
        return IMPORTED

    def _exposure_of(self, product: str, day: date, actor: Actor) -> Exposure:
        """The product's exposure (R3); for its first loan, opened but kept out of the batch
        until a row is admitted, so a refused row opens nothing."""
        found = self._find(Exposure, exposure_id(product))
        if found is not None:
            return found
        if product not in self._opening:
            self._opening[product] = Exposure.open(product=product, effective_date=day, actor=actor)
        return self._opening[product]

    def _issue_cover(
        self, row: LoanRow, loan: Loan, terms: ProductTerms
    ) -> Guarantee | InsurancePolicy | None:
        """The guarantee or policy on the new loan, within the product's bounds (R16, R17)."""
        cover = row.cover
        if cover is None:
            return None
        self._step = COVER
        actor = Actor(cover.party, self.operator, CHANNEL)
        if cover.kind == GUARANTEE:
            self.institution(cover.party, "guarantor", kind="guarantor")
            if cover.reguarantor is not None:
                self.institution(cover.reguarantor, "reguarantor", kind="reguarantor")
            return Guarantee.issue(
                loan=loan,
                terms=terms,
                guarantor=cover.party,
                contract=cover.contract,
                coverage_bps=cover.coverage_bps,
                fee_rate_bps=cover.fee_rate_bps,
                reguarantor=cover.reguarantor,
                reguarantee_fee_bps=cover.reguarantee_fee_bps,
                issued_on=row.start,
                actor=actor,
            )
        self.institution(cover.party, "insurer", kind="insurer")
        return InsurancePolicy.issue(
            loan=loan,
            terms=terms,
            insurer=cover.party,
            number=cover.contract,
            coverage_bps=cover.coverage_bps,
            premium_rate_bps=cover.fee_rate_bps,
            issued_on=row.start,
            actor=actor,
        )

    def _bring_up_to_date(
        self,
        row: LoanRow,
        loan: Loan,
        cover: Guarantee | InsurancePolicy | None,
        actor: Actor,
    ) -> None:
        """Records the row's lifecycle on its loan, in order: disbursed, repaid to date,
        defaulted, written off; a paid-off loan's guarantee is released."""
        if row.disbursed_fen:
            self._step = DISBURSE
            loan.disburse(
                amount_fen=row.disbursed_fen,
                value_date=row.disbursed_on,
                ref=DISBURSED_REF,
                actor=actor,
            )
        if row.principal_repaid_fen or row.interest_repaid_fen:
            self._step = REPAY
            assert row.repaid_on is not None  # the row reader dates every repayment
            if row.repaid_on < row.disbursed_on:
                raise InvalidInput(
                    "date", f"{row.repaid_on} is before the disbursement on {row.disbursed_on}"
                )
            loan.repay(
                principal_fen=row.principal_repaid_fen,
                interest_fen=row.interest_repaid_fen,
                value_date=row.repaid_on,
                ref=f"{REPAID_REF}:{row.repaid_on.isoformat()}",
                actor=actor,
            )
        if row.lifecycle in (DEFAULTED, WRITTEN_OFF):
            self._default(row, loan, actor)
        if row.lifecycle == PAID_OFF_ROW:
            self._step = STATUS
            if loan.state != PAID_OFF:
                raise InvalidInput(
                    "status",
                    f"paid off in the file, but the loan still owes "
                    f"{format_yuan(loan.outstanding_fen)} of the "
                    f"{format_yuan(loan.disbursed_fen)} disbursed (principal "
                    f"{format_yuan(loan.principal_fen)})",
                )
            if isinstance(cover, Guarantee) and loan.paid_off_on is not None:
                cover.release(
                    loan=loan,
                    effective_date=loan.paid_off_on,
                    actor=Actor(cover.guarantor, self.operator, CHANNEL),
                )

    def _default(self, row: LoanRow, loan: Loan, actor: Actor) -> None:
        self._step = DEFAULT
        assert row.defaulted_on is not None  # the row reader requires it for this lifecycle
        if row.repaid_on is not None and row.defaulted_on < row.repaid_on:
            raise InvalidInput(
                "date", f"{row.defaulted_on} is before the repayments valued {row.repaid_on}"
            )
        loan.declare_default(default_date=row.defaulted_on, reason=row.default_reason, actor=actor)
        if row.lifecycle != WRITTEN_OFF:
            return
        self._step = WRITE_OFF
        assert row.written_off_on is not None
        if row.written_off_fen is not None and row.written_off_fen != loan.outstanding_fen:
            raise InvalidInput(
                "amount",
                f"the file writes off {format_yuan(row.written_off_fen)} but the loan owes "
                f"{format_yuan(loan.outstanding_fen)} (disbursed "
                f"{format_yuan(loan.disbursed_fen)}, repaid "
                f"{format_yuan(loan.principal_repaid_fen)})",
            )
        loan.write_off(effective_date=row.written_off_on, reason=row.write_off_reason, actor=actor)

    # -- a loan already in the ledger (R14) ----------------------------------------------------

    def _check_as_recorded(self, loan: Loan, row: LoanRow) -> None:
        """Raises Conflict naming the first field in which the ledger's loan (or its cover)
        differs from the row: the import never changes a loan it finds."""
        conflict = registration_conflict(loan, row)
        if conflict is None:
            self._step = STATUS
            conflict = lifecycle_conflict(loan, row)
        if conflict is None and row.cover is not None:
            self._step = COVER
            found = (
                self.guarantee_on(loan.id)
                if row.cover.kind == GUARANTEE
                else self.policy_on(loan.id)
            )
            conflict = cover_conflict(row, row.cover, found)
        if conflict is not None:
            raise conflict
