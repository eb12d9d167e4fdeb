"""A loan's life: registered within its product's limits, disbursed, repaid, paid off, defaulted."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import loan_id
from domain.loan import ACTIVE, DEFAULTED, PAID_OFF, REGISTERED, Loan

START = date(2024, 3, 1)
THREE_MILLION = 3_000_000_00  # 300万 in fen


def register(terms, actor, **changes) -> Loan:
    command = {
        "bank": "ICBC",
        "reference": "ICBC-2024-0001",
        "enterprise": "91350100M000100Y43",
        "terms": terms,
        "terms_version": 1,
        "principal_fen": THREE_MILLION,
        "annual_rate_bps": 385,
        "term_months": 24,
        "start_date": START,
        "first_loan": True,
        "pure_credit": False,
        "actor": actor,
    }
    return Loan.register(**(command | changes))


@pytest.fixture
def loan(su_ke_dai, clerk) -> Loan:
    """300万 registered and fully disbursed on its start date; events collected."""
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=THREE_MILLION, value_date=START, ref="D1", actor=clerk)
    loan.collect_events()
    return loan


def replay(events) -> Loan:
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    return rebuilt


# -- registration --------------------------------------------------------------------------


def test_a_loan_is_found_by_its_bank_and_the_banks_reference(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    assert loan.id == loan_id("ICBC", "ICBC-2024-0001")
    assert loan.state == REGISTERED
    assert loan.product == "SKD"
    assert loan.outstanding_fen == 0
    assert [type(e).__name__ for e in loan.collect_events()] == ["Registered"]


def test_a_loan_above_the_products_per_loan_cap_is_refused_r2(su_ke_dai, clerk):
    with pytest.raises(RuleViolation) as refused:
        register(su_ke_dai, clerk, principal_fen=5_000_000_01)
    assert (refused.value.rule, refused.value.field) == ("R2", "principal")
    assert "5,000,000.00" in refused.value.reason


def test_a_loan_exactly_at_the_cap_is_allowed(su_ke_dai, clerk):
    assert register(su_ke_dai, clerk, principal_fen=5_000_000_00).principal_fen == 5_000_000_00


def test_a_term_longer_than_the_products_maximum_is_refused_r2(su_ke_dai, clerk):
    with pytest.raises(RuleViolation) as refused:
        register(su_ke_dai, clerk, term_months=37)
    assert (refused.value.rule, refused.value.field) == ("R2", "term")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reference": "  "}, "reference"),
        ({"principal_fen": 0}, "principal"),
        ({"principal_fen": -100}, "principal"),
        ({"annual_rate_bps": 0}, "rate"),
        ({"annual_rate_bps": 10_000}, "rate"),
        ({"term_months": 0}, "term"),
    ],
)
def test_a_malformed_registration_is_refused_naming_the_field(su_ke_dai, clerk, changes, field):
    with pytest.raises(InvalidInput) as refused:
        register(su_ke_dai, clerk, **changes)
    assert refused.value.field == field


def test_a_repeated_registration_is_recognised_only_with_the_same_content(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    same = {
        "enterprise": "91350100M000100Y43",
        "product": "SKD",
        "principal_fen": THREE_MILLION,
        "annual_rate_bps": 385,
        "term_months": 24,
        "start_date": START,
        "first_loan": True,
        "pure_credit": False,
    }
    assert loan.registration_differences(**same) == []
    assert loan.registration_differences(**(same | {"principal_fen": THREE_MILLION + 1})) == [
        "principal"
    ]
    assert loan.registration_differences(**(same | {"pure_credit": True})) == ["pure_credit"]


# -- disbursement ----------------------------------------------------------------------------


def test_disbursing_makes_the_loan_active_and_outstanding(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.collect_events()
    assert loan.disburse(amount_fen=1_000_000_00, value_date=START, ref="D1", actor=clerk)
    assert loan.state == ACTIVE
    assert loan.outstanding_fen == 1_000_000_00
    assert [type(e).__name__ for e in loan.collect_events()] == ["Disbursed"]


def test_disbursing_beyond_the_principal_is_refused_and_the_loan_is_unchanged(loan, clerk):
    loan_before = (loan.disbursed_fen, loan.state)
    with pytest.raises(InvalidInput) as refused:
        loan.disburse(amount_fen=1, value_date=START, ref="D2", actor=clerk)
    assert refused.value.field == "amount"
    assert (loan.disbursed_fen, loan.state) == loan_before
    assert loan.pending_events == []


def test_a_disbursement_dated_before_the_start_is_refused(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.collect_events()
    with pytest.raises(InvalidInput) as refused:
        loan.disburse(amount_fen=100, value_date=date(2024, 2, 29), ref="D1", actor=clerk)
    assert refused.value.field == "date"
    assert loan.pending_events == []
    assert loan.state == REGISTERED


@pytest.mark.parametrize("amount", [0, -1])
def test_a_disbursement_must_be_positive(su_ke_dai, clerk, amount):
    loan = register(su_ke_dai, clerk)
    loan.collect_events()
    with pytest.raises(InvalidInput):
        loan.disburse(amount_fen=amount, value_date=START, ref="D1", actor=clerk)
    assert loan.pending_events == []


def test_a_repeated_disbursement_reference_with_the_same_content_is_a_no_op(loan, clerk):
    assert loan.disburse(amount_fen=THREE_MILLION, value_date=START, ref="D1", actor=clerk) is False
    assert loan.disbursed_fen == THREE_MILLION
    assert loan.pending_events == []


def test_a_repeated_disbursement_reference_with_other_content_is_a_conflict(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=100_00, value_date=START, ref="D1", actor=clerk)
    loan.collect_events()
    with pytest.raises(Conflict) as refused:
        loan.disburse(amount_fen=200_00, value_date=START, ref="D1", actor=clerk)
    assert refused.value.field == "ref"
    assert loan.disbursed_fen == 100_00
    assert loan.pending_events == []


@pytest.mark.parametrize("ref", ["", "   "])
def test_every_money_command_needs_a_reference(loan, clerk, ref):
    with pytest.raises(InvalidInput) as refused:
        loan.repay(principal_fen=100, interest_fen=0, value_date=START, ref=ref, actor=clerk)
    assert refused.value.field == "ref"
    assert loan.pending_events == []


# -- repayment ----------------------------------------------------------------------------


def test_a_repayment_reduces_the_outstanding_principal_and_counts_interest(loan, clerk):
    day = date(2024, 4, 1)
    assert loan.repay(
        principal_fen=500_000_00, interest_fen=9_625_00, value_date=day, ref="R1", actor=clerk
    )
    assert loan.outstanding_fen == 2_500_000_00
    assert loan.interest_repaid_fen == 9_625_00
    assert loan.state == ACTIVE
    assert [type(e).__name__ for e in loan.collect_events()] == ["RepaymentReceived"]


def test_an_interest_only_repayment_leaves_the_principal_outstanding(loan, clerk):
    loan.repay(principal_fen=0, interest_fen=9_625_00, value_date=START, ref="R1", actor=clerk)
    assert loan.outstanding_fen == THREE_MILLION
    assert loan.state == ACTIVE


def test_repaying_more_than_outstanding_is_refused_and_the_loan_is_unchanged(loan, clerk):
    with pytest.raises(InvalidInput) as refused:
        loan.repay(
            principal_fen=THREE_MILLION + 1, interest_fen=0, value_date=START, ref="R1", actor=clerk
        )
    assert refused.value.field == "principal"
    assert loan.outstanding_fen == THREE_MILLION
    assert loan.principal_repaid_fen == 0
    assert loan.pending_events == []
    # The refused reference was not remembered: it can still be used.
    assert loan.repay(principal_fen=100, interest_fen=0, value_date=START, ref="R1", actor=clerk)


@pytest.mark.parametrize(("principal", "interest"), [(0, 0), (-1, 100), (100, -1)])
def test_a_repayment_must_pay_something_and_nothing_negative(loan, clerk, principal, interest):
    with pytest.raises(InvalidInput) as refused:
        loan.repay(
            principal_fen=principal, interest_fen=interest, value_date=START, ref="R", actor=clerk
        )
    assert refused.value.field == "amount"
    assert loan.pending_events == []


def test_a_repayment_dated_before_the_start_is_refused(loan, clerk):
    with pytest.raises(InvalidInput) as refused:
        loan.repay(
            principal_fen=100, interest_fen=0, value_date=date(2024, 1, 1), ref="R", actor=clerk
        )
    assert refused.value.field == "date"
    assert loan.pending_events == []


def test_a_loan_not_yet_disbursed_takes_no_repayments(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.collect_events()
    with pytest.raises(RuleViolation) as refused:
        loan.repay(principal_fen=0, interest_fen=100, value_date=START, ref="R", actor=clerk)
    assert refused.value.rule == "lifecycle"
    assert loan.pending_events == []


def test_repeat_of_a_repayment_reference_with_same_content_is_a_no_op(loan, clerk):
    day = date(2024, 4, 1)
    loan.repay(principal_fen=100_00, interest_fen=50_00, value_date=day, ref="R1", actor=clerk)
    loan.collect_events()
    assert (
        loan.repay(principal_fen=100_00, interest_fen=50_00, value_date=day, ref="R1", actor=clerk)
        is False
    )
    assert loan.principal_repaid_fen == 100_00
    assert loan.pending_events == []


@pytest.mark.parametrize(
    "other",
    [
        {"principal_fen": 100_01, "interest_fen": 50_00, "value_date": date(2024, 4, 1)},
        {"principal_fen": 100_00, "interest_fen": 0, "value_date": date(2024, 4, 1)},
        {"principal_fen": 100_00, "interest_fen": 50_00, "value_date": date(2024, 4, 2)},
    ],
)
def test_repeat_of_a_repayment_reference_with_other_content_is_a_conflict(loan, clerk, other):
    day = date(2024, 4, 1)
    loan.repay(principal_fen=100_00, interest_fen=50_00, value_date=day, ref="R1", actor=clerk)
    loan.collect_events()
    with pytest.raises(Conflict):
        loan.repay(**other, ref="R1", actor=clerk)
    assert loan.principal_repaid_fen == 100_00
    assert loan.pending_events == []


def test_a_disbursement_reference_cannot_be_reused_for_a_repayment(loan, clerk):
    with pytest.raises(Conflict):
        loan.repay(principal_fen=100, interest_fen=0, value_date=START, ref="D1", actor=clerk)
    assert loan.pending_events == []


def test_the_loan_is_paid_off_when_the_principal_is_fully_repaid(loan, clerk):
    day = date(2026, 3, 1)
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=day, ref="R1", actor=clerk)
    assert loan.state == ACTIVE
    loan.repay(
        principal_fen=2_000_000_00, interest_fen=7_700_00, value_date=day, ref="R2", actor=clerk
    )
    assert loan.state == PAID_OFF
    assert loan.outstanding_fen == 0
    assert [type(e).__name__ for e in loan.collect_events()] == [
        "RepaymentReceived",
        "RepaymentReceived",
        "PaidOff",
    ]


def test_a_paid_off_loan_takes_no_more_money_but_repeats_stay_no_ops(loan, clerk):
    day = date(2026, 3, 1)
    loan.repay(principal_fen=THREE_MILLION, interest_fen=0, value_date=day, ref="R1", actor=clerk)
    loan.collect_events()
    assert (
        loan.repay(
            principal_fen=THREE_MILLION, interest_fen=0, value_date=day, ref="R1", actor=clerk
        )
        is False
    )
    with pytest.raises(RuleViolation):
        loan.repay(principal_fen=0, interest_fen=100, value_date=day, ref="R2", actor=clerk)
    with pytest.raises(RuleViolation):
        loan.disburse(amount_fen=100, value_date=day, ref="D2", actor=clerk)
    assert loan.pending_events == []


def test_repaying_a_partly_disbursed_loan_does_not_pay_it_off(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=1_000_000_00, value_date=START, ref="D1", actor=clerk)
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    assert loan.outstanding_fen == 0
    assert loan.state == ACTIVE


# -- default and claims --------------------------------------------------------------------


def test_a_declared_default_records_the_outstanding_principal_on_that_day(loan, clerk):
    loan.repay(principal_fen=500_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    loan.collect_events()
    assert loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=clerk)
    assert loan.state == DEFAULTED
    assert loan.default_date == date(2024, 9, 1)
    assert loan.outstanding_at_default_fen == 2_500_000_00
    assert [type(e).__name__ for e in loan.collect_events()] == ["Defaulted"]


def test_declaring_the_same_default_again_is_a_no_op_and_another_day_is_refused(loan, clerk):
    loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=clerk)
    loan.collect_events()
    assert loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=clerk) is False
    with pytest.raises(RuleViolation) as refused:
        loan.declare_default(default_date=date(2024, 9, 2), reason="破产", actor=clerk)
    assert refused.value.rule == "R6"
    assert loan.default_date == date(2024, 9, 1)
    assert loan.pending_events == []


def test_a_defaulted_loan_takes_no_repayments(loan, clerk):
    loan.declare_default(default_date=date(2024, 9, 1), reason="欺诈", actor=clerk)
    loan.collect_events()
    with pytest.raises(RuleViolation):
        loan.repay(
            principal_fen=100, interest_fen=0, value_date=date(2024, 9, 2), ref="R", actor=clerk
        )
    assert loan.pending_events == []


def test_only_an_active_loan_can_default(su_ke_dai, clerk):
    loan = register(su_ke_dai, clerk)
    loan.collect_events()
    with pytest.raises(RuleViolation) as refused:
        loan.declare_default(default_date=START, reason="破产", actor=clerk)
    assert refused.value.rule == "R6"
    assert loan.pending_events == []


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [(date(2024, 9, 1), " ", "reason"), (date(2024, 2, 1), "破产", "date")],
)
def test_a_default_needs_a_reason_and_a_date_after_the_start(loan, clerk, day, reason, field):
    with pytest.raises(InvalidInput) as refused:
        loan.declare_default(default_date=day, reason=reason, actor=clerk)
    assert refused.value.field == field
    assert loan.state == ACTIVE
    assert loan.pending_events == []


def test_a_defaulted_loan_holds_one_open_claim_at_a_time_r7(loan, clerk):
    day = date(2024, 9, 1)
    first, second = uuid4(), uuid4()
    with pytest.raises(RuleViolation) as refused:
        loan.open_claim_for(claim=first, effective_date=day, actor=clerk)
    assert refused.value.rule == "R7"
    loan.declare_default(default_date=day, reason="破产", actor=clerk)
    loan.open_claim_for(claim=first, effective_date=day, actor=clerk)
    loan.collect_events()
    with pytest.raises(RuleViolation) as refused:
        loan.open_claim_for(claim=second, effective_date=day, actor=clerk)
    assert refused.value.rule == "R7"
    assert loan.pending_events == []
    loan.close_claim(claim=second, effective_date=day, actor=clerk)
    assert loan.open_claim == first
    assert loan.pending_events == []
    loan.close_claim(claim=first, effective_date=day, actor=clerk)
    assert loan.open_claim is None
    loan.open_claim_for(claim=second, effective_date=day, actor=clerk)
    assert loan.open_claim == second


# -- replay --------------------------------------------------------------------------------


def test_a_loan_rebuilt_from_its_events_has_the_same_state_and_remembers_its_references(
    su_ke_dai, clerk
):
    loan = register(su_ke_dai, clerk)
    loan.disburse(amount_fen=THREE_MILLION, value_date=START, ref="D1", actor=clerk)
    loan.repay(principal_fen=100_00, interest_fen=5_00, value_date=START, ref="R1", actor=clerk)
    loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=clerk)
    rebuilt = replay(loan.collect_events())
    assert rebuilt.version == loan.version
    assert (rebuilt.state, rebuilt.outstanding_fen, rebuilt.outstanding_at_default_fen) == (
        DEFAULTED,
        THREE_MILLION - 100_00,
        THREE_MILLION - 100_00,
    )
    assert (
        rebuilt.repay(
            principal_fen=100_00, interest_fen=5_00, value_date=START, ref="R1", actor=clerk
        )
        is False
    )
    with pytest.raises(Conflict):
        rebuilt.repay(principal_fen=1, interest_fen=0, value_date=START, ref="R1", actor=clerk)
