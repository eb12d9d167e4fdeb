"""The demo programme planned as dated ledger commands: deterministic for a seed, no I/O.

The plan is a list of `Step`s, each naming one `Session` command and its arguments (or the
month-end close of business), sorted by business date. The builder replays them in that
order, so the event log reads like a programme recorded day by day and every rule is
checked when it would have been.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidInput
from domain.terms import ProductTerms
from ledger.demo.budgets import pool_budgets
from ledger.demo.claims import plan_blacklisting, plan_claims
from ledger.demo.dates import (
    AS_OF,
    FIRST_START,
    INSTITUTIONS_ON,
    LPR_1Y_BPS,
    POOLS_OPEN_ON,
    month_ends,
)
from ledger.demo.enterprises import DemoEnterprise, make_enterprises
from ledger.demo.institutions import (
    CLOSE_OF_BUSINESS,
    FUND_MANAGER,
    INSTITUTIONS,
    POOLS,
    demo_terms,
)
from ledger.demo.lifecycle import Default, plan_loan_life
from ledger.demo.loans import LoanBook, PlannedLoan
from ledger.demo.register import RegisterEntry
from ledger.demo.steps import CLOSE_DAY, Step, Steps

FULL_SIZE_LOANS = 2400
MAX_LOANS = 20_000
ENTERPRISES_PER_100_LOANS = 55


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Everything the demo will record, in business-date order."""

    seed: int
    enterprises: tuple[DemoEnterprise, ...]
    register: tuple[RegisterEntry, ...]
    loans: tuple[PlannedLoan, ...]
    defaults: tuple[Default, ...]
    steps: tuple[Step, ...]

    def count(self, command: str) -> int:
        """How many steps give `command`."""
        return sum(1 for step in self.steps if step.command == command)


def plan_setup(
    steps: Steps,
    terms: Iterable[ProductTerms],
    budgets: Mapping[str, Sequence[tuple[date, int]]],
) -> None:
    """Adds the institutions, the LPR history, products, pools and the pools' contributions,
    and a close of business at every month end."""
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
    for day, rate_bps in LPR_1Y_BPS:
        steps.add(day, "set_lpr", FUND_MANAGER, effective_from=day, rate_bps=rate_bps)
    for product in terms:
        steps.add(product.effective_from, "define_product", FUND_MANAGER, terms=product)
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
        for year, tranches in itertools.groupby(budgets[pool.code], key=lambda t: t[0].year):
            for number, (day, amount_fen) in enumerate(tranches, start=1):
                steps.add(
                    day,
                    "fund_pool",
                    FUND_MANAGER,
                    pool=pool.code,
                    amount_fen=amount_fen,
                    funder=pool.owner,
                    ref=f"{pool.ref_prefix}-{year}-{number:02d}",
                    effective_date=day,
                )
    for day in month_ends(FIRST_START, AS_OF):
        steps.add(day, CLOSE_DAY, CLOSE_OF_BUSINESS)


def plan_register_steps(
    steps: Steps, enterprises: Sequence[DemoEnterprise], register: Sequence[RegisterEntry]
) -> None:
    """Adds each enterprise to the register (企业库) with the qualifications it holds (R1)."""
    for enterprise, entry in zip(enterprises, register, strict=True):
        steps.add(
            entry.entered_on,
            "add_enterprise",
            FUND_MANAGER,
            uscc=enterprise.uscc,
            name=enterprise.name,
            region=enterprise.region,
            effective_date=entry.entered_on,
        )
        for qualification in entry.qualifications:
            steps.add(
                qualification.valid_from,
                "grant_qualification",
                FUND_MANAGER,
                uscc=enterprise.uscc,
                name=qualification.name,
                valid_from=qualification.valid_from,
                valid_to=qualification.valid_to,
                certificate=qualification.certificate,
            )


def plan_demo(*, seed: int = 2024, loans: int = FULL_SIZE_LOANS) -> DemoPlan:
    """Returns the demo programme for `seed` and `loans`: the same inputs, the same plan."""
    if not 1 <= loans <= MAX_LOANS:
        raise InvalidInput("loans", f"the demo takes 1 to {MAX_LOANS} loans, not {loans}")
    rng = random.Random(seed)
    terms: Mapping[str, ProductTerms] = {product.code: product for product in demo_terms()}
    steps = Steps()
    enterprises = make_enterprises(rng, (loans * ENTERPRISES_PER_100_LOANS + 99) // 100)
    book = LoanBook(rng, terms, enterprises)
    planned_loans = book.plan(loans)
    # Set-up first: on a shared day a pool is funded before the loans it covers.
    plan_setup(steps, terms.values(), pool_budgets(terms, planned_loans))
    plan_register_steps(steps, enterprises, book.register)
    defaults = []
    for loan in planned_loans:
        default = plan_loan_life(steps, loan, rng, terms[loan.product])
        if default is not None:
            defaults.append(default)
    plan_blacklisting(steps, defaults)
    plan_claims(steps, defaults, rng, terms)
    return DemoPlan(
        seed=seed,
        enterprises=tuple(enterprises),
        register=tuple(book.register),
        loans=tuple(planned_loans),
        defaults=tuple(defaults),
        steps=steps.by_date(AS_OF),
    )
