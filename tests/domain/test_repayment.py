"""A loan's standing against its schedule, and the repayment waterfall (R5, R12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.repayment import (
    DUE,
    FUTURE,
    OVERDUE,
    PAID,
    Repayment,
    statement,
    waterfall,
)
from domain.schedule import ANNUITY, EQUAL_PRINCIPAL, INTEREST_ONLY, build_schedule

START = date(2024, 1, 31)
PRINCIPAL = 1_200_000_00
RATE = 400


def plan(kind: str = INTEREST_ONLY, principal: int = PRINCIPAL, every: int = 1):
    return build_schedule(
        principal_fen=principal,
        annual_rate_bps=RATE,
        term_months=12,
        start_date=START,
        kind=kind,
        interest_every_months=every,
    )


def test_an_instalment_is_not_overdue_on_its_due_date_and_one_day_overdue_the_day_after():
    schedule = plan()
    due = schedule[0].due_date

    on_the_day = statement(schedule, RATE, [], due)
    day_after = statement(schedule, RATE, [], due + timedelta(days=1))

    assert on_the_day.days_past_due == 0
    assert on_the_day.instalments[0].status == DUE
    assert day_after.days_past_due == 1
    assert day_after.instalments[0].status == OVERDUE
    assert day_after.oldest_unpaid_due_date == due


def test_days_past_due_count_from_the_oldest_unpaid_instalment():
    schedule = plan()
    # February's interest is paid, March's is not: 15 April is 15 days past 31 March.
    paid_february = [Repayment(date(2024, 2, 29), 0, 3_866_67)]

    standing = statement(schedule, RATE, paid_february, date(2024, 4, 15))

    assert [s.status for s in standing.instalments[:4]] == [PAID, OVERDUE, DUE, FUTURE]
    assert standing.days_past_due == 15
    assert standing.overdue_interest_fen == 4_133_33
    assert standing.current_interest_fen == 4_000_00
    assert standing.payoff_fen == 4_133_33 + 4_000_00 + PRINCIPAL


def test_repayments_valued_after_the_date_asked_about_do_not_count():
    schedule = plan()
    late = [Repayment(date(2024, 3, 10), 0, 3_866_67)]

    assert statement(schedule, RATE, late, date(2024, 3, 9)).days_past_due == 9
    assert statement(schedule, RATE, late, date(2024, 3, 10)).days_past_due == 0


def test_the_waterfall_pays_overdue_interest_then_overdue_principal_then_current():
    schedule = plan(ANNUITY)
    # Nothing paid: on 10 April the February and March instalments are overdue.
    standing = statement(schedule, RATE, [], date(2024, 4, 10))
    overdue_interest = schedule[0].interest_fen + schedule[1].interest_fen
    overdue_principal = schedule[0].principal_fen + schedule[1].principal_fen

    allocation = waterfall(standing, overdue_interest + overdue_principal + 100_00)

    assert allocation.overdue_interest_fen == overdue_interest == 7_661_28
    assert allocation.overdue_principal_fen == overdue_principal
    assert allocation.current_interest_fen == 100_00
    assert allocation.current_principal_fen == 0
    assert allocation.prepaid_principal_fen == 0


def test_a_short_payment_goes_to_the_oldest_interest_first():
    standing = statement(plan(ANNUITY), RATE, [], date(2024, 4, 10))

    allocation = waterfall(standing, 5_000_00)

    assert allocation.overdue_interest_fen == 5_000_00
    assert allocation.principal_fen == 0


def test_money_beyond_what_is_due_prepays_principal_and_later_interest_falls():
    schedule = plan(INTEREST_ONLY)
    standing = statement(schedule, RATE, [], date(2024, 2, 29))

    allocation = waterfall(standing, 3_866_67 + 600_000_00)

    assert allocation.current_interest_fen == 3_866_67
    assert allocation.prepaid_principal_fen == 600_000_00
    after = statement(
        schedule,
        RATE,
        [Repayment(date(2024, 2, 29), allocation.principal_fen, allocation.interest_fen)],
        date(2024, 3, 1),
    )
    # March's interest is now on the 60万 still outstanding: 60万 × 4% × 31 / 360.
    assert after.instalments[1].interest_fen == 2_066_67
    assert after.outstanding_fen == 600_000_00
    assert after.days_past_due == 0


def test_the_waterfall_refuses_more_than_everything_owed():
    standing = statement(plan(), RATE, [], date(2024, 2, 10))

    with pytest.raises(ValueError, match="outside"):
        waterfall(standing, standing.payoff_fen + 1)


def test_paying_everything_owed_leaves_nothing_and_no_later_interest():
    schedule = plan(EQUAL_PRINCIPAL)
    standing = statement(schedule, RATE, [], date(2024, 5, 20))

    allocation = waterfall(standing, standing.payoff_fen)
    after = statement(
        schedule,
        RATE,
        [Repayment(date(2024, 5, 20), allocation.principal_fen, allocation.interest_fen)],
        date(2025, 6, 1),
    )

    assert allocation.principal_fen == PRINCIPAL
    assert after.outstanding_fen == 0
    assert after.payoff_fen == 0
    assert after.days_past_due == 0
    assert {s.status for s in after.instalments} == {PAID}


# -- properties -------------------------------------------------------------------------------

kinds = st.sampled_from([INTEREST_ONLY, ANNUITY, EQUAL_PRINCIPAL])


@settings(max_examples=100, deadline=None)
@given(
    kind=kinds,
    every=st.sampled_from([1, 3]),
    principal=st.integers(min_value=1_000_00, max_value=10**10),
    paid_instalments=st.integers(min_value=0, max_value=12),
    days_later=st.integers(min_value=0, max_value=500),
    share=st.fractions(min_value=0, max_value=1),
)
def test_the_waterfall_fills_each_step_before_the_next_and_sums_to_the_amount(
    kind, every, principal, paid_instalments, days_later, share
):
    schedule = plan(kind, principal, every)
    paid = [
        Repayment(i.due_date, i.principal_fen, i.interest_fen) for i in schedule[:paid_instalments]
    ]
    as_of = schedule[min(paid_instalments, len(schedule) - 1)].period_start + timedelta(days_later)
    standing = statement(schedule, RATE, paid, as_of)
    amount = int(standing.payoff_fen * share)

    allocation = waterfall(standing, amount)

    parts = [
        allocation.overdue_interest_fen,
        allocation.overdue_principal_fen,
        allocation.current_interest_fen,
        allocation.current_principal_fen,
        allocation.prepaid_principal_fen,
    ]
    owed = [
        standing.overdue_interest_fen,
        standing.overdue_principal_fen,
        standing.current_interest_fen,
        standing.current_principal_fen,
        standing.later_principal_fen,
    ]
    assert sum(parts) == allocation.amount_fen == amount
    assert all(0 <= part <= due for part, due in zip(parts, owed, strict=True))
    for step in range(1, len(parts)):
        if parts[step] > 0:
            assert parts[:step] == owed[:step], "a later step was paid before an earlier one"


@settings(max_examples=60, deadline=None)
@given(kind=kinds, every=st.sampled_from([1, 3]), principal=st.integers(1_000_00, 10**10))
def test_paying_each_instalment_on_its_due_date_keeps_the_loan_current_and_repays_it(
    kind, every, principal
):
    schedule = plan(kind, principal, every)
    paid = [Repayment(i.due_date, i.principal_fen, i.interest_fen) for i in schedule]

    for instalment in schedule:
        assert statement(schedule, RATE, paid, instalment.due_date).days_past_due == 0
    final = statement(schedule, RATE, paid, schedule[-1].due_date + timedelta(days=400))
    assert final.days_past_due == 0
    assert final.outstanding_fen == 0
    assert final.payoff_fen == 0
