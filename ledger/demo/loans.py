"""The demo's loans: who borrows how much, from which bank, on what terms, and who defaults."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from domain.errors import InvalidInput
from domain.schedule import (
    ANNUITY,
    EQUAL_PRINCIPAL,
    INTEREST_ONLY,
    Instalment,
    add_months,
    build_schedule,
)
from domain.terms import ProductTerms
from ledger.demo.dates import FIRST_START, LAST_START, lpr_on
from ledger.demo.defaults import DefaultPlanner
from ledger.demo.enterprises import DemoEnterprise
from ledger.demo.institutions import BANKS, DemoBank
from ledger.demo.register import RegisterEntry, plan_register

MIN_RATE_BPS, MAX_RATE_BPS = 300, 520
GUARANTEE, POLICY = "guarantee", "policy"

Weighted = tuple[tuple[Any, float], ...]


@dataclass(frozen=True, slots=True)
class LoanProfile:
    """How a product's loans look: principal bands in 万元 with weights, rate spread over the
    LPR, repayment schedules (kind, months between payments) and terms, each with weights.

    The float fields are probabilities for the seeded random choices, never amounts: every
    principal is drawn in whole 万元 and every amount the ledger sees is integer fen."""

    product: str
    borrower_share: float
    principal_bands_wan: tuple[tuple[int, int, float], ...]
    spread_bps: tuple[int, int]
    schedules: Weighted
    terms: Weighted
    pure_credit_share: float

    @property
    def smallest_wan(self) -> int:
        return self.principal_bands_wan[0][0]


# 苏科贷 prices at LPR + up to 40bp (its cap); 通科贷 lends larger amounts at wider spreads;
# 科创贷's guaranteed loans run largest; 科技保 insures small, mostly amortising loans.
PROFILES = (
    LoanProfile(
        "SKD",
        0.38,
        ((50, 100, 0.30), (100, 200, 0.35), (200, 300, 0.20), (300, 500, 0.15)),
        (0, 40),
        (
            ((INTEREST_ONLY, 1), 0.55),
            ((INTEREST_ONLY, 3), 0.25),
            ((ANNUITY, 1), 0.10),
            ((EQUAL_PRINCIPAL, 1), 0.10),
        ),
        ((12, 0.50), (24, 0.30), (36, 0.20)),
        0.45,
    ),
    LoanProfile(
        "TKD",
        0.31,
        ((100, 300, 0.40), (300, 500, 0.30), (500, 800, 0.20), (800, 1000, 0.10)),
        (20, 150),
        (
            ((INTEREST_ONLY, 1), 0.35),
            ((INTEREST_ONLY, 3), 0.35),
            ((ANNUITY, 1), 0.15),
            ((EQUAL_PRINCIPAL, 3), 0.15),
        ),
        ((12, 0.45), (24, 0.35), (36, 0.20)),
        0.45,
    ),
    LoanProfile(
        "KCD",
        0.15,
        ((100, 300, 0.40), (300, 500, 0.35), (500, 800, 0.15), (800, 1200, 0.10)),
        (30, 120),
        (((INTEREST_ONLY, 1), 0.50), ((INTEREST_ONLY, 3), 0.20), ((EQUAL_PRINCIPAL, 1), 0.30)),
        ((12, 0.40), (24, 0.35), (36, 0.25)),
        0.0,  # guaranteed, so never a pure-credit loan
    ),
    LoanProfile(
        "KJB",
        0.16,
        ((30, 100, 0.40), (100, 200, 0.35), (200, 300, 0.15), (300, 500, 0.10)),
        (60, 150),
        (((ANNUITY, 1), 0.50), ((INTEREST_ONLY, 1), 0.30), ((EQUAL_PRINCIPAL, 1), 0.20)),
        ((12, 0.70), (24, 0.30)),
        0.0,  # insured
    ),
)
# Guarantees cover 80% to 100% at fees up to 科创贷's 1% (re-guarantee up to 0.5%); policies
# cover 70% to 100% at premiums up to 科技保's 2.7%.
GUARANTEE_COVERAGE: Weighted = ((8000, 0.6), (9000, 0.25), (10_000, 0.15))
GUARANTEE_FEE: Weighted = ((80, 0.3), (90, 0.3), (100, 0.4))
REGUARANTEE_FEE: Weighted = ((30, 0.3), (40, 0.3), (50, 0.4))
POLICY_COVERAGE: Weighted = ((7000, 0.5), (8000, 0.3), (10_000, 0.2))
PREMIUM: Weighted = ((150, 0.2), (200, 0.35), (250, 0.25), (270, 0.2))


def pick(rng: random.Random, weighted: Weighted) -> Any:
    """Returns one of the weighted choices."""
    return rng.choices([choice for choice, _ in weighted], [w for _, w in weighted])[0]


@dataclass(frozen=True, slots=True)
class Cover:
    """The guarantee or insurance policy on a loan: its reference, coverage and yearly rates."""

    kind: str
    reference: str
    coverage_bps: int
    rate_bps: int
    reguarantee_fee_bps: int | None = None


@dataclass(frozen=True)
class PlannedLoan:
    """A loan's registration terms, its cover, and, when it defaults, how."""

    number: int
    bank: str
    reference: str
    uscc: str
    product: str
    principal_fen: int
    annual_rate_bps: int
    term_months: int
    start_date: date
    first_loan: bool
    pure_credit: bool
    annual_revenue_fen: int
    schedule: str
    interest_every_months: int
    cover: Cover | None = None
    missed_instalment: int | None = None
    declared_default: bool = False

    @cached_property
    def maturity(self) -> date:
        return add_months(self.start_date, self.term_months)

    @cached_property
    def instalments(self) -> tuple[Instalment, ...]:
        """The schedule the ledger computes for the loan (R12), all principal drawn at start."""
        return build_schedule(
            principal_fen=self.principal_fen,
            annual_rate_bps=self.annual_rate_bps,
            term_months=self.term_months,
            start_date=self.start_date,
            kind=self.schedule,
            interest_every_months=self.interest_every_months,
        )

    def registration(self) -> dict[str, Any]:
        """The `register_loan` arguments, but the bank and its reference (known at replay)."""
        return {
            "uscc": self.uscc,
            "product": self.product,
            "principal_fen": self.principal_fen,
            "annual_rate_bps": self.annual_rate_bps,
            "term_months": self.term_months,
            "start_date": self.start_date,
            "first_loan": self.first_loan,
            "pure_credit": self.pure_credit,
            "annual_revenue_fen": self.annual_revenue_fen,
            "schedule": self.schedule,
            "interest_every_months": self.interest_every_months,
        }

    def is_live_on(self, day: date) -> bool:
        """True when principal is still owed on `day`; a defaulted loan owes it for good."""
        return self.start_date <= day and (
            self.missed_instalment is not None or day < self.maturity
        )


def start_dates(rng: random.Random, count: int) -> list[date]:
    """Returns `count` sorted weekday start dates, busier as the programme grows."""
    days = [
        FIRST_START + timedelta(days=offset)
        for offset in range((LAST_START - FIRST_START).days + 1)
    ]
    days = [day for day in days if day.weekday() < 5]

    def weight(day: date) -> float:
        months_in = (day.year - FIRST_START.year) * 12 + day.month - FIRST_START.month
        # Spring Festival slows February; banks push volume before the year-end review.
        season = {2: 0.6, 12: 1.2}.get(day.month, 1.0)
        return (1.0 + 0.5 * months_in / 23) * season

    return sorted(rng.choices(days, [weight(day) for day in days], k=count))


class LoanBook:
    """Plans loans in start order, remembering what each borrower already owes."""

    def __init__(
        self,
        rng: random.Random,
        terms: Mapping[str, ProductTerms],
        enterprises: Sequence[DemoEnterprise],
    ) -> None:
        self.rng = rng
        self.terms = terms
        self.enterprises = enterprises
        self.profiles = {profile.product: profile for profile in PROFILES}
        share = [profile.borrower_share for profile in PROFILES]
        self.product_of = [rng.choices(PROFILES, share)[0].product for _ in enterprises]
        self.home_bank = [rng.choices(BANKS, [b.weight for b in BANKS])[0] for _ in enterprises]
        # A few enterprises borrow repeatedly; most borrow once or twice.
        self.appetite = list(
            itertools.accumulate(min(rng.paretovariate(1.6), 6.0) for _ in enterprises)
        )
        self.register: list[RegisterEntry] = plan_register(
            rng, enterprises, [terms[product].qualifications for product in self.product_of]
        )
        self.held: dict[int, list[PlannedLoan]] = {}
        self.blocked_from: dict[int, date] = {}
        self.numbers: dict[tuple[str, int], int] = {}
        self.covers: dict[tuple[str, int], int] = {}

    def plan(self, count: int) -> list[PlannedLoan]:
        """Returns `count` loans in start order, ~3% of them defaulting within the demo."""
        defaults = DefaultPlanner(self.rng, [profile.product for profile in PROFILES])
        loans = []
        for index, start in enumerate(start_dates(self.rng, count)):
            borrower = self.choose_borrower(start)
            loan = defaults.decide(self.lend(index, borrower, start))
            if loan.missed_instalment is not None:
                # A borrower in arrears gets no new loan from the programme.
                self.blocked_from[borrower] = loan.instalments[loan.missed_instalment - 1].due_date
            self.held.setdefault(borrower, []).append(loan)
            loans.append(loan)
        return loans

    def borrowing_cap_fen(self, borrower: int) -> int:
        """The most a borrower may owe under its product: per enterprise, else per loan (R2)."""
        limits = self.terms[self.product_of[borrower]].limits
        return limits.max_enterprise_outstanding_fen or limits.max_principal_fen or 10**12

    def headroom_wan(self, borrower: int, start: date) -> int:
        """万元 the borrower may still take on `start` within its product's cap (R2).

        Live loans count at their whole principal (a defaulted one for good), never less than
        the ledger counts, so no registration can break the cap.
        """
        live = sum(
            loan.principal_fen for loan in self.held.get(borrower, []) if loan.is_live_on(start)
        )
        return (self.borrowing_cap_fen(borrower) - live) // 1_000_000

    def can_borrow(self, borrower: int, start: date) -> bool:
        if self.blocked_from.get(borrower, date.max) <= start:
            return False
        product = self.product_of[borrower]
        if not self.register[borrower].may_borrow(self.terms[product].qualifications, start):
            return False
        return self.headroom_wan(borrower, start) >= self.profiles[product].smallest_wan

    def choose_borrower(self, start: date) -> int:
        for _ in range(50):
            pick_at = self.rng.random() * self.appetite[-1]
            borrower = min(bisect.bisect(self.appetite, pick_at), len(self.appetite) - 1)
            if self.can_borrow(borrower, start):
                return borrower
        # Rarely every pick is refused: look through all, from a random place, not the first.
        offset = self.rng.randrange(len(self.enterprises))
        for index in range(len(self.enterprises)):
            borrower = (offset + index) % len(self.enterprises)
            if self.can_borrow(borrower, start):
                return borrower
        raise InvalidInput("loans", "too many loans for the demo's enterprises")

    def choose_bank(self, borrower: int) -> DemoBank:
        if self.rng.random() < 0.85:
            return self.home_bank[borrower]
        return self.rng.choices(BANKS, [b.weight for b in BANKS])[0]

    def lend(self, index: int, borrower: int, start: date) -> PlannedLoan:
        """Returns a new loan to `borrower` starting on `start`."""
        rng = self.rng
        profile = self.profiles[self.product_of[borrower]]
        terms = self.terms[profile.product]
        bank = self.choose_bank(borrower)
        number = self.numbers.get((bank.code, start.year), 0) + 1
        self.numbers[bank.code, start.year] = number
        pure_credit = rng.random() < profile.pure_credit_share
        schedule, every = pick(rng, profile.schedules)
        return PlannedLoan(
            number=index,
            bank=bank.code,
            reference=f"{bank.loan_prefix}{start.year}{number:05d}",
            uscc=self.enterprises[borrower].uscc,
            product=profile.product,
            principal_fen=self.principal_fen(profile, self.headroom_wan(borrower, start)),
            annual_rate_bps=self.rate_bps(profile, start, pure_credit),
            term_months=self.term_months(profile, terms),
            start_date=start,
            first_loan=borrower not in self.held and rng.random() < 0.35,
            pure_credit=pure_credit,
            annual_revenue_fen=self.enterprises[borrower].annual_revenue_fen,
            schedule=schedule,
            interest_every_months=every,
            cover=self.cover(terms, start),
        )

    def cover(self, terms: ProductTerms, start: date) -> Cover | None:
        """Returns the guarantee on a guaranteed loan, the policy on an insured one (R16, R17)."""
        if terms.structure == "direct":
            return None
        number = self.covers.get((terms.structure, start.year), 0) + 1
        self.covers[terms.structure, start.year] = number
        if terms.structure == "guaranteed":
            return Cover(
                GUARANTEE,
                f"SZDB-{start.year}-{number:05d}",
                pick(self.rng, GUARANTEE_COVERAGE),
                pick(self.rng, GUARANTEE_FEE),
                pick(self.rng, REGUARANTEE_FEE),
            )
        return Cover(
            POLICY,
            f"PEBK{start.year}3205{number:06d}",
            pick(self.rng, POLICY_COVERAGE),
            pick(self.rng, PREMIUM),
        )

    def principal_fen(self, profile: LoanProfile, headroom_wan: int) -> int:
        bands = profile.principal_bands_wan
        low, high, _ = self.rng.choices(bands, [band[2] for band in bands])[0]
        wan = self.rng.randint(low, high)
        if self.rng.random() < 0.75:
            # Most credit committees approve round amounts.
            wan = max(low, round(wan / 10) * 10)
        return min(wan, headroom_wan) * 1_000_000

    def rate_bps(self, profile: LoanProfile, start: date, pure_credit: bool) -> int:
        low, high = profile.spread_bps
        spread = self.rng.randrange(low, high + 1, 5)
        if pure_credit and profile.product != "SKD":
            spread += 10  # no collateral, a little more margin; 苏科贷's LPR+40bp cap forbids it
        return min(MAX_RATE_BPS, max(MIN_RATE_BPS, lpr_on(start) + spread))

    def term_months(self, profile: LoanProfile, terms: ProductTerms) -> int:
        allowed = tuple(
            (months, weight)
            for months, weight in profile.terms
            if terms.max_term_months is None or months <= terms.max_term_months
        )
        return pick(self.rng, allowed)
