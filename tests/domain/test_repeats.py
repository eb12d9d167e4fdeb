"""Repeats without a money reference (R14): the same declaration again is a no-op; one that
says something else is a conflict naming the field that differs, and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict
from domain.guarantee import Guarantee
from domain.loan import Loan
from domain.policy import InsurancePolicy
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms

START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 9, 1)


def _loan(terms: ProductTerms, actor) -> Loan:
    """A 100万 loan over 12 months, paid out in full on its start date."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=terms,
        terms_version=1,
        principal_fen=1_000_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=actor,
    )
    loan.disburse(amount_fen=1_000_000_00, value_date=START, ref="D1", actor=actor)
    return loan


def _refused(call, field: str, aggregate) -> Conflict:
    """Runs `call`, which must be a conflict on `field` that writes nothing."""
    written = len(aggregate.pending_events)
    with pytest.raises(Conflict) as refused:
        call()
    assert refused.value.field == field, str(refused.value)
    assert len(aggregate.pending_events) == written
    return refused.value


# -- a declared default (R6) -------------------------------------------------------------------


def test_the_same_default_again_is_a_no_op(su_ke_dai, clerk):
    loan = _loan(su_ke_dai, clerk)
    assert loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    written = len(loan.pending_events)
    assert loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk) is False
    assert len(loan.pending_events) == written


def test_a_default_on_the_same_day_for_another_reason_is_a_conflict(su_ke_dai, clerk):
    loan = _loan(su_ke_dai, clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)

    conflict = _refused(
        lambda: loan.declare_default(default_date=DEFAULT_DAY, reason="欺诈", actor=clerk),
        "reason",
        loan,
    )

    assert "'破产', not '欺诈'" in str(conflict)
    assert loan.default_reason == "破产"


# -- a guarantee released ------------------------------------------------------------------------


@pytest.fixture
def ke_chuang_dai() -> ProductTerms:
    return parse_terms(
        {
            "code": "KCD",
            "name": "科创贷",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
        }
    )


def test_a_release_on_another_day_is_a_conflict(ke_chuang_dai, clerk):
    loan = _loan(ke_chuang_dai, clerk)
    guarantee = Guarantee.issue(
        loan=loan,
        terms=ke_chuang_dai,
        guarantor="JSDB",
        contract="DB-001",
        coverage_bps=8000,
        fee_rate_bps=100,
        reguarantor="JSZDB",
        reguarantee_fee_bps=None,
        issued_on=START,
        actor=clerk,
    )
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    paid_off = date(2025, 2, 1)
    assert guarantee.release(loan=loan, effective_date=paid_off, actor=clerk)
    assert guarantee.release(loan=loan, effective_date=paid_off, actor=clerk) is False

    _refused(
        lambda: guarantee.release(loan=loan, effective_date=date(2025, 2, 2), actor=clerk),
        "date",
        guarantee,
    )
    assert guarantee.released_on == paid_off


# -- a policy lapsed -----------------------------------------------------------------------------


@pytest.fixture
def policy_and_loan(clerk) -> tuple[InsurancePolicy, Loan]:
    terms = parse_terms(
        {
            "code": "KJB",
            "name": "科技保",
            "structure": "insured",
            "effective_from": date(2024, 1, 1),
            "shares": {"insurer": 7000, "bank": 3000},
        }
    )
    loan = _loan(terms, clerk)
    policy = InsurancePolicy.issue(
        loan=loan,
        terms=terms,
        insurer="PICC",
        number="P-001",
        coverage_bps=7000,
        premium_rate_bps=250,
        issued_on=START,
        actor=clerk,
    )
    policy.lapse(loan=loan, reason="保费未缴", effective_date=date(2024, 6, 1), actor=clerk)
    return policy, loan


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [(date(2024, 6, 2), "保费未缴", "date"), (date(2024, 6, 1), "投保人解约", "reason")],
)
def test_a_lapse_on_another_day_or_for_another_reason_is_a_conflict(
    policy_and_loan, clerk, day, reason, field
):
    policy, loan = policy_and_loan
    assert (
        policy.lapse(loan=loan, reason="保费未缴", effective_date=date(2024, 6, 1), actor=clerk)
        is False
    )

    _refused(
        lambda: policy.lapse(loan=loan, reason=reason, effective_date=day, actor=clerk),
        field,
        policy,
    )
    assert (policy.lapsed_on, policy.lapse_reason) == (date(2024, 6, 1), "保费未缴")
