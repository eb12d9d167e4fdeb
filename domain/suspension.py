"""The circuit breaker (R4): the figures it watches and the verdicts it reaches on them.

A bank's new loans under a product are suspended while its NPL ratio there is at or above
the suspend threshold, and resume only once it falls below the lower resume threshold: the
gap between the two keeps a bank near the line from flapping day by day. A product stops as
a whole when its compensation rate or its overdue ratio reaches its cap, and restarts once
every capped figure is below its cap again.

Ratios are integer basis points rounded down, so a ratio is at or above a whole-bps
threshold exactly when the true fraction is. Everything here is pure: the close of business
gathers the figures from the loans and the product's exposure, and records the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.classification import classify, is_non_performing
from domain.loan import Loan
from domain.money import WHOLE_BPS, format_bps
from domain.terms import Classification, Suspension

NPL_RATIO = "npl_ratio"
COMPENSATION_RATE = "compensation_rate"
OVERDUE_RATIO = "overdue_ratio"
FIGURE_NAMES = {
    NPL_RATIO: "NPL ratio",
    COMPENSATION_RATE: "compensation rate",
    OVERDUE_RATIO: "overdue ratio",
}


def ratio_bps(part_fen: int, whole_fen: int) -> int:
    """Returns part ÷ whole in basis points, rounded down; 0 when the whole is nothing."""
    if whole_fen <= 0:
        return 0
    return part_fen * WHOLE_BPS // whole_fen


@dataclass(frozen=True, slots=True)
class LoanStanding:
    """What one loan adds to its product's figures on a day: its outstanding principal, and
    whether it is non-performing (次级, 可疑, 损失) and whether it is past due at all."""

    product: str
    bank: str
    outstanding_fen: int
    non_performing: bool
    overdue: bool


def standing_of(loan: Loan, bounds: Classification, as_of: date) -> LoanStanding | None:
    """Returns the loan's standing on `as_of`; None when nothing of it is outstanding then.

    Outstanding is principal disbursed and not repaid by `as_of` (value dates), less what
    was written off by then: the balance on the bank's books that its NPL ratio is over.
    """
    if loan.start_date > as_of or (loan.paid_off_on is not None and loan.paid_off_on <= as_of):
        return None
    standing = loan.statement_on(as_of)
    outstanding = standing.outstanding_fen
    if loan.written_off_on is not None and loan.written_off_on <= as_of:
        outstanding -= loan.written_off_fen
    if outstanding <= 0:
        return None
    days = standing.days_past_due
    return LoanStanding(
        product=loan.product,
        bank=loan.bank,
        outstanding_fen=outstanding,
        non_performing=is_non_performing(classify(days, bounds)),
        overdue=days > 0,
    )


@dataclass(frozen=True, slots=True)
class BankFigures:
    """A bank's outstanding principal under one product and the non-performing part of it."""

    outstanding_fen: int = 0
    npl_fen: int = 0

    @property
    def npl_ratio_bps(self) -> int:
        return ratio_bps(self.npl_fen, self.outstanding_fen)


@dataclass(frozen=True, slots=True)
class ProductFigures:
    """What the circuit breaker watches on one product: each bank's book, the part of the
    product's outstanding past due, and principal ever covered against principal compensated."""

    banks: Mapping[str, BankFigures] = field(default_factory=dict)
    overdue_fen: int = 0
    registered_fen: int = 0
    compensated_fen: int = 0

    @property
    def outstanding_fen(self) -> int:
        return sum(book.outstanding_fen for book in self.banks.values())

    @property
    def npl_fen(self) -> int:
        return sum(book.npl_fen for book in self.banks.values())

    @property
    def overdue_ratio_bps(self) -> int:
        return ratio_bps(self.overdue_fen, self.outstanding_fen)

    @property
    def compensation_rate_bps(self) -> int:
        return ratio_bps(self.compensated_fen, self.registered_fen)


def tally(standings: Iterable[LoanStanding]) -> dict[str, ProductFigures]:
    """Returns each product's figures from its loans' standings, banks in code order.

    Principal covered and compensated come from the product's exposure, not from loans:
    they are left at zero here for the caller to fill in.
    """
    books: dict[str, dict[str, list[int]]] = {}
    overdue: dict[str, int] = {}
    for standing in standings:
        book = books.setdefault(standing.product, {}).setdefault(standing.bank, [0, 0])
        book[0] += standing.outstanding_fen
        if standing.non_performing:
            book[1] += standing.outstanding_fen
        if standing.overdue:
            overdue[standing.product] = overdue.get(standing.product, 0) + standing.outstanding_fen
    return {
        product: ProductFigures(
            banks={bank: BankFigures(*banks[bank]) for bank in sorted(banks)},
            overdue_fen=overdue.get(product, 0),
        )
        for product, banks in books.items()
    }


@dataclass(frozen=True, slots=True)
class Verdict:
    """A change the figures call for: `suspend` (or stop) when True, resume when False.

    `figure` names the ratio decided on (NPL ratio, compensation rate, overdue ratio),
    `figure_bps` is its value and `threshold_bps` the bound it reached or fell below.
    """

    suspend: bool
    figure: str
    figure_bps: int
    threshold_bps: int | None  # None: the figure is no longer capped by the terms

    def describe(self) -> str:
        """Says in words what was decided on, e.g. 'NPL ratio 5.00% ≥ 5.00%'."""
        figure = f"{FIGURE_NAMES[self.figure]} {format_bps(self.figure_bps)}"
        if self.threshold_bps is None:
            return f"{figure}, no longer capped"
        return f"{figure} {'≥' if self.suspend else '<'} {format_bps(self.threshold_bps)}"


def bank_verdict(suspended: bool, figures: BankFigures, terms: Suspension) -> Verdict | None:
    """Returns the change a bank's NPL ratio calls for, or None when its state stands.

    An active bank is suspended at or above the suspend threshold; a suspended bank resumes
    only below the resume threshold (hysteresis).
    """
    ratio = figures.npl_ratio_bps
    if not suspended and ratio >= terms.npl_suspend_bps:
        return Verdict(True, NPL_RATIO, ratio, terms.npl_suspend_bps)
    if suspended and ratio < terms.npl_resume_bps:
        return Verdict(False, NPL_RATIO, ratio, terms.npl_resume_bps)
    return None


def product_verdict(
    stopped_for: str | None, figures: ProductFigures, terms: Suspension
) -> Verdict | None:
    """Returns the change a product's figures call for, or None when its state stands.

    A running product stops when its compensation rate or overdue ratio reaches its cap
    (the compensation rate named first when both do); a product stopped for a figure
    restarts once every capped figure is below its cap.
    """
    capped = [
        (COMPENSATION_RATE, figures.compensation_rate_bps, terms.max_compensation_rate_bps),
        (OVERDUE_RATIO, figures.overdue_ratio_bps, terms.max_overdue_ratio_bps),
    ]
    reached = [
        (name, value, cap) for name, value, cap in capped if cap is not None and value >= cap
    ]
    if stopped_for is None:
        if reached:
            name, value, cap = reached[0]
            return Verdict(True, name, value, cap)
        return None
    if reached:
        return None
    for name, value, cap in capped:
        if name == stopped_for:
            return Verdict(False, name, value, cap)
    raise ValueError(f"a product cannot be stopped for {stopped_for!r}")
