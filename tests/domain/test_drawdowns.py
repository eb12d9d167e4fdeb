"""A loan drawn in tranches (R12): each tranche earns interest from its own value date and is
repaid over the periods left after it; an instalment already due never changes."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.loan import Loan
from domain.repayment import DUE, FUTURE, PAID, Repayment, statement
from domain.schedule import (
    ANNUITY,
    EQUAL_PRINCIPAL,
    INTEREST_ONLY,
    MAX_TERM_MONTHS,
    Draw,
    build_schedule,
    round_half_up,
    schedule_of_draws,
)
from domain.terms_parsing import parse_terms

START = date(2024, 1, 10)
WAN = 10_000_00  # 1万元 in fen


def register(terms, actor, **changes) -> Loan:
    command = {
        "bank": "ICBC",
        "reference": "ICBC-2024-0010",
        "enterprise": "91350100M000100Y43",
        "terms": terms,
        "terms_version": 1,
        "principal_fen": 100 * WAN,
        "annual_rate_bps": 400,
        "term_months": 12,
        "start_date": START,
        "first_loan": False,
        "pure_credit": False,
        "actor": actor,
    }
    return Loan.register(**(command | changes))


# -- the reviewer's reproducer -----------------------------------------------------------------


def test_a_later_tranche_leaves_the_paid_instalment_paid_and_earns_interest_from_its_date(
    su_ke_dai, clerk
):
    # 100万 at 4% from 10 January; 50万 drawn on the start date, the first interest paid on
    # its due date, the other 50万 drawn on 1 March.
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=50 * WAN, value_date=START, ref="D1", actor=clerk)
    loan.receive_payment(amount_fen=1_722_22, value_date=date(2024, 2, 10), ref="P1", actor=clerk)
    loan.disburse(amount_fen=50 * WAN, value_date=date(2024, 3, 1), ref="D2", actor=clerk)

    standing = loan.statement_on(date(2024, 3, 5))

    first, second, third = standing.instalments[:3]
    assert (first.interest_fen, first.interest_paid_fen, first.status) == (1_722_22, 1_722_22, PAID)
    # February: 50万 for the 20 days to 1 March, 100万 for the 9 days after: 1,611.11 + 500.00.
    assert (second.interest_fen, second.status) == (2_111_11, DUE)
    assert (third.interest_fen, third.status) == (3_444_44, FUTURE)  # 100万 for 31 days
    assert standing.days_past_due == 0
    assert standing.overdue_interest_fen == 0
    assert loan.days_past_due(date(2024, 3, 5)) == 0


def test_a_tranche_is_repaid_over_the_periods_left_after_its_value_date():
    # 等额本金 30万 over 3 months: 15万 on the start date is repaid 5万 a month, 15万 drawn on
    # 15 March over the two periods left, 7.5万 each.
    instalments = schedule_of_draws(
        draws=(Draw(date(2024, 1, 31), 15 * WAN), Draw(date(2024, 3, 15), 15 * WAN)),
        annual_rate_bps=400,
        term_months=3,
        start_date=date(2024, 1, 31),
        kind=EQUAL_PRINCIPAL,
    )

    assert [i.principal_fen for i in instalments] == [5 * WAN, 12_5000_00, 12_5000_00]
    # March: 10万 for 31 days and the new 15万 for the 16 days from 15 March: 344.44 + 266.67.
    assert [i.interest_fen for i in instalments] == [483_33, 611_11, 416_67]


def test_a_loan_drawn_in_full_on_its_start_date_keeps_its_schedule():
    for kind in (INTEREST_ONLY, ANNUITY, EQUAL_PRINCIPAL):
        whole = build_schedule(
            principal_fen=120 * WAN,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            kind=kind,
        )
        drawn = schedule_of_draws(
            draws=(Draw(START, 120 * WAN),),
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            kind=kind,
        )
        assert drawn == whole


def test_interest_is_not_charged_on_principal_prepaid_before_a_period_with_a_new_tranche():
    # 50万 at the start, 20万 of it prepaid on 20 January; 50万 more drawn on 20 March. April's
    # period (10 March to 10 April) charges the 30万 still owed and the new 50万 from its date.
    instalments = schedule_of_draws(
        draws=(Draw(START, 50 * WAN), Draw(date(2024, 3, 20), 50 * WAN)),
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
    )
    prepaid = [Repayment(date(2024, 1, 20), 20 * WAN, 0)]

    standing = statement(instalments, 400, prepaid, date(2024, 3, 25))

    day_rate = Fraction(400, 10_000 * 360)
    expected = round_half_up(30 * WAN * 31 * day_rate + 50 * WAN * 21 * day_rate)
    assert standing.instalments[2].interest_fen == expected


# -- what a tranche may be -----------------------------------------------------------------------


@pytest.mark.parametrize("value_date", [date(2025, 1, 10), date(2025, 3, 1)])
def test_a_disbursement_on_or_after_maturity_is_refused_naming_the_date(
    su_ke_dai, clerk, value_date
):
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=50 * WAN, value_date=START, ref="D1", actor=clerk)
    loan.collect_events()

    with pytest.raises(InvalidInput) as refused:
        loan.disburse(amount_fen=50 * WAN, value_date=value_date, ref="D2", actor=clerk)

    assert refused.value.field == "date"
    assert "maturity 2025-01-10" in str(refused.value)
    assert loan.collect_events() == [] and loan.disbursed_fen == 50 * WAN


def test_the_day_before_maturity_may_still_take_a_tranche(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    assert loan.disburse(amount_fen=50 * WAN, value_date=date(2025, 1, 9), ref="D1", actor=clerk)
    (last,) = loan.schedule_on(date(2025, 1, 9))[-1:]
    assert (last.principal_fen, last.interest_fen) == (50 * WAN, 55_56)  # one day's interest


# -- the term (R2): never beyond 30 years ---------------------------------------------------------


def test_a_term_beyond_360_months_is_refused_even_when_the_product_sets_no_maximum(clerk):
    unbounded = parse_terms(
        {
            "code": "SKD",
            "name": "苏科贷",
            "structure": "direct",
            "effective_from": date(2024, 1, 1),
            "shares": {"pool.city": 7000, "bank": 3000},
        }
    )
    assert unbounded.max_term_months is None
    for months in (MAX_TERM_MONTHS + 1, 100_000):
        with pytest.raises(InvalidInput) as refused:
            register(unbounded, clerk, term_months=months)
        assert refused.value.field == "term"

    longest = register(unbounded, clerk, term_months=MAX_TERM_MONTHS)
    longest.disburse(amount_fen=WAN, value_date=START, ref="D1", actor=clerk)
    assert longest.statement_on(date(2054, 1, 10)).instalments[-1].due_date == date(2054, 1, 10)


# -- properties ----------------------------------------------------------------------------------

KINDS = st.sampled_from([INTEREST_ONLY, ANNUITY, EQUAL_PRINCIPAL])
TRANCHES = st.lists(
    st.tuples(st.integers(0, 360), st.integers(1, 200 * WAN)), min_size=1, max_size=5
)


def _draws(tranches: list[tuple[int, int]]) -> tuple[Draw, ...]:
    """The tranches as draws on days after the start, in value-date order (the first at the
    start, as a loan's first disbursement usually is)."""
    days = sorted(day for day, _ in tranches)
    days[0] = 0
    return tuple(
        Draw(START + timedelta(days=day), fen) for day, (_, fen) in zip(days, tranches, strict=True)
    )


@settings(max_examples=60, deadline=None)
@given(tranches=TRANCHES, kind=KINDS, rate=st.integers(1, 2_400))
def test_tranches_are_repaid_exactly_and_never_change_an_instalment_already_due(
    tranches, kind, rate
):
    draws = _draws(tranches)
    common = {"annual_rate_bps": rate, "term_months": 12, "start_date": START, "kind": kind}
    instalments = schedule_of_draws(draws=draws, **common)

    assert sum(i.principal_fen for i in instalments) == sum(d.amount_fen for d in draws)
    assert all(i.principal_fen >= 0 and i.interest_fen >= 0 for i in instalments)
    for count in range(1, len(draws)):
        earlier = schedule_of_draws(draws=draws[:count], **common)
        drawn_on = draws[count].value_date
        for before, after in zip(earlier, instalments, strict=True):
            if before.due_date <= drawn_on:
                assert before == after, f"instalment {before.number} changed by a later tranche"


@settings(max_examples=60, deadline=None)
@given(tranches=TRANCHES, rate=st.integers(1, 2_400))
def test_先息后本_interest_is_act_360_day_by_day_on_the_balance_drawn(tranches, rate):
    draws = _draws(tranches)
    instalments = schedule_of_draws(
        draws=draws, annual_rate_bps=rate, term_months=12, start_date=START
    )
    day_rate = Fraction(rate, 10_000 * 360)
    for instalment in instalments:
        owed = Fraction(0)
        day = instalment.period_start
        while day < instalment.due_date:
            owed += sum(d.amount_fen for d in draws if d.value_date <= day) * day_rate
            day += timedelta(days=1)
        assert instalment.interest_fen == round_half_up(owed), instalment.number


def test_a_tranche_stored_on_or_after_maturity_before_it_was_refused_is_owed_at_maturity():
    # Histories from before the refusal may hold one; their statements must still be built.
    on_time = (Draw(START, 50 * WAN),)
    late = (*on_time, Draw(date(2025, 2, 1), 50 * WAN))
    common = {"annual_rate_bps": 400, "term_months": 12, "start_date": START}

    with_late = schedule_of_draws(draws=late, **common)
    without = schedule_of_draws(draws=on_time, **common)

    assert with_late[:-1] == without[:-1]
    assert with_late[-1].principal_fen == 100 * WAN
    assert with_late[-1].interest_fen == without[-1].interest_fen
    overdue = statement(with_late, 400, [], date(2025, 3, 1))
    assert overdue.overdue_principal_fen == 100 * WAN
