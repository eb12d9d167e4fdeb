"""Repayment schedules (R12): 先息后本, 等额本息 and 等额本金, exact to the fen.

Interest is ACT/360: a period's interest is its opening principal × the annual rate × the
actual days in the period / 360, rounded half-up to the fen once per instalment. Due dates
fall a whole number of months after the start date, clamped to the end of shorter months
(a loan starting on 31 January falls due on 28 or 29 February, then on 31 March).

A loan drawn in tranches keeps the one grid of due dates counted from its start date. Each
tranche is repaid by the schedule's kind over the periods left after its value date, and
earns interest only from that date, day by day: a tranche drawn later never changes an
instalment that fell due before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from domain.errors import InvalidInput
from domain.money import WHOLE_BPS

INTEREST_ONLY = "interest_only"
ANNUITY = "annuity"
EQUAL_PRINCIPAL = "equal_principal"
SCHEDULE_NAMES = {INTEREST_ONLY: "先息后本", ANNUITY: "等额本息", EQUAL_PRINCIPAL: "等额本金"}
PERIODS_IN_MONTHS = (1, 3)
DAYS_IN_YEAR = 360


# The longest term a loan may run, whatever its product says: 30 years (R2).
MAX_TERM_MONTHS = 360


@dataclass(frozen=True, slots=True)
class Draw:
    """Principal paid out to the borrower on a value date: one tranche of a loan."""

    value_date: date
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Instalment:
    """What falls due on one date: principal, and the period's interest on `opening_fen` (the
    balance drawn at the period's start) and on each tranche in `drawn_in_period` from its
    value date."""

    number: int
    period_start: date
    due_date: date
    opening_fen: int
    principal_fen: int
    interest_fen: int
    drawn_in_period: tuple[Draw, ...] = ()

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.interest_fen


def check_schedule(kind: str, interest_every_months: int) -> None:
    """Raises InvalidInput naming the field when the schedule kind or its period is unknown."""
    if kind not in SCHEDULE_NAMES:
        raise InvalidInput("schedule", f"{kind!r} is not one of {', '.join(SCHEDULE_NAMES)} (R12)")
    if interest_every_months not in PERIODS_IN_MONTHS:
        raise InvalidInput(
            "interest_every",
            f"payments fall due every 1 or 3 months, not every {interest_every_months}",
        )


def add_months(day: date, months: int) -> date:
    """Returns the same day `months` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def round_half_up(value: Fraction) -> int:
    """Returns `value` rounded to the nearest whole fen, halves away from zero."""
    whole = value.numerator * 2 + value.denominator
    rounded = whole // (value.denominator * 2)
    return rounded if value >= 0 else -round_half_up(-value)


def period_rate(annual_rate_bps: int, start: date, end: date) -> Fraction:
    """Returns the exact ACT/360 rate for the days from `start` to `end`."""
    return Fraction(annual_rate_bps * (end - start).days, WHOLE_BPS * DAYS_IN_YEAR)


def interest_fen(principal_fen: int, annual_rate_bps: int, start: date, end: date) -> int:
    """Returns ACT/360 interest on `principal_fen` from `start` to `end`, rounded half-up."""
    return round_half_up(principal_fen * period_rate(annual_rate_bps, start, end))


def due_dates(start_date: date, term_months: int, every_months: int) -> list[date]:
    """Returns the due dates every `every_months` from the start, the last one at maturity."""
    steps = range(every_months, term_months, every_months)
    return [add_months(start_date, months) for months in steps] + [
        add_months(start_date, term_months)
    ]


def annuity_fen(principal_fen: int, rates: list[Fraction]) -> int:
    """Returns the equal instalment that repays `principal_fen` over periods at `rates`.

    Solved exactly: the principal grown by every period's rate equals the instalments, each
    grown by the periods after it, so the instalment is P·Π(1+r) / Σ_j Π_{k>j}(1+r_k).
    """
    growth_after = Fraction(1)
    sum_of_growth = Fraction(0)
    for rate in reversed(rates):
        sum_of_growth += growth_after
        growth_after *= 1 + rate
    return round_half_up(principal_fen * growth_after / sum_of_growth)


def build_schedule(
    *,
    principal_fen: int,
    annual_rate_bps: int,
    term_months: int,
    start_date: date,
    kind: str = INTEREST_ONLY,
    interest_every_months: int = 1,
) -> tuple[Instalment, ...]:
    """Returns the instalments of a loan drawn in full on its start date; their principal sums
    to `principal_fen` exactly.

    先息后本 pays interest every period and all principal at maturity. 等额本息 pays the
    same amount every period (the annuity, rounded half-up) and 等额本金 the same principal
    (rounded down); either way the last instalment takes the rounding residue. A period
    whose interest would exceed the annuity (only at extreme rates over long terms) repays
    no principal that period rather than a negative amount.
    """
    return schedule_of_draws(
        draws=(Draw(start_date, principal_fen),),
        annual_rate_bps=annual_rate_bps,
        term_months=term_months,
        start_date=start_date,
        kind=kind,
        interest_every_months=interest_every_months,
    )


def _principal_parts(amount_fen: int, rates: list[Fraction], kind: str) -> list[int]:
    """Returns how one tranche's principal is repaid over periods at `rates`, by `kind`."""
    count = len(rates)
    annuity = annuity_fen(amount_fen, rates) if kind == ANNUITY else 0
    parts: list[int] = []
    outstanding = amount_fen
    for number, rate in enumerate(rates, 1):
        if number == count:
            part = outstanding
        elif kind == INTEREST_ONLY:
            part = 0
        elif kind == EQUAL_PRINCIPAL:
            part = amount_fen // count
        else:
            part = max(0, min(annuity - round_half_up(outstanding * rate), outstanding))
        parts.append(part)
        outstanding -= part
    return parts


def maturity_date(start_date: date, term_months: int) -> date:
    """Returns the day the last instalment falls due."""
    return add_months(start_date, term_months)


@lru_cache(maxsize=4096)
def schedule_of_draws(
    *,
    draws: tuple[Draw, ...],
    annual_rate_bps: int,
    term_months: int,
    start_date: date,
    kind: str = INTEREST_ONLY,
    interest_every_months: int = 1,
) -> tuple[Instalment, ...]:
    """Returns the instalments of a loan drawn in `draws`; their principal sums to the drawn
    total exactly, and each tranche's to its own amount.

    Every tranche is scheduled like a loan of its own (see `build_schedule`) over the periods
    whose due date is after its value date, its first period counted from that date; the
    instalments add the tranches up, their interest being ACT/360 day by day on the balance
    drawn, rounded once per instalment. An instalment due before a tranche's value date is
    the same with or without the tranche. A tranche drawn on or after maturity is owed at
    maturity, without interest.
    """
    check_schedule(kind, interest_every_months)
    if term_months <= 0 or annual_rate_bps < 0 or any(d.amount_fen < 0 for d in draws):
        raise InvalidInput("principal", "a schedule needs a principal, a rate and a term")
    dates = due_dates(start_date, term_months, interest_every_months)
    starts = [start_date, *dates[:-1]]
    count = len(dates)
    opening = [0] * count
    principal = [0] * count
    interest = [Fraction(0)] * count
    drawn_in_period: list[list[Draw]] = [[] for _ in range(count)]
    for draw in draws:
        if draw.value_date < start_date:
            raise InvalidInput(
                "date", f"a tranche drawn on {draw.value_date} is before the start {start_date}"
            )
        if draw.value_date >= dates[-1]:
            # Disbursements refuse such a tranche; a history stored before they did may hold
            # one: it is owed in full at maturity, with no period left to earn interest in.
            principal[-1] += draw.amount_fen
            continue
        first = next(n for n, due in enumerate(dates) if due > draw.value_date)
        periods = range(first, count)
        rates = [
            period_rate(annual_rate_bps, max(starts[n], draw.value_date), dates[n]) for n in periods
        ]
        outstanding = draw.amount_fen
        parts = _principal_parts(draw.amount_fen, rates, kind)
        for n, rate, part in zip(periods, rates, parts, strict=True):
            if draw.value_date > starts[n]:
                drawn_in_period[n].append(draw)
            else:
                opening[n] += outstanding
            interest[n] += outstanding * rate
            principal[n] += part
            outstanding -= part
    return tuple(
        Instalment(
            number=n + 1,
            period_start=starts[n],
            due_date=dates[n],
            opening_fen=opening[n],
            principal_fen=principal[n],
            interest_fen=round_half_up(interest[n]),
            drawn_in_period=tuple(drawn_in_period[n]),
        )
        for n in range(count)
    )
