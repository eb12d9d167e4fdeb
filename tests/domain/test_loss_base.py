"""A claim's loss base (R7): the principal outstanding at default, and the interest unpaid then
only when the product covers interest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.claim import Claim
from domain.errors import RuleViolation
from domain.guarantee import Guarantee
from domain.loan import Loan
from domain.terms_parsing import parse_terms

START = date(2024, 1, 31)
DEFAULT_DAY = date(2024, 5, 15)
PRINCIPAL = 1_200_000_00
# 120万 at 4%, 先息后本: February 29 days 3,866.67, March 31 days 4,133.33, April 30 days
# 4,000.00 — due and unpaid by 15 May. May's interest falls due on 31 May, after the default.
UNPAID_INTEREST = 3_866_67 + 4_133_33 + 4_000_00


@pytest.fixture
def defaulted(su_ke_dai, clerk) -> Loan:
    """120万 at 4% from 31 January, paid out in full, nothing repaid, in default on 15 May."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=PRINCIPAL,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    return loan


def _file(loan: Loan, terms, actor) -> Claim:
    return Claim.file(loan=loan, terms=terms, reference="C1", filed_on=DEFAULT_DAY, actor=actor)


def test_a_product_covering_interest_adds_the_interest_unpaid_at_default(
    defaulted, su_ke_dai, clerk
):
    covering = replace(su_ke_dai, covers_interest=True)

    claim = _file(defaulted, covering, clerk)

    assert defaulted.interest_unpaid_at_default_fen() == UNPAID_INTEREST
    assert claim.loss_base_fen == PRINCIPAL + UNPAID_INTEREST


def test_a_product_not_covering_interest_takes_the_principal_alone(defaulted, su_ke_dai, clerk):
    assert _file(defaulted, su_ke_dai, clerk).loss_base_fen == PRINCIPAL


def test_interest_paid_before_the_default_is_not_in_the_loss_base(su_ke_dai, clerk):
    loan = Loan.register(
        bank="ICBC",
        reference="L2",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=PRINCIPAL,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    loan.receive_payment(amount_fen=3_866_67, value_date=date(2024, 2, 29), ref="P1", actor=clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)

    claim = _file(loan, replace(su_ke_dai, covers_interest=True), clerk)

    assert claim.loss_base_fen == PRINCIPAL + 4_133_33 + 4_000_00


def test_approving_more_than_principal_and_unpaid_interest_is_refused(
    defaulted, su_ke_dai, clerk, fund_manager
):
    covering = replace(su_ke_dai, covers_interest=True)
    claim = _file(defaulted, covering, clerk)
    claim.collect_events()

    with pytest.raises(RuleViolation) as refused:
        claim.approve(
            amount_fen=PRINCIPAL + UNPAID_INTEREST + 1,
            terms=covering,
            effective_date=DEFAULT_DAY,
            actor=fund_manager,
        )

    assert (refused.value.rule, refused.value.field) == ("R7", "amount")
    assert claim.collect_events() == []
    claim.approve(
        amount_fen=PRINCIPAL + UNPAID_INTEREST,
        terms=covering,
        effective_date=DEFAULT_DAY,
        actor=fund_manager,
    )
    assert sum(claim.burdens.values()) == PRINCIPAL + UNPAID_INTEREST


def test_a_guarantors_payout_covers_the_unpaid_interest_when_the_product_covers_it(clerk):
    terms = parse_terms(
        {
            "code": "KCD",
            "name": "科创贷",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "covers_interest": True,
            "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
        }
    )
    loan = Loan.register(
        bank="ICBC",
        reference="K1",
        enterprise="91350100M000100Y43",
        terms=terms,
        terms_version=1,
        principal_fen=PRINCIPAL,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=PRINCIPAL, value_date=START, ref="D1", actor=clerk)
    guarantee = Guarantee.issue(
        loan=loan,
        terms=terms,
        guarantor="JSDB",
        contract="DB-001",
        coverage_bps=8000,
        fee_rate_bps=100,
        reguarantor="JSZDB",
        reguarantee_fee_bps=None,
        issued_on=START,
        actor=clerk,
    )
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)

    guarantee.make_payout(
        loan=loan,
        amount_fen=None,
        ref="DC1",
        effective_date=DEFAULT_DAY,
        actor=clerk,
        covers_interest=terms.covers_interest,
    )

    loss_base = PRINCIPAL + UNPAID_INTEREST
    assert guarantee.loss_base_fen == loss_base
    assert guarantee.paid_out_fen == loss_base * 8 // 10  # 80% of 1,212,000.00, exact
    claim = Claim.file(
        loan=loan,
        terms=terms,
        reference="C1",
        filed_on=DEFAULT_DAY,
        actor=clerk,
        guarantee=guarantee,
    )
    assert claim.loss_base_fen == loss_base
