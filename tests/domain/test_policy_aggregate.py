"""A policy on a 科技保 loan: issued within bounds, premiums capped, the insurer's leg, lapse."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.claim import Claim
from domain.errors import InvalidInput, RuleViolation
from domain.loan import Loan
from domain.policy import IN_FORCE, LAPSED, InsurancePolicy
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms

START = date(2024, 3, 1)
DEFAULT_DAY = date(2024, 10, 1)


@pytest.fixture
def ke_ji_bao() -> ProductTerms:
    """科技保: insurer 70, bank 30; premium ≤ 2.7% (the default for insured products)."""
    return parse_terms(
        {
            "code": "KJB",
            "name": "科技保",
            "structure": "insured",
            "effective_from": date(2024, 1, 1),
            "shares": {"insurer": 7000, "bank": 3000},
            "suspension": {"max_overdue_ratio": "10%"},
        }
    )


@pytest.fixture
def loan(ke_ji_bao, clerk) -> Loan:
    """A 300万 科技保 loan over 12 months, disbursed in full."""
    loan = Loan.register(
        bank="ICBC",
        reference="B1",
        enterprise="91350100M000100Y43",
        terms=ke_ji_bao,
        terms_version=1,
        principal_fen=3_000_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=3_000_000_00, value_date=START, ref="D1", actor=clerk)
    return loan


def insure(loan, terms, actor, coverage_bps=7000, premium_rate_bps=250) -> InsurancePolicy:
    return InsurancePolicy.issue(
        loan=loan,
        terms=terms,
        insurer="PICC",
        number="P-001",
        coverage_bps=coverage_bps,
        premium_rate_bps=premium_rate_bps,
        issued_on=START,
        actor=actor,
    )


@pytest.fixture
def policy(loan, ke_ji_bao, clerk) -> InsurancePolicy:
    return insure(loan, ke_ji_bao, clerk)


def refused(error, rule: str, field: str) -> None:
    assert (error.value.rule, error.value.field) == (rule, field), str(error.value)


def test_insured_products_cap_premiums_at_two_point_seven_percent_by_default(ke_ji_bao):
    assert ke_ji_bao.limits.max_premium_bps == 270


def test_a_policy_insures_its_share_of_principal_and_allows_premiums_by_its_rate(policy):
    assert policy.state == IN_FORCE
    assert (policy.insured_fen, policy.premium_allowance_fen) == (2_100_000_00, 52_500_00)


@pytest.mark.parametrize(
    ("coverage_bps", "premium_rate_bps", "rule", "field"),
    [(6999, 250, "R16", "coverage"), (7000, 271, "R17", "premium_rate")],
)
def test_a_policy_outside_the_terms_is_refused(
    loan, ke_ji_bao, clerk, coverage_bps, premium_rate_bps, rule, field
):
    with pytest.raises(RuleViolation) as error:
        insure(loan, ke_ji_bao, clerk, coverage_bps, premium_rate_bps)
    refused(error, rule, field)


def test_only_loans_of_insured_products_take_a_policy(loan, su_ke_dai, clerk):
    with pytest.raises(RuleViolation) as error:
        insure(loan, su_ke_dai, clerk)
    refused(error, "R9", "loan")


def test_premiums_are_recorded_once_per_reference_up_to_the_allowance(policy, clerk):
    assert policy.pay_premium(amount_fen=52_500_00, ref="PR1", paid_on=START, actor=clerk)
    assert not policy.pay_premium(amount_fen=52_500_00, ref="PR1", paid_on=START, actor=clerk)
    with pytest.raises(RuleViolation) as error:
        policy.pay_premium(amount_fen=1, ref="PR2", paid_on=START, actor=clerk)
    refused(error, "R17", "amount")
    assert policy.premiums_paid_fen == 52_500_00


def test_the_insurer_pays_no_more_than_the_policy_covers(policy, clerk):
    claim = uuid4()
    policy.pay_claim(
        claim=claim,
        amount_fen=2_100_000_00,
        loss_base_fen=3_000_000_00,
        effective_date=DEFAULT_DAY,
        actor=clerk,
    )
    with pytest.raises(RuleViolation) as error:
        policy.pay_claim(
            claim=claim,
            amount_fen=1,
            loss_base_fen=3_000_000_00,
            effective_date=DEFAULT_DAY,
            actor=clerk,
        )
    refused(error, "R16", "insurer")
    assert policy.claims_paid_fen == 2_100_000_00


def test_a_lapsed_policy_takes_no_premium_and_answers_no_claim(policy, loan, ke_ji_bao, clerk):
    assert policy.lapse(loan=loan, reason="保费未缴", effective_date=START, actor=clerk)
    assert not policy.lapse(loan=loan, reason="保费未缴", effective_date=START, actor=clerk)
    assert (policy.state, policy.lapsed_on) == (LAPSED, START)
    with pytest.raises(RuleViolation) as error:
        policy.pay_premium(amount_fen=1, ref="PR1", paid_on=START, actor=clerk)
    refused(error, "lifecycle", "policy")
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    with pytest.raises(RuleViolation) as error:
        Claim.file(
            loan=loan,
            terms=ke_ji_bao,
            reference="C1",
            filed_on=DEFAULT_DAY,
            actor=clerk,
            policy=policy,
        )
    refused(error, "R7", "policy")


def test_a_policy_cannot_lapse_after_its_loan_defaulted(policy, loan, clerk):
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    with pytest.raises(RuleViolation) as error:
        policy.lapse(loan=loan, reason="保费未缴", effective_date=DEFAULT_DAY, actor=clerk)
    refused(error, "lifecycle", "loan")
    with pytest.raises(InvalidInput):
        policy.lapse(loan=loan, reason=" ", effective_date=DEFAULT_DAY, actor=clerk)


def test_an_insured_claim_needs_a_policy_and_has_the_insurer_pay_the_bank(
    policy, loan, ke_ji_bao, clerk, fund_manager
):
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    with pytest.raises(RuleViolation) as error:
        Claim.file(loan=loan, terms=ke_ji_bao, reference="C1", filed_on=DEFAULT_DAY, actor=clerk)
    refused(error, "R7", "policy")
    claim = Claim.file(
        loan=loan, terms=ke_ji_bao, reference="C1", filed_on=DEFAULT_DAY, actor=clerk, policy=policy
    )
    claim.approve(
        amount_fen=3_000_000_00, terms=ke_ji_bao, effective_date=DEFAULT_DAY, actor=fund_manager
    )
    assert (claim.claimant, claim.legs, claim.payees) == (
        "bank",
        {"insurer": 2_100_000_00},
        {"insurer": "bank"},
    )


def test_an_approval_stored_before_payees_were_recorded_pays_every_leg_to_the_claimant(
    policy, loan, ke_ji_bao, clerk, fund_manager
):
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    claim = Claim.file(
        loan=loan, terms=ke_ji_bao, reference="C1", filed_on=DEFAULT_DAY, actor=clerk, policy=policy
    )
    claim.approve(
        amount_fen=3_000_000_00, terms=ke_ji_bao, effective_date=DEFAULT_DAY, actor=fund_manager
    )
    events = claim.collect_events()
    approved = next(e for e in events if type(e).__name__ == "Approved")
    del approved.__dict__["payees"]  # the shape stored before payees existed
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt is not None
    assert rebuilt.payees == {"insurer": "bank"}
    assert rebuilt.pay_leg(payer="insurer", effective_date=DEFAULT_DAY, actor=fund_manager) == (
        2_100_000_00
    )
