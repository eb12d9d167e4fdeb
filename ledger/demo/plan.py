"""The demo programme planned as dated ledger commands: deterministic for a seed, no I/O.

The plan is a list of `Step`s, each naming one `Session` command and its arguments, sorted
by business date. The builder replays them in that order, so the event log reads like a
programme recorded day by day and every rule is checked when it would have been.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput
from domain.terms import ProductTerms
from ledger.demo.dates import (
    AS_OF,
    INSTITUTIONS_ON,
    LAST_START,
    POOLS_OPEN_ON,
    REGISTER_FROM,
    next_weekday,
)
from ledger.demo.enterprises import DemoEnterprise, make_enterprises
from ledger.demo.institutions import FUND_MANAGER, INSTITUTIONS, POOLS, demo_terms
from ledger.demo.lifecycle import plan_claims, plan_loan_life
from ledger.demo.loans import LoanBook, PlannedLoan
from ledger.demo.steps import Step, Steps

FULL_SIZE_LOANS = 2400
MAX_LOANS = 20_000
ENTERPRISES_PER_100_LOANS = 55


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Everything the demo will record, in business-date order."""

    seed: int
    enterprises: tuple[DemoEnterprise, ...]
    loans: tuple[PlannedLoan, ...]
    steps: tuple[Step, ...]

    def count(self, command: str) -> int:
        """How many steps give `command`."""
        return sum(1 for step in self.steps if step.command == command)

    @property
    def defaults(self) -> int:
        return sum(1 for loan in self.loans if loan.missed_instalment is not None)

    @property
    def paid_off(self) -> int:
        """Loans that reach maturity, fully repaid, by the as-of date."""
        return sum(
            1 for loan in self.loans if loan.missed_instalment is None and loan.maturity <= AS_OF
        )


def plan_setup(steps: Steps, terms: Sequence[ProductTerms], loan_count: int) -> None:
    """Adds the institutions, products, pools and the pools' yearly contributions."""
    for institution in INSTITUTIONS:
        steps.add(
            INSTITUTIONS_ON,
            "add_institution",
            FUND_MANAGER,
            code=institution.code,
            kind=institution.kind,
            name=institution.name,
            region=institution.region,
            level=institution.level,
            effective_date=INSTITUTIONS_ON,
        )
    for product in terms:
        steps.add(product.effective_from, "define_product", FUND_MANAGER, terms=product)
    # Budgets follow the programme's size, rounded to 100万元, so a small demo is not
    # absurdly over-funded.
    scale = max(loan_count / FULL_SIZE_LOANS, 0.05)
    for pool in POOLS:
        steps.add(
            POOLS_OPEN_ON,
            "open_pool",
            FUND_MANAGER,
            code=pool.code,
            name=pool.name,
            owner=pool.owner,
            level=pool.level,
            products=list(pool.products),
            effective_date=POOLS_OPEN_ON,
        )
        for year, tranches in itertools.groupby(pool.tranches, key=lambda t: t[0].year):
            for number, (day, yuan) in enumerate(tranches, start=1):
                steps.add(
                    day,
                    "fund_pool",
                    FUND_MANAGER,
                    pool=pool.code,
                    amount_fen=max(1, round(yuan * scale / 1_000_000)) * 100_000_000,
                    funder=pool.owner,
                    ref=f"{pool.ref_prefix}-{year}-{number:02d}",
                    effective_date=day,
                )


def plan_enterprises(
    steps: Steps,
    enterprises: Sequence[DemoEnterprise],
    loans: Sequence[PlannedLoan],
    rng: random.Random,
) -> None:
    """Adds each enterprise to the register (企业库) some weeks before its first loan."""
    first_start: dict[str, date] = {}
    for loan in loans:
        first_start.setdefault(loan.uscc, loan.start_date)
    span = (LAST_START - REGISTER_FROM).days
    for enterprise in enterprises:
        start = first_start.get(enterprise.uscc)
        if start is None:
            day = REGISTER_FROM + timedelta(days=rng.randint(0, span))
        else:
            day = max(REGISTER_FROM, start - timedelta(days=rng.randint(14, 120)))
        day = next_weekday(day)
        steps.add(
            day,
            "add_enterprise",
            FUND_MANAGER,
            uscc=enterprise.uscc,
            name=enterprise.name,
            region=enterprise.region,
            effective_date=day,
        )


def plan_demo(*, seed: int = 2024, loans: int = FULL_SIZE_LOANS) -> DemoPlan:
    """Returns the demo programme for `seed` and `loans`: the same inputs, the same plan."""
    if not 1 <= loans <= MAX_LOANS:
        raise InvalidInput("loans", f"the demo takes 1 to {MAX_LOANS} loans, not {loans}")
    rng = random.Random(seed)
    terms: Mapping[str, ProductTerms] = {product.code: product for product in demo_terms()}
    steps = Steps()
    enterprises = make_enterprises(rng, (loans * ENTERPRISES_PER_100_LOANS + 99) // 100)
    plan_setup(steps, list(terms.values()), loans)
    planned_loans = LoanBook(rng, terms, enterprises).plan(loans)
    plan_enterprises(steps, enterprises, planned_loans, rng)
    defaulted = []
    for loan in planned_loans:
        default_date = plan_loan_life(steps, loan, rng, terms[loan.product])
        if default_date is not None:
            defaulted.append((loan, default_date))
    plan_claims(steps, defaulted, rng, terms)
    return DemoPlan(
        seed=seed,
        enterprises=tuple(enterprises),
        loans=tuple(planned_loans),
        steps=steps.by_date(),
    )
