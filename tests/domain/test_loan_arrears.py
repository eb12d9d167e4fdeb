"""A loan's schedule, waterfall repayments, class (R5) and default by days past due (R6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.business_calendar import BusinessCalendar
from domain.classification import (
    DOUBTFUL,
    LOSS,
    NORMAL,
    SPECIAL_MENTION,
    SUBSTANDARD,
    classify,
    is_non_performing,
)
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.loan import ACTIVE, DEFAULTED, PAID_OFF, Loan
from domain.repayment import Allocation
from domain.schedule import ANNUITY, EQUAL_PRINCIPAL, INTEREST_ONLY
from domain.terms import Classification

START = date(2024, 1, 31)
PRINCIPAL = 1_200_000_00
FEBRUARY_INTEREST = 3_866_67  # 120万 × 4% × 29 / 360


def register(terms, actor, **changes) -> Loan:
    command = {
        "bank": "ICBC",
        "reference": "ICBC-2024-0002",
        "enterprise": "91350100M000100Y43",
        "terms": terms,
        "terms_version": 1,
        "principal_fen": PRINCIPAL,
        "annual_rate_bps": 400,
        "term_months": 12,
        "start_date": START,
        "first_loan": False,
        "pure_credit": False,
        "actor": actor,
    }
    return Loan.register(**(command | changes))


@pytest.fixture
def loan(su_ke_dai, clerk) -> Loan:
    """120万 at 4% for 12 months, 先息后本 monthly, paid out on its start date."""
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    loan.collect_events()
    return loan


def replay(events) -> Loan:
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    return rebuilt


# -- registration ------------------------------------------------------------------------------


def test_a_loan_records_its_schedule_kind_and_payment_period(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk, schedule=ANNUITY, interest_every_months=3)

    assert (loan.schedule_kind, loan.interest_every_months) == (ANNUITY, 3)
    assert loan.schedule_on(START) == ()


def test_a_loan_is_先息后本_monthly_unless_told_otherwise(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)

    assert (loan.schedule_kind, loan.interest_every_months) == (INTEREST_ONLY, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"schedule": "balloon"}, "schedule"), ({"interest_every_months": 6}, "interest_every")],
)
def test_an_unknown_schedule_is_refused_naming_the_field(su_ke_dai, clerk, changes, field):
    with pytest.raises(InvalidInput) as refused:
        register(su_ke_dai, clerk, **changes)
    assert refused.value.field == field


def test_a_repeated_registration_with_another_schedule_is_a_difference(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    same = {
        "enterprise": loan.enterprise,
        "product": loan.product,
        "principal_fen": loan.principal_fen,
        "annual_rate_bps": loan.annual_rate_bps,
        "term_months": loan.term_months,
        "start_date": loan.start_date,
        "first_loan": loan.first_loan,
        "pure_credit": loan.pure_credit,
    }

    assert loan.registration_differences(**same) == []
    assert loan.registration_differences(**same, schedule=ANNUITY) == ["schedule"]


def test_repayments_stored_before_the_waterfall_load_without_their_parts(su_ke_dai, clerk):
    # Registrations stored before R12 are upcast by the mapper (tests/ledger/test_schema_evolution).
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    loan.repay(principal_fen=0, interest_fen=1, value_date=START, ref="R1", actor=clerk)
    events = loan.collect_events()
    # The shape stored before R12: no waterfall parts on a repayment.
    for stored in events:
        stored.__dict__.pop("allocation", None)

    rebuilt = replay(events)

    assert (rebuilt.schedule_kind, rebuilt.interest_every_months) == (INTEREST_ONLY, 1)
    assert rebuilt.interest_repaid_fen == 1
    assert len(rebuilt.schedule_on(START)) == 12


# -- the waterfall (R12) -------------------------------------------------------------------------


def test_one_amount_is_applied_by_the_waterfall_and_recorded_with_its_parts(loan, clerk):
    allocation, recorded = loan.receive_payment(
        amount_fen=FEBRUARY_INTEREST + 100_00, value_date=date(2024, 2, 29), ref="P1", actor=clerk
    )

    assert recorded
    assert allocation == Allocation(
        current_interest_fen=FEBRUARY_INTEREST, prepaid_principal_fen=100_00
    )
    (event,) = loan.collect_events()
    assert type(event).__name__ == "RepaymentReceived"
    assert (event.principal_fen, event.interest_fen) == (100_00, FEBRUARY_INTEREST)
    assert event.allocation["prepaid_principal_fen"] == 100_00
    assert loan.outstanding_fen == PRINCIPAL - 100_00


def test_the_same_payment_again_is_a_no_op_returning_the_first_allocation(loan, clerk):
    first, _ = loan.receive_payment(
        amount_fen=500_00, value_date=date(2024, 3, 5), ref="P1", actor=clerk
    )
    loan.collect_events()

    again, recorded = loan.receive_payment(
        amount_fen=500_00, value_date=date(2024, 3, 5), ref="P1", actor=clerk
    )

    assert (again, recorded) == (first, False)
    assert loan.collect_events() == []
    with pytest.raises(Conflict):
        loan.receive_payment(amount_fen=600_00, value_date=date(2024, 3, 5), ref="P1", actor=clerk)


def test_paying_more_than_everything_owed_is_refused_and_nothing_recorded(loan, clerk):
    owed = loan.statement_on(date(2024, 2, 29)).payoff_fen
    assert owed == PRINCIPAL + FEBRUARY_INTEREST

    with pytest.raises(RuleViolation) as refused:
        loan.receive_payment(
            amount_fen=owed + 1, value_date=date(2024, 2, 29), ref="P1", actor=clerk
        )

    assert (refused.value.rule, refused.value.field) == ("R12", "amount")
    assert "1,203,866.67" in refused.value.reason
    assert loan.collect_events() == []


def test_paying_everything_owed_pays_the_loan_off_and_then_refuses_more(loan, clerk):
    owed = loan.statement_on(date(2024, 2, 29)).payoff_fen
    loan.receive_payment(amount_fen=owed, value_date=date(2024, 2, 29), ref="P1", actor=clerk)

    assert loan.state == PAID_OFF
    assert [type(e).__name__ for e in loan.collect_events()] == ["RepaymentReceived", "PaidOff"]
    with pytest.raises(RuleViolation) as refused:
        loan.receive_payment(amount_fen=1, value_date=date(2024, 3, 1), ref="P2", actor=clerk)
    assert (refused.value.rule, refused.value.field) == ("lifecycle", "loan")


def test_a_waterfall_payment_dated_before_the_last_repayment_is_refused(loan, clerk):
    loan.repay(
        principal_fen=0, interest_fen=100, value_date=date(2024, 3, 5), ref="R1", actor=clerk
    )

    with pytest.raises(InvalidInput) as refused:
        loan.receive_payment(amount_fen=100, value_date=date(2024, 3, 4), ref="P1", actor=clerk)
    assert refused.value.field == "date"


def test_explicit_repayments_count_towards_the_schedule(loan, clerk):
    loan.repay(
        principal_fen=0,
        interest_fen=FEBRUARY_INTEREST,
        value_date=date(2024, 2, 29),
        ref="R1",
        actor=clerk,
    )

    assert loan.days_past_due(date(2024, 3, 31)) == 0
    assert loan.days_past_due(date(2024, 4, 1)) == 1


# -- classification (R5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, NORMAL),
        (1, SPECIAL_MENTION),
        (90, SPECIAL_MENTION),
        (91, SUBSTANDARD),
        (270, SUBSTANDARD),
        (271, DOUBTFUL),
        (360, DOUBTFUL),
        (361, LOSS),
    ],
)
def test_days_past_due_give_the_five_categories(days, expected):
    assert classify(days, Classification()) == expected


def test_a_product_may_set_its_own_day_bounds():
    bounds = Classification(special_mention_days=30, substandard_days=90, doubtful_days=180)

    assert [classify(d, bounds) for d in (30, 31, 91, 181)] == [
        SPECIAL_MENTION,
        SUBSTANDARD,
        DOUBTFUL,
        LOSS,
    ]


def test_only_substandard_and_worse_are_non_performing():
    assert [
        is_non_performing(c) for c in (NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)
    ] == [
        False,
        False,
        True,
        True,
        True,
    ]


def test_a_class_is_recorded_only_when_it_changes(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    bounds = su_ke_dai.classification

    assert not loan.classify(as_of=date(2024, 2, 29), bounds=bounds, actor=clerk)
    assert loan.classify(as_of=date(2024, 3, 1), bounds=bounds, actor=clerk)
    assert not loan.classify(as_of=date(2024, 3, 2), bounds=bounds, actor=clerk)
    assert loan.classify(as_of=date(2024, 5, 30), bounds=bounds, actor=clerk)

    events = loan.collect_events()
    classified = [e for e in events if type(e).__name__ == "Classified"]
    assert [(e.old_class, e.new_class, e.days_past_due) for e in classified] == [
        (NORMAL, SPECIAL_MENTION, 1),
        (SPECIAL_MENTION, SUBSTANDARD, 91),
    ]
    assert classified[0].outstanding_fen == PRINCIPAL
    assert classified[0].effective_date == date(2024, 3, 1)
    assert replay(events).classification == SUBSTANDARD


def test_paying_the_arrears_returns_the_loan_to_normal(loan, su_ke_dai, clerk):
    loan.classify(as_of=date(2024, 3, 10), bounds=su_ke_dai.classification, actor=clerk)
    loan.receive_payment(
        amount_fen=FEBRUARY_INTEREST, value_date=date(2024, 3, 10), ref="P1", actor=clerk
    )

    assert loan.classify(as_of=date(2024, 3, 11), bounds=su_ke_dai.classification, actor=clerk)
    assert loan.classification == NORMAL


# -- default by days past due (R6) ---------------------------------------------------------------


def test_a_loan_defaults_on_the_day_it_is_90_days_past_due(loan, clerk):
    # February's interest was due on 29 February 2024: 90 days later is 29 May.
    assert not loan.default_when_overdue(as_of=date(2024, 5, 28), default_days=90, actor=clerk)
    assert loan.default_when_overdue(as_of=date(2024, 5, 29), default_days=90, actor=clerk)

    (event,) = loan.collect_events()
    assert (loan.state, loan.default_date) == (DEFAULTED, date(2024, 5, 29))
    assert (event.reason, event.outstanding_fen) == ("逾期90天", PRINCIPAL)


def test_a_default_found_late_is_dated_the_day_the_threshold_was_reached(loan, clerk):
    assert loan.default_when_overdue(as_of=date(2024, 7, 1), default_days=90, actor=clerk)
    assert loan.default_date == date(2024, 5, 29)


def test_a_loan_in_default_is_not_defaulted_again_but_still_classified(loan, su_ke_dai, clerk):
    loan.declare_default(default_date=date(2024, 4, 1), reason="bankruptcy", actor=clerk)

    assert not loan.default_when_overdue(as_of=date(2024, 7, 1), default_days=90, actor=clerk)
    assert loan.default_date == date(2024, 4, 1)
    assert loan.classify(as_of=date(2025, 3, 1), bounds=su_ke_dai.classification, actor=clerk)
    assert loan.classification == LOSS
    assert loan.state == DEFAULTED


def test_a_current_loan_does_not_default(loan, clerk):
    assert loan.state == ACTIVE
    assert not loan.default_when_overdue(as_of=date(2024, 2, 29), default_days=90, actor=clerk)
    assert loan.collect_events() == []


# -- the business calendar -----------------------------------------------------------------------


def test_a_business_day_closes_once_and_days_close_in_order(clerk):
    calendar = BusinessCalendar.open(effective_date=date(2025, 3, 31), actor=clerk)
    close = {"loans_reviewed": 3, "loans_classified": 1, "loans_defaulted": 0, "actor": clerk}

    assert calendar.close(business_date=date(2025, 3, 31), **close)
    assert not calendar.close(business_date=date(2025, 3, 31), **close)
    with pytest.raises(RuleViolation) as refused:
        calendar.close(business_date=date(2025, 3, 30), **close)
    assert (refused.value.rule, refused.value.field) == ("R5", "date")
    assert calendar.last_closed == date(2025, 3, 31)
    assert [type(e).__name__ for e in calendar.collect_events()] == ["Opened", "BusinessDayClosed"]


# -- properties ---------------------------------------------------------------------------------


# The terms and the clerk are immutable, so sharing them between examples is safe.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from([INTEREST_ONLY, ANNUITY, EQUAL_PRINCIPAL]),
    payments=st.lists(
        st.tuples(st.integers(min_value=0, max_value=120), st.fractions(min_value=0, max_value=1)),
        max_size=8,
    ),
)
def test_waterfall_payments_never_overpay_and_add_up(su_ke_dai, clerk, kind, payments):
    loan = register(su_ke_dai, clerk, schedule=kind)
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    day, received = START, 0
    for number, (days_later, share) in enumerate(payments):
        day += timedelta(days=days_later)
        owed = loan.statement_on(day).payoff_fen
        amount = int(owed * share)
        if amount == 0 or loan.state != ACTIVE:
            continue
        allocation, _ = loan.receive_payment(
            amount_fen=amount, value_date=day, ref=f"P{number}", actor=clerk
        )
        received += amount
        assert allocation.amount_fen == amount
        assert loan.outstanding_fen >= 0
        assert loan.statement_on(day).payoff_fen == owed - amount

    assert loan.principal_repaid_fen + loan.interest_repaid_fen == received
    assert (loan.state == PAID_OFF) == (loan.outstanding_fen == 0)
