"""The demo's loans: who borrows how much, from which bank, on what terms, and who defaults."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from domain.errors import InvalidInput
from domain.terms import ProductTerms
from ledger.demo.dates import AS_OF, FIRST_START, LAST_START, add_months, lpr_on
from ledger.demo.enterprises import DemoEnterprise
from ledger.demo.institutions import BANKS, DemoBank

DEFAULTS_PER_1000_LOANS = 35
INSTALMENT_MONTHS = 3
MIN_RATE_BPS, MAX_RATE_BPS = 300, 480
TERM_WEIGHTS = ((12, 0.50), (24, 0.30), (36, 0.20))
# Default, claim, approval and every leg must fit before the as-of date: the declaration
# comes ~90 days after the missed payment and the claim is settled within ~150 more.
LAST_MISSED_PAYMENT = AS_OF - timedelta(days=96 + 150)


@dataclass(frozen=True, slots=True)
class LoanProfile:
    """How a product's loans look: principal bands in 万元 with weights, rate spread over LPR."""

    product: str
    borrower_share: float
    principal_bands_wan: tuple[tuple[int, int, float], ...]
    spread_bps: tuple[int, int]

    @property
    def smallest_wan(self) -> int:
        return self.principal_bands_wan[0][0]


# 苏科贷 prices at LPR + up to 40bp (DESIGN §9); 通科贷 lends larger amounts at wider spreads.
PROFILES = (
    LoanProfile(
        "SKD",
        0.55,
        ((50, 100, 0.30), (100, 200, 0.35), (200, 300, 0.20), (300, 500, 0.15)),
        (0, 40),
    ),
    LoanProfile(
        "TKD",
        0.45,
        ((100, 300, 0.40), (300, 500, 0.30), (500, 800, 0.20), (800, 1000, 0.10)),
        (20, 150),
    ),
)


@dataclass(frozen=True)
class PlannedLoan:
    """A loan's registration terms and, when it defaults, its first unpaid instalment."""

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
    missed_instalment: int | None = None

    @cached_property
    def maturity(self) -> date:
        return add_months(self.start_date, self.term_months)

    def instalments(self) -> list[tuple[date, int, int]]:
        """Returns (due date, principal, interest) per quarter: 先息后本, ACT/360, whole fen."""
        result = []
        previous = self.start_date
        count = self.term_months // INSTALMENT_MONTHS
        for number in range(1, count + 1):
            due = add_months(self.start_date, number * INSTALMENT_MONTHS)
            days = (due - previous).days
            interest = self.principal_fen * self.annual_rate_bps * days // (10_000 * 360)
            principal = self.principal_fen if number == count else 0
            result.append((due, principal, interest))
            previous = due
        return result

    def is_live_on(self, day: date) -> bool:
        """True when principal is still owed on `day`; a defaulted loan owes it for good."""
        return self.start_date <= day and (
            self.missed_instalment is not None or self.maturity > day
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
        self.held: dict[int, list[PlannedLoan]] = {}
        self.blocked_from: dict[int, date] = {}
        self.numbers: dict[str, int] = {}

    def plan(self, count: int) -> list[PlannedLoan]:
        """Returns `count` loans in start order, ~3.5% of them defaulting."""
        starts = start_dates(self.rng, count)
        defaulting = self.choose_defaults(starts)
        loans = []
        for index, start in enumerate(starts):
            borrower = self.choose_borrower(start)
            loan = self.lend(borrower, start)
            if index in defaulting:
                loan = self.with_missed_instalment(loan)
                missed = loan.missed_instalment or 1
                # A borrower in arrears gets no new loan from the programme.
                self.blocked_from[borrower] = loan.instalments()[missed - 1][0]
            self.held.setdefault(borrower, []).append(loan)
            loans.append(loan)
        return loans

    def choose_defaults(self, starts: Sequence[date]) -> set[int]:
        """Returns which loans (by start order) default: those with a payment early enough."""
        wanted = (len(starts) * DEFAULTS_PER_1000_LOANS + 500) // 1000
        eligible = [
            index
            for index, start in enumerate(starts)
            if add_months(start, INSTALMENT_MONTHS) <= LAST_MISSED_PAYMENT
        ]
        return set(self.rng.sample(eligible, min(wanted, len(eligible))))

    def headroom_wan(self, borrower: int, start: date) -> int:
        """万元 the borrower may still take on `start` within its product's per-loan cap.

        Holding each borrower's live loans to the cap keeps the demo valid once R2's
        per-enterprise limit is enforced.
        """
        cap = self.terms[self.product_of[borrower]].max_principal_fen or 10**12
        live = sum(
            loan.principal_fen for loan in self.held.get(borrower, []) if loan.is_live_on(start)
        )
        return (cap - live) // 1_000_000

    def can_borrow(self, borrower: int, start: date) -> bool:
        if self.blocked_from.get(borrower, date.max) <= start:
            return False
        smallest = self.profiles[self.product_of[borrower]].smallest_wan
        return self.headroom_wan(borrower, start) >= smallest

    def choose_borrower(self, start: date) -> int:
        for _ in range(50):
            pick = self.rng.random() * self.appetite[-1]
            borrower = min(bisect.bisect(self.appetite, pick), len(self.appetite) - 1)
            if self.can_borrow(borrower, start):
                return borrower
        for borrower in range(len(self.enterprises)):
            if self.can_borrow(borrower, start):
                return borrower
        raise InvalidInput("loans", "too many loans for the demo's enterprises")

    def choose_bank(self, borrower: int) -> DemoBank:
        if self.rng.random() < 0.85:
            return self.home_bank[borrower]
        return self.rng.choices(BANKS, [b.weight for b in BANKS])[0]

    def lend(self, borrower: int, start: date) -> PlannedLoan:
        """Returns a new loan to `borrower` starting on `start`."""
        rng = self.rng
        profile = self.profiles[self.product_of[borrower]]
        terms = self.terms[profile.product]
        bank = self.choose_bank(borrower)
        number = self.numbers.get(bank.code, 0) + 1
        self.numbers[bank.code] = number
        pure_credit = rng.random() < 0.45
        return PlannedLoan(
            bank=bank.code,
            reference=f"{bank.loan_prefix}{start.year}{number:05d}",
            uscc=self.enterprises[borrower].uscc,
            product=profile.product,
            principal_fen=self.principal_fen(profile, self.headroom_wan(borrower, start)),
            annual_rate_bps=self.rate_bps(profile, start, pure_credit),
            term_months=self.term_months(terms),
            start_date=start,
            first_loan=borrower not in self.held and rng.random() < 0.35,
            pure_credit=pure_credit,
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

    def term_months(self, terms: ProductTerms) -> int:
        allowed = [
            (months, weight)
            for months, weight in TERM_WEIGHTS
            if terms.max_term_months is None or months <= terms.max_term_months
        ]
        return self.rng.choices([m for m, _ in allowed], [w for _, w in allowed])[0]

    def with_missed_instalment(self, loan: PlannedLoan) -> PlannedLoan:
        """Returns the loan with the instalment at which it stops paying."""
        dues = [due for due, _, _ in loan.instalments()]
        candidates = [n for n, due in enumerate(dues, start=1) if due <= LAST_MISSED_PAYMENT]
        # The first instalment rarely fails; the bullet repayment at maturity often does.
        weights = [0.5 if n == 1 else 2.0 if n == len(dues) else 1.0 for n in candidates]
        return replace(loan, missed_instalment=self.rng.choices(candidates, weights)[0])
