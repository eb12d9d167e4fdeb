"""The fund manager's decisions sent again (R14): the same approval or rejection is answered as
the first time and writes nothing; another amount, reason or day is a conflict naming it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor
from domain.claim import APPROVED, RECOVERING, REJECTED, SETTLED, Claim
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.loan import Loan
from domain.terms import ProductTerms

START = date(2024, 3, 1)
DEFAULT_DAY = date(2024, 9, 1)
FILED_ON = date(2024, 10, 8)
APPROVED_ON = date(2024, 10, 20)
LOSS = 2_000_000_00
CLERK = Actor("ICBC", "clerk", "cli")
MANAGER = Actor("KJJ", "manager", "cli")


def _defaulted(terms: ProductTerms) -> Loan:
    """Returns a 200万 loan declared in default."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=terms,
        terms_version=1,
        principal_fen=LOSS,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
    )
    loan.disburse(amount_fen=LOSS, value_date=START, ref="D1", actor=CLERK)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产清算", actor=CLERK)
    return loan


def _filed(terms: ProductTerms) -> Claim:
    """Returns a claim filed on a 200万 loan in default, its events collected."""
    claim = Claim.file(
        loan=_defaulted(terms), terms=terms, reference="C1", filed_on=FILED_ON, actor=CLERK
    )
    claim.collect_events()
    return claim


def _approve(claim: Claim, terms: ProductTerms, fen: int = LOSS, day: date = APPROVED_ON) -> bool:
    return claim.approve(amount_fen=fen, terms=terms, effective_date=day, actor=MANAGER)


@pytest.fixture
def approved(su_ke_dai) -> Claim:
    claim = _filed(su_ke_dai)
    assert _approve(claim, su_ke_dai) is True
    claim.collect_events()
    return claim


def test_the_same_approval_again_answers_the_same_burdens_and_writes_nothing(approved, su_ke_dai):
    burdens = dict(approved.burdens)
    assert _approve(approved, su_ke_dai) is False
    assert (approved.state, approved.approved_fen, approved.approved_on) == (
        APPROVED,
        LOSS,
        APPROVED_ON,
    )
    assert approved.burdens == burdens
    assert approved.pending_events == []


def test_a_settled_claim_approved_again_the_same_way_is_a_no_op(approved, su_ke_dai):
    for payer in list(approved.unpaid_legs):
        approved.pay_leg(payer=payer, effective_date=APPROVED_ON, actor=MANAGER)
    approved.collect_events()
    assert approved.state == SETTLED
    assert _approve(approved, su_ke_dai) is False
    assert approved.state == SETTLED
    assert approved.pending_events == []


@pytest.mark.parametrize(
    ("fen", "day", "field", "words"),
    [
        (LOSS - 1, APPROVED_ON, "amount", "approved for 2,000,000.00 on 2024-10-20, not"),
        (LOSS, date(2024, 10, 21), "date", "approved on 2024-10-20, not 2024-10-21"),
    ],
)
def test_another_amount_or_day_for_an_approved_claim_is_a_conflict(
    approved, su_ke_dai, fen, day, field, words
):
    with pytest.raises(Conflict) as refused:
        _approve(approved, su_ke_dai, fen, day)
    assert refused.value.field == field
    assert words in str(refused.value)
    assert approved.pending_events == []


def test_a_repeat_is_still_refused_a_malformed_amount(approved, su_ke_dai):
    with pytest.raises(InvalidInput) as refused:
        _approve(approved, su_ke_dai, 0)
    assert refused.value.field == "amount"


def test_an_approval_after_recovery_repeated_is_a_no_op_and_another_a_conflict(su_ke_dai):
    after_recovery = replace(su_ke_dai, settlement="after_recovery")
    claim = _filed(after_recovery)
    _approve(claim, after_recovery)
    claim.collect_events()
    assert _approve(claim, after_recovery) is False
    assert (claim.state, claim.burdens) == (RECOVERING, {})
    with pytest.raises(Conflict) as refused:
        _approve(claim, after_recovery, LOSS // 2)
    assert refused.value.field == "amount"
    assert claim.pending_events == []


def test_the_approval_day_is_rebuilt_from_the_stored_events(su_ke_dai):
    claim = Claim.file(
        loan=_defaulted(su_ke_dai), terms=su_ke_dai, reference="C1", filed_on=FILED_ON, actor=CLERK
    )
    _approve(claim, su_ke_dai)
    rebuilt = None
    for stored in claim.collect_events():
        rebuilt = stored.mutate(rebuilt)
    assert isinstance(rebuilt, Claim)
    assert (rebuilt.approved_fen, rebuilt.approved_on) == (LOSS, APPROVED_ON)
    assert _approve(rebuilt, su_ke_dai) is False


# -- rejection --------------------------------------------------------------------------------


@pytest.fixture
def rejected(su_ke_dai) -> Claim:
    claim = _filed(su_ke_dai)
    assert claim.reject(reason="贷款用途不符", effective_date=APPROVED_ON, actor=MANAGER) is True
    claim.collect_events()
    return claim


def test_the_same_rejection_again_writes_nothing(rejected):
    assert (
        rejected.reject(reason="贷款用途不符", effective_date=APPROVED_ON, actor=MANAGER) is False
    )
    assert (rejected.state, rejected.rejection_reason, rejected.rejected_on) == (
        REJECTED,
        "贷款用途不符",
        APPROVED_ON,
    )
    assert rejected.pending_events == []


@pytest.mark.parametrize(
    ("reason", "day", "field"),
    [("材料不全", APPROVED_ON, "reason"), ("贷款用途不符", date(2024, 10, 21), "date")],
)
def test_another_reason_or_day_for_a_rejected_claim_is_a_conflict(rejected, reason, day, field):
    with pytest.raises(Conflict) as refused:
        rejected.reject(reason=reason, effective_date=day, actor=MANAGER)
    assert refused.value.field == field
    assert rejected.pending_events == []


def test_an_approved_claim_is_not_rejected_nor_a_rejected_one_approved(
    approved, rejected, su_ke_dai
):
    with pytest.raises(RuleViolation):
        approved.reject(reason="贷款用途不符", effective_date=APPROVED_ON, actor=MANAGER)
    with pytest.raises(RuleViolation):
        _approve(rejected, su_ke_dai)
    assert approved.pending_events == rejected.pending_events == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(1, LOSS), other=st.integers(1, LOSS))
def test_an_approval_repeats_exactly_when_its_amount_is_the_same(su_ke_dai, first, other):
    claim = _filed(su_ke_dai)
    _approve(claim, su_ke_dai, first)
    burdens = dict(claim.burdens)
    claim.collect_events()
    assert _approve(claim, su_ke_dai, first) is False
    if other != first:
        with pytest.raises(Conflict, match=r"^amount: "):
            _approve(claim, su_ke_dai, other)
    assert (claim.approved_fen, claim.burdens, claim.pending_events) == (first, burdens, [])
