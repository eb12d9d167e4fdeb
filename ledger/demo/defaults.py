"""Which planned loans stop paying, and at which instalment: ~5% of each product's loans over
their lives, ~3% within the demo.

The choice is made loan by loan as the book is planned (systematic sampling: each loan adds
5% of a default to its product's count, and a loan defaults when the count reaches one),
so defaults follow the book's growth, and the planner knows, when it plans a borrower's next
loan, that the borrower is in arrears.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from domain.schedule import INTEREST_ONLY
from ledger.demo.dates import AS_OF

if TYPE_CHECKING:
    from ledger.demo.loans import PlannedLoan

# Over their whole lives; those that fail after the demo's as-of date pay throughout it.
DEFAULTS_PER_1000_LOANS = 50
DECLARED_DEFAULTS_PCT = 15
# A default shows at the first month-end close 90 days after the missed payment; leave the
# claim some months to run before the as-of date (some are still in hand then).
LAST_MISSED_PAYMENT = AS_OF - timedelta(days=110)
# Each product's first default comes early enough for its claim to be settled by the as-of
# date, so even a small demo shows every party's burden.
SETTLED_MISSED_PAYMENT = AS_OF - timedelta(days=365)
# A product with this many loans has at least one default.
LOANS_FOR_A_DEFAULT = 10


def missable(loan: PlannedLoan, latest: date) -> list[tuple[int, float]]:
    """The instalments due by `latest` at which the loan may stop paying, with their odds.

    A loan seldom fails in its first months (it was just underwritten) and most often in its
    second half-year to its second year; a bullet repayment at maturity often fails.
    """
    last = len(loan.instalments)
    bullet = loan.schedule == INTEREST_ONLY
    odds = []
    for instalment in loan.instalments:
        if instalment.due_date > latest:
            break
        months = instalment.number * loan.interest_every_months
        seasoning = 0.2 if months <= 3 else 0.6 if months <= 6 else 1.0 if months <= 18 else 0.6
        at_maturity = 3.0 if bullet and instalment.number == last else 1.0
        odds.append((instalment.number, seasoning * at_maturity))
    return odds


class DefaultPlanner:
    """Decides for each loan, in start order, whether and where it stops paying."""

    def __init__(self, rng: random.Random, products: Sequence[str]) -> None:
        self.rng = rng
        # Each product's count starts close enough to one that its first few loans hold a
        # default; the first is one early enough to settle.
        self.count = {
            product: 1 - DEFAULTS_PER_1000_LOANS * LOANS_FOR_A_DEFAULT / 1000 * rng.random()
            for product in products
        }
        self.first_planned: set[str] = set()

    def decide(self, loan: PlannedLoan) -> PlannedLoan:
        """Returns the loan as planned, or stopping at an instalment.

        A loan picked to default stops at an instalment anywhere in its life; one after the
        demo's last missed payment leaves it paying throughout the demo.
        """
        count = self.count[loan.product] + DEFAULTS_PER_1000_LOANS / 1000
        self.count[loan.product] = count
        first = loan.product not in self.first_planned
        options = missable(loan, SETTLED_MISSED_PAYMENT if first else loan.maturity)
        if count < 1 or not options:
            return loan  # too young to miss a payment in time: the next loan defaults instead
        self.count[loan.product] = count - 1
        self.first_planned.add(loan.product)
        numbers, odds = zip(*options, strict=True)
        missed = self.rng.choices(numbers, odds)[0]
        declared = self.rng.randrange(100) < DECLARED_DEFAULTS_PCT
        if loan.instalments[missed - 1].due_date > LAST_MISSED_PAYMENT:
            return loan
        return replace(loan, missed_instalment=missed, declared_default=declared)
