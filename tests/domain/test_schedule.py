"""Repayment schedules (R12): 先息后本, 等额本息, 等额本金, exact to the fen, ACT/360."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.schedule import (
    ANNUITY,
    EQUAL_PRINCIPAL,
    INTEREST_ONLY,
    add_months,
    build_schedule,
    check_schedule,
    due_dates,
    interest_fen,
    round_half_up,
)

START = date(2024, 1, 31)
ONE_POINT_TWO_MILLION = 1_200_000_00


def schedule(kind: str, **changes) -> list:
    terms = {
        "principal_fen": ONE_POINT_TWO_MILLION,
        "annual_rate_bps": 400,
        "term_months": 12,
        "start_date": START,
        "kind": kind,
        "interest_every_months": 1,
    }
    return list(build_schedule(**(terms | changes)))


# -- dates and interest -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_due_dates_fall_whole_months_after_the_start_clamped_to_the_month_end(start, months, due):
    assert add_months(start, months) == due


def test_due_dates_are_counted_from_the_start_not_from_the_previous_due_date():
    assert due_dates(date(2024, 1, 31), 3, 1) == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_quarterly_dates_end_at_maturity_even_when_the_term_is_not_whole_quarters():
    assert due_dates(date(2024, 1, 15), 10, 3) == [
        date(2024, 4, 15),
        date(2024, 7, 15),
        date(2024, 10, 15),
        date(2024, 11, 15),
    ]


def test_interest_is_act_360_on_the_principal_rounded_half_up_to_the_fen():
    # 300万 at 3.85% for the 90 days from 1 February to 1 May 2024: 28,875.00 exactly.
    assert interest_fen(3_000_000_00, 385, date(2024, 2, 1), date(2024, 5, 1)) == 28_875_00
    # 120万 at 4% for 29 days = 3,866.666… → 3,866.67; for 30 days = 4,000.00.
    assert interest_fen(ONE_POINT_TWO_MILLION, 400, date(2024, 1, 31), date(2024, 2, 29)) == 386_667
    assert (
        interest_fen(ONE_POINT_TWO_MILLION, 400, date(2024, 3, 31), date(2024, 4, 30)) == 4_000_00
    )


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(149, 100), 1),
        (Fraction(0), 0),
        (Fraction(-1, 2), -1),
    ],
)
def test_rounding_takes_halves_away_from_zero(value, rounded):
    assert round_half_up(value) == rounded


def test_an_unknown_schedule_or_period_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        check_schedule("balloon", 1)
    assert refused.value.field == "schedule"
    with pytest.raises(InvalidInput) as refused:
        check_schedule(INTEREST_ONLY, 2)
    assert refused.value.field == "interest_every"


# -- the three kinds --------------------------------------------------------------------------


def test_interest_only_pays_interest_monthly_and_all_principal_at_maturity():
    instalments = schedule(INTEREST_ONLY)

    assert [i.principal_fen for i in instalments] == [0] * 11 + [ONE_POINT_TWO_MILLION]
    # 29 days in February 2024, 31 in March, 30 in April.
    assert [i.interest_fen for i in instalments[:3]] == [386_667, 413_333, 400_000]
    assert instalments[-1].due_date == date(2025, 1, 31)


def test_interest_only_can_pay_interest_quarterly():
    instalments = schedule(INTEREST_ONLY, interest_every_months=3)

    assert [i.due_date for i in instalments] == [
        date(2024, 4, 30),
        date(2024, 7, 31),
        date(2024, 10, 31),
        date(2025, 1, 31),
    ]
    # 90 days from 31 January to 30 April 2024: 120万 × 4% × 90 / 360 = 12,000.00.
    assert instalments[0].interest_fen == 12_000_00


def test_annuity_instalments_are_equal_and_the_last_takes_the_residue():
    instalments = schedule(ANNUITY)

    totals = [i.total_fen for i in instalments]
    assert totals[:-1] == [102_206_02] * 11
    assert totals[-1] == 102_205_95
    assert sum(i.principal_fen for i in instalments) == ONE_POINT_TWO_MILLION
    # Each period's interest is on the principal outstanding during it.
    assert instalments[1].opening_fen == ONE_POINT_TWO_MILLION - instalments[0].principal_fen


def test_equal_principal_repays_the_same_principal_and_the_last_takes_the_remainder():
    instalments = schedule(EQUAL_PRINCIPAL, principal_fen=1_000_000_01)

    assert [i.principal_fen for i in instalments] == [8_333_333] * 11 + [8_333_338]
    assert instalments[0].interest_fen == interest_fen(1_000_000_01, 400, START, date(2024, 2, 29))


# -- properties ---------------------------------------------------------------------------------

kinds = st.sampled_from([INTEREST_ONLY, ANNUITY, EQUAL_PRINCIPAL])
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=10**12),
    rate=st.integers(min_value=1, max_value=9_999),
    term=st.integers(min_value=1, max_value=120),
    start=starts,
    kind=kinds,
    every=st.sampled_from([1, 3]),
)
def test_instalment_principals_sum_to_the_principal_and_nothing_is_negative(
    principal, rate, term, start, kind, every
):
    instalments = build_schedule(
        principal_fen=principal,
        annual_rate_bps=rate,
        term_months=term,
        start_date=start,
        kind=kind,
        interest_every_months=every,
    )

    assert sum(i.principal_fen for i in instalments) == principal
    assert all(i.principal_fen >= 0 and i.interest_fen >= 0 for i in instalments)
    assert all(i.opening_fen >= 0 for i in instalments)
    assert [i.due_date for i in instalments] == sorted({i.due_date for i in instalments})
    assert instalments[-1].due_date == add_months(start, term)
    for instalment in instalments:
        assert instalment.interest_fen == interest_fen(
            instalment.opening_fen, rate, instalment.period_start, instalment.due_date
        )


@settings(max_examples=150, deadline=None)
@given(
    principal=st.integers(min_value=1_000_00, max_value=10**11),
    rate=st.integers(min_value=1, max_value=2_400),
    term=st.integers(min_value=1, max_value=120),
    start=starts,
    every=st.sampled_from([1, 3]),
)
def test_annuity_instalments_are_equal_but_the_last_within_a_fen_per_instalment_grown(
    principal, rate, term, start, every
):
    instalments = build_schedule(
        principal_fen=principal,
        annual_rate_bps=rate,
        term_months=term,
        start_date=start,
        kind=ANNUITY,
        interest_every_months=every,
    )

    totals = [i.total_fen for i in instalments]
    assert len(set(totals[:-1])) <= 1
    # Each instalment may be off by a fen of rounding, which then grows with the interest.
    growth = 1.0
    for instalment in instalments:
        growth *= 1 + rate * (instalment.due_date - instalment.period_start).days / 3_600_000
    assert abs(totals[-1] - totals[0]) <= len(totals) * growth
