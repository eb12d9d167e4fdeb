"""A guarantee on a 科创贷 loan: issued within bounds, fees capped, one 代偿, then released."""

from __future__ import annotations

import re
from datetime import date
from uuid import uuid4

import pytest

from domain.claim import Claim
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.guarantee import ISSUED, PAID_OUT, RELEASED, Guarantee
from domain.loan import Loan
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms

START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 12, 1)


@pytest.fixture
def ke_chuang_dai() -> ProductTerms:
    """科创贷: guarantor 40, re-guarantor 30, bank 20, county pool 10; fees ≤ 1% and ≤ 0.5%."""
    return parse_terms(
        {
            "code": "KCD",
            "name": "科创贷",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
            "coverage": {"min": "80%", "max": "100%"},
        }
    )


@pytest.fixture
def loan(ke_chuang_dai, clerk) -> Loan:
    """A 500万 科创贷 loan over 12 months, disbursed in full."""
    loan = Loan.register(
        bank="ICBC",
        reference="K1",
        enterprise="91350100M000100Y43",
        terms=ke_chuang_dai,
        terms_version=1,
        principal_fen=5_000_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=5_000_000_00, value_date=START, ref="D1", actor=clerk)
    return loan


def issue(loan, terms, actor, **changes) -> Guarantee:
    given = {
        "guarantor": "JSDB",
        "contract": "DB-001",
        "coverage_bps": 8000,
        "fee_rate_bps": 100,
        "reguarantor": "JSZDB",
        "reguarantee_fee_bps": 50,
        **changes,
    }
    return Guarantee.issue(loan=loan, terms=terms, issued_on=START, actor=actor, **given)


@pytest.fixture
def guarantee(loan, ke_chuang_dai, clerk) -> Guarantee:
    return issue(loan, ke_chuang_dai, clerk)


@pytest.fixture
def defaulted(loan, clerk) -> Loan:
    """The loan with 100万 repaid, in default with 400万 outstanding."""
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    return loan


def refused(error, rule: str, field: str) -> None:
    assert (error.value.rule, error.value.field) == (rule, field), str(error.value)


# -- issue (R16, R17) ----------------------------------------------------------------------


def test_a_guarantee_covers_its_share_of_principal_and_allows_fees_by_its_rates(guarantee):
    assert guarantee.state == ISSUED
    assert guarantee.id == Guarantee.create_id(guarantee.loan)
    assert guarantee.guaranteed_fen == 4_000_000_00
    assert guarantee.fee_allowance_fen == 40_000_00
    assert guarantee.reguarantee_fee_allowance_fen == 20_000_00


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        ({"coverage_bps": 7999}, "R16", "coverage"),
        ({"fee_rate_bps": 101}, "R17", "fee_rate"),
        ({"reguarantee_fee_bps": 51}, "R17", "reguarantee_fee"),
        ({"reguarantor": None, "reguarantee_fee_bps": None}, "R9", "reguarantor"),
    ],
)
def test_a_guarantee_outside_the_terms_is_refused(loan, ke_chuang_dai, clerk, changes, rule, field):
    with pytest.raises(RuleViolation) as error:
        issue(loan, ke_chuang_dai, clerk, **changes)
    refused(error, rule, field)


def test_a_guarantee_must_cover_the_guarantors_side_even_when_the_bounds_allow_less(loan, clerk):
    loose = parse_terms(
        {
            "code": "KCD",
            "name": "科创贷",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
            "coverage": {"min": "50%"},
        }
    )
    with pytest.raises(RuleViolation, match=re.escape("less than the 80.00% of each loss")):
        issue(loan, loose, clerk, coverage_bps=7000)


def test_a_reguarantee_fee_needs_a_reguarantor_and_a_product_that_shares_with_one(loan, clerk):
    no_reguarantor = parse_terms(
        {
            "code": "KCD2",
            "name": "科创贷二",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "shares": {"guarantor": 7000, "bank": 3000},
        }
    )
    with pytest.raises(RuleViolation) as error:
        issue(loan, no_reguarantor, clerk, coverage_bps=7000)
    refused(error, "R9", "reguarantor")
    with pytest.raises(InvalidInput, match="needs a re-guarantor"):
        issue(loan, no_reguarantor, clerk, coverage_bps=7000, reguarantor=None)


def test_only_running_loans_of_guaranteed_products_take_a_guarantee(
    loan, ke_chuang_dai, su_ke_dai, clerk
):
    with pytest.raises(RuleViolation) as error:
        issue(loan, su_ke_dai, clerk)
    refused(error, "R9", "loan")
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    with pytest.raises(RuleViolation) as error:
        issue(loan, ke_chuang_dai, clerk)
    refused(error, "lifecycle", "loan")


def test_a_repeated_issue_names_what_differs(guarantee):
    same = {
        "guarantor": "JSDB",
        "contract": "DB-001",
        "coverage_bps": 8000,
        "fee_rate_bps": 100,
        "reguarantor": "JSZDB",
        "reguarantee_fee_bps": 50,
    }
    assert guarantee.issue_differences(**same) == []
    assert guarantee.issue_differences(**{**same, "coverage_bps": 9000, "contract": "X"}) == [
        "ref",
        "coverage",
    ]


# -- fees (R17, R14) -----------------------------------------------------------------------


def test_fees_are_recorded_once_per_reference_up_to_the_allowance(guarantee, clerk):
    assert guarantee.pay_fee(amount_fen=30_000_00, ref="F1", paid_on=START, actor=clerk)
    assert not guarantee.pay_fee(amount_fen=30_000_00, ref="F1", paid_on=START, actor=clerk)
    with pytest.raises(Conflict):
        guarantee.pay_fee(amount_fen=1_00, ref="F1", paid_on=START, actor=clerk)
    with pytest.raises(RuleViolation) as error:
        guarantee.pay_fee(amount_fen=10_000_01, ref="F2", paid_on=START, actor=clerk)
    refused(error, "R17", "amount")
    assert guarantee.pay_fee(amount_fen=10_000_00, ref="F2", paid_on=START, actor=clerk)
    assert guarantee.fees_paid_fen == 40_000_00


def test_reguarantee_fees_are_capped_separately(guarantee, clerk):
    assert guarantee.pay_reguarantee_fee(
        amount_fen=20_000_00, ref="RF1", paid_on=START, actor=clerk
    )
    with pytest.raises(RuleViolation, match="re-guarantee fees would total"):
        guarantee.pay_reguarantee_fee(amount_fen=1, ref="RF2", paid_on=START, actor=clerk)
    assert (guarantee.fees_paid_fen, guarantee.reguarantee_fees_paid_fen) == (0, 20_000_00)


# -- 代偿 (R9, R16) and the claim (R7) -----------------------------------------------------


def test_the_payout_defaults_to_the_covered_part_of_the_outstanding_at_default(
    guarantee, defaulted, clerk
):
    assert guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    assert (guarantee.state, guarantee.paid_out_fen) == (PAID_OUT, 3_200_000_00)
    # The same payout again is a no-op; another one is refused.
    assert not guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    with pytest.raises(Conflict):
        guarantee.make_payout(
            loan=defaulted, amount_fen=1, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
        )
    with pytest.raises(RuleViolation) as error:
        guarantee.make_payout(
            loan=defaulted, amount_fen=1, ref="DC2", effective_date=DEFAULT_DAY, actor=clerk
        )
    refused(error, "R9", "guarantee")


def test_a_payout_beyond_the_cover_or_before_the_default_is_refused(guarantee, loan, clerk):
    with pytest.raises(RuleViolation) as error:
        guarantee.make_payout(
            loan=loan, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
        )
    refused(error, "R9", "loan")
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产", actor=clerk)
    with pytest.raises(RuleViolation) as error:
        guarantee.make_payout(
            loan=loan, amount_fen=3_200_000_01, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
        )
    refused(error, "R16", "amount")
    with pytest.raises(InvalidInput):
        guarantee.make_payout(
            loan=loan, amount_fen=None, ref="DC1", effective_date=date(2024, 11, 30), actor=clerk
        )
    assert guarantee.paid_out_fen == 0


def test_the_guarantor_files_only_after_its_payout(guarantee, defaulted, ke_chuang_dai, clerk):
    def file() -> Claim:
        return Claim.file(
            loan=defaulted,
            terms=ke_chuang_dai,
            reference="C1",
            filed_on=DEFAULT_DAY,
            actor=clerk,
            guarantee=guarantee,
        )

    with pytest.raises(RuleViolation) as error:
        file()
    refused(error, "R7", "guarantor")
    guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    claim = file()
    assert (claim.claimant, claim.loss_base_fen) == ("guarantor", 4_000_000_00)


def test_a_guaranteed_claim_without_a_guarantee_is_refused(defaulted, ke_chuang_dai, clerk):
    with pytest.raises(RuleViolation) as error:
        Claim.file(
            loan=defaulted, terms=ke_chuang_dai, reference="C1", filed_on=DEFAULT_DAY, actor=clerk
        )
    refused(error, "R7", "guarantor")


def test_the_approved_guarantors_leg_goes_to_the_bank_and_the_others_to_the_guarantor(
    guarantee, defaulted, ke_chuang_dai, clerk, fund_manager
):
    guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    claim = Claim.file(
        loan=defaulted,
        terms=ke_chuang_dai,
        reference="C1",
        filed_on=DEFAULT_DAY,
        actor=clerk,
        guarantee=guarantee,
    )
    claim.approve(
        amount_fen=4_000_000_00, terms=ke_chuang_dai, effective_date=DEFAULT_DAY, actor=fund_manager
    )
    assert claim.legs == {
        "guarantor": 3_200_000_00,
        "reguarantor": 1_200_000_00,
        "pool.county": 400_000_00,
    }
    assert claim.payees == {
        "guarantor": "bank",
        "reguarantor": "guarantor",
        "pool.county": "guarantor",
    }
    guarantee.check_covers_leg(claim.legs["guarantor"])
    with pytest.raises(RuleViolation) as error:
        guarantee.check_covers_leg(3_200_000_01)
    refused(error, "R9", "amount")


def test_reimbursements_follow_the_payout(guarantee, defaulted, clerk):
    with pytest.raises(RuleViolation):
        guarantee.receive_reimbursement(
            payer="reguarantor",
            amount_fen=1,
            claim=uuid4(),
            effective_date=DEFAULT_DAY,
            actor=clerk,
        )
    guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    claim = uuid4()
    for payer, fen in (("reguarantor", 1_200_000_00), ("pool.county", 400_000_00)):
        guarantee.receive_reimbursement(
            payer=payer, amount_fen=fen, claim=claim, effective_date=DEFAULT_DAY, actor=clerk
        )
    assert guarantee.reimbursed_fen == 1_600_000_00


# -- release -------------------------------------------------------------------------------


def test_a_guarantee_is_released_once_its_loan_is_paid_off(guarantee, loan, clerk):
    with pytest.raises(RuleViolation) as error:
        guarantee.release(loan=loan, effective_date=START, actor=clerk)
    refused(error, "lifecycle", "loan")
    loan.repay(principal_fen=5_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    assert guarantee.release(loan=loan, effective_date=START, actor=clerk)
    assert guarantee.state == RELEASED
    assert not guarantee.release(loan=loan, effective_date=START, actor=clerk)


def test_a_guarantee_that_paid_out_is_not_released(guarantee, defaulted, clerk):
    guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    with pytest.raises(RuleViolation) as error:
        guarantee.release(loan=defaulted, effective_date=DEFAULT_DAY, actor=clerk)
    refused(error, "lifecycle", "guarantee")


def test_a_released_guarantee_takes_no_fee_as_a_lapsed_policy_takes_no_premium(
    guarantee, loan, clerk
):
    guarantee.pay_fee(amount_fen=10_000_00, ref="F1", paid_on=START, actor=clerk)
    loan.repay(principal_fen=5_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    guarantee.release(loan=loan, effective_date=START, actor=clerk)
    guarantee.collect_events()
    for pay in (guarantee.pay_fee, guarantee.pay_reguarantee_fee):
        with pytest.raises(RuleViolation, match="released") as error:
            pay(amount_fen=1_00, ref="F2", paid_on=START, actor=clerk)
        refused(error, "lifecycle", "guarantee")
    # The fee recorded before the release is still answered as a repeat.
    assert not guarantee.pay_fee(amount_fen=10_000_00, ref="F1", paid_on=START, actor=clerk)
    assert (guarantee.fees_paid_fen, guarantee.collect_events()) == (10_000_00, [])


def test_a_guarantee_that_made_its_payout_takes_no_fee(guarantee, defaulted, clerk):
    guarantee.make_payout(
        loan=defaulted, amount_fen=None, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    guarantee.collect_events()
    for pay in (guarantee.pay_fee, guarantee.pay_reguarantee_fee):
        with pytest.raises(RuleViolation, match="代偿") as error:
            pay(amount_fen=1_00, ref="F1", paid_on=DEFAULT_DAY, actor=clerk)
        refused(error, "lifecycle", "guarantee")
    assert (guarantee.fees_paid_fen, guarantee.reguarantee_fees_paid_fen) == (0, 0)
    assert guarantee.collect_events() == []


# -- replay --------------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_guarantee(guarantee, defaulted, clerk):
    guarantee.pay_fee(amount_fen=40_000_00, ref="F1", paid_on=START, actor=clerk)
    guarantee.pay_reguarantee_fee(amount_fen=1_00, ref="RF1", paid_on=START, actor=clerk)
    guarantee.make_payout(
        loan=defaulted, amount_fen=3_000_000_00, ref="DC1", effective_date=DEFAULT_DAY, actor=clerk
    )
    guarantee.receive_reimbursement(
        payer="pool.county", amount_fen=5, claim=uuid4(), effective_date=DEFAULT_DAY, actor=clerk
    )
    rebuilt = None
    for domain_event in guarantee.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt is not None
    kept = ("state", "fees_paid_fen", "reguarantee_fees_paid_fen", "paid_out_fen", "reimbursed")
    assert {k: getattr(rebuilt, k) for k in kept} == {k: getattr(guarantee, k) for k in kept}
    assert not rebuilt.pay_fee(amount_fen=40_000_00, ref="F1", paid_on=START, actor=clerk)
