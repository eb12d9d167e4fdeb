"""The circuit breaker (R4) at close of business, and a product's standing against it.

The close of business already loads every open loan to classify it; the same loans, on the
same day, give each bank's NPL ratio and each product's overdue ratio, and the product's
exposure gives its compensation rate. The verdicts are recorded on the product in the
save that closes the day, so a day's figures and the day's close stand or fall together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.exposure import Exposure, leverage_multiple
from domain.ids import exposure_id
from domain.loan import Loan
from domain.product import Breaker, Product
from domain.suspension import (
    BankFigures,
    LoanStanding,
    ProductFigures,
    bank_verdict,
    product_verdict,
    standing_of,
    tally,
)
from ledger.session import SessionBase

if TYPE_CHECKING:
    from ledger.app import RiskLedger

PAGE = 1000
_DEFINED = get_topic(Product.Defined)
_REGISTERED = get_topic(Loan.Registered)


class SuspensionCommands(SessionBase):
    """The close of business's circuit breaker: figures from loans, verdicts on products."""

    def loan_standings(self, loans: Sequence[UUID], as_of: date) -> list[LoanStanding]:
        """Returns the standing on `as_of` of each loan with principal outstanding then."""
        standings = []
        for loan_id in loans:
            loan = self._find(Loan, loan_id)
            if loan is None:
                continue
            terms = self.product(loan.product).terms_version(loan.terms_version)
            standing = standing_of(loan, terms.classification, as_of)
            if standing is not None:
                standings.append(standing)
        return standings

    def trip_breakers(
        self, products: Iterable[str], standings: Iterable[LoanStanding], as_of: date, actor: Actor
    ) -> list[str]:
        """Suspends and resumes banks, stops and restarts products, as `as_of`'s figures call
        for (R4); returns one line per change. A rerun for the same day changes nothing."""
        figures = tally(standings)
        changes: list[str] = []
        for code in products:
            product = self.product(code)
            try:
                _, terms = product.terms_on(as_of)
            except RuleViolation:
                continue  # no terms in force yet: no loans to judge
            found = self._with_exposure(code, figures.get(code, ProductFigures()), as_of)
            for bank in sorted(set(found.banks) | set(product.suspended_banks)):
                verdict = bank_verdict(
                    bank in product.suspended_banks,
                    found.banks.get(bank, BankFigures()),
                    terms.suspension,
                )
                if verdict is not None and product.apply_bank_verdict(
                    bank=bank, verdict=verdict, effective_date=as_of, actor=actor
                ):
                    state = "suspended" if verdict.suspend else "resumed"
                    changes.append(f"{code}: {bank} {state} ({verdict.describe()})")
            stopped_for = product.stopped.figure if product.stopped is not None else None
            verdict = product_verdict(stopped_for, found, terms.suspension)
            if verdict is not None and product.apply_product_verdict(
                verdict=verdict, effective_date=as_of, actor=actor
            ):
                state = "stopped" if verdict.suspend else "restarted"
                changes.append(f"{code}: {state} ({verdict.describe()})")
        return changes

    def product_status(self, code: str, as_of: date) -> dict[str, Any]:
        """Returns the product's circuit-breaker figures and states on `as_of`, per bank and
        as a whole, and its leverage now (R3, R4): fen, bps and ISO dates, as plain values.

        Every loan ever registered under the product is read, so that loans paid off since
        still count on an earlier `as_of`.
        """
        product = self.product(code)
        _, terms = product.terms_near(as_of)
        loans = [self._load(Loan, loan, "loan", str(loan)) for loan in loans_under(self._app, code)]
        figures = tally(self.loan_standings([loan.id for loan in loans], as_of))
        exposure = self._find(Exposure, exposure_id(code))
        found = replace(
            figures.get(code, ProductFigures()),
            registered_fen=sum(loan.principal_fen for loan in loans if loan.start_date <= as_of),
            compensated_fen=exposure.compensated_on(as_of) if exposure is not None else 0,
        )
        suspended, stopped = product.breakers_on(as_of)
        multiple = leverage_multiple(product.latest)
        funds = sum(self.pool(pool).available_fen for pool in product.pools.values())
        covered = exposure.covered_fen if exposure is not None else 0
        limit = None if multiple is None else multiple * funds
        return {
            "product": code,
            "name": product.name,
            "as_of": as_of.isoformat(),
            "state": "stopped" if stopped is not None else "open",
            "stopped": _breaker_record(stopped),
            "npl_suspend_bps": terms.suspension.npl_suspend_bps,
            "npl_resume_bps": terms.suspension.npl_resume_bps,
            "outstanding_fen": found.outstanding_fen,
            "npl_fen": found.npl_fen,
            "overdue_fen": found.overdue_fen,
            "overdue_ratio_bps": found.overdue_ratio_bps,
            "max_overdue_ratio_bps": terms.suspension.max_overdue_ratio_bps,
            "registered_fen": found.registered_fen,
            "compensated_fen": found.compensated_fen,
            "compensation_rate_bps": found.compensation_rate_bps,
            "max_compensation_rate_bps": terms.suspension.max_compensation_rate_bps,
            "banks": _bank_rows(found, suspended),
            "leverage": {
                "covered_fen": covered,
                "pool_funds_fen": funds,
                "multiple": multiple,
                "limit_fen": limit,
                "headroom_fen": None if limit is None else max(limit - covered, 0),
            },
        }

    def _with_exposure(self, code: str, figures: ProductFigures, as_of: date) -> ProductFigures:
        """The figures with the principal the product ever covered and has compensated."""
        exposure = self._find(Exposure, exposure_id(code))
        if exposure is None:
            return figures
        return replace(
            figures,
            registered_fen=exposure.registered_fen,
            compensated_fen=exposure.compensated_on(as_of),
        )


def products_defined(ledger: RiskLedger) -> list[str]:
    """Returns the code of every product, in the order they were defined."""
    codes: list[str] = []
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE, topics=(_DEFINED,))
        codes.extend(ledger.mapper.to_domain_event(n).code for n in page)
        if len(page) < PAGE:
            return codes
        start = page[-1].id + 1


def loans_under(ledger: RiskLedger, product: str) -> list[UUID]:
    """Returns every loan ever registered under `product`, in order of registration."""
    loans: list[UUID] = []
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE, topics=(_REGISTERED,))
        for notification in page:
            if ledger.mapper.to_domain_event(notification).product == product:
                loans.append(notification.originator_id)
        if len(page) < PAGE:
            return loans
        start = page[-1].id + 1


def _breaker_record(record: Breaker | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "since": record.day.isoformat(),
        "figure": record.figure,
        "figure_bps": record.figure_bps,
        "threshold_bps": record.threshold_bps,
    }


def _bank_rows(figures: ProductFigures, suspended: dict[str, Breaker]) -> list[dict[str, Any]]:
    rows = []
    for bank in sorted(set(figures.banks) | set(suspended)):
        book = figures.banks.get(bank, BankFigures())
        rows.append(
            {
                "bank": bank,
                "outstanding_fen": book.outstanding_fen,
                "npl_fen": book.npl_fen,
                "npl_ratio_bps": book.npl_ratio_bps,
                "state": "suspended" if bank in suspended else "active",
                "suspended": _breaker_record(suspended.get(bank)),
            }
        )
    return rows
