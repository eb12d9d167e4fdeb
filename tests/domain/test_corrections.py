"""Corrections by reversal (R13): each money event undone by a new event naming it, with a reason.

Nothing is edited or deleted: the reversed event stays in the history, and replaying that
history gives the corrected state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actor import Actor
from domain.claim import APPROVED, RECOVERING, SETTLED, Claim
from domain.corrections import Reversals, check_reason
from domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from domain.ids import claim_id, loan_id
from domain.loan import ACTIVE, PAID_OFF, Loan
from domain.pool import RiskPool
from domain.split import NO_HISTORY
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms

DAY = date(2024, 9, 25)
START = date(2024, 1, 31)
CLERK = Actor("ICBC", "clerk", "cli")
MANAGER = Actor("KJJ", "manager", "cli")
CLAIM = claim_id(loan_id("ICBC", "L1"), "C1")
LATER_CLAIM = claim_id(loan_id("ICBC", "L2"), "C1")
# 苏科贷's shares, for the properties (hypothesis runs without function-scoped fixtures).
SKD = parse_terms(
    {
        "code": "SKD",
        "name": "苏科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.province": 3500, "pool.city": 3500, "bank": 3000},
    }
)


def _replayed(aggregate, events):
    """Returns the aggregate rebuilt from `events`, as the repository would."""
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert type(rebuilt) is type(aggregate)
    return rebuilt


def _names(events) -> list[str]:
    return [type(e).__name__ for e in events]


# -- the reversal's own rules --------------------------------------------------------------


def test_a_reversal_needs_a_reason():
    with pytest.raises(InvalidInput) as refused:
        check_reason("  ")
    assert refused.value.field == "reason"


def test_the_same_reversal_again_is_a_repeat_and_another_reason_or_date_a_conflict():
    done = Reversals()
    assert not done.is_repeat("R1", "keyed twice", DAY)
    done.remember("R1", "keyed twice", DAY)
    assert done.is_repeat("R1", "keyed twice", DAY)
    with pytest.raises(Conflict) as reason:
        done.is_repeat("R1", "wrong loan", DAY)
    with pytest.raises(Conflict) as day:
        done.is_repeat("R1", "keyed twice", date(2024, 9, 26))
    assert (reason.value.field, day.value.field) == ("reason", "date")
    assert "R1" in done and list(done) == ["R1"]


# -- pools: contributions, legs paid, recoveries received ----------------------------------


def _pool(*contributions: int) -> RiskPool:
    pool = RiskPool.open(
        code="SZ-CITY",
        name="苏州市池",
        owner="SZ-CZJ",
        level="city",
        products=["SKD"],
        effective_date=START,
        actor=MANAGER,
    )
    for number, fen in enumerate(contributions, 1):
        pool.contribute(
            amount_fen=fen, funder="SZ-CZJ", ref=f"F{number}", effective_date=START, actor=MANAGER
        )
    return pool


def _reverse_contribution(pool: RiskPool, ref: str, reason: str = "keyed twice"):
    return pool.reverse_contribution(ref=ref, reason=reason, effective_date=DAY, actor=MANAGER)


def test_a_reversed_contribution_leaves_the_pool_and_the_history_keeps_both_events():
    pool = _pool(500_000_00, 200_000_00)
    assert _reverse_contribution(pool, "F2") == (200_000_00, True)
    assert (pool.contributed_fen, pool.available_fen) == (500_000_00, 500_000_00)
    events = pool.collect_events()
    assert _names(events)[-3:] == [
        "ContributionReceived",
        "ContributionReceived",
        "ContributionReversed",
    ]
    assert events[-1].reason == "keyed twice" and events[-1].ref == "F2"
    assert _replayed(pool, events).available_fen == 500_000_00


def test_reversing_a_contribution_twice_answers_the_first_reversal_and_records_nothing():
    pool = _pool(500_000_00)
    _reverse_contribution(pool, "F1")
    pool.collect_events()
    assert _reverse_contribution(pool, "F1") == (500_000_00, False)
    assert pool.collect_events() == []
    assert pool.available_fen == 0


def test_an_unknown_contribution_is_refused_naming_the_ref():
    pool = _pool(500_000_00)
    pool.collect_events()
    with pytest.raises(NotFound) as refused:
        _reverse_contribution(pool, "F9")
    assert refused.value.field == "ref"
    assert pool.collect_events() == []


def test_a_contribution_already_paid_out_cannot_be_reversed_r10():
    pool = _pool(500_000_00)
    pool.pay(amount_fen=400_000_00, claim=CLAIM, payee="ICBC", effective_date=DAY, actor=MANAGER)
    pool.collect_events()
    with pytest.raises(RuleViolation) as refused:
        _reverse_contribution(pool, "F1")
    assert (refused.value.rule, refused.value.field) == ("R10", "ref")
    assert "holds 100,000.00" in str(refused.value)
    assert pool.collect_events() == [] and pool.available_fen == 100_000_00


def test_a_reversed_payment_returns_the_money_and_the_leg_can_be_paid_or_queued_again():
    pool = _pool(500_000_00)
    pool.pay(amount_fen=400_000_00, claim=CLAIM, payee="ICBC", effective_date=DAY, actor=MANAGER)
    assert (
        pool.reverse_payment(claim=CLAIM, reason="paid twice", effective_date=DAY, actor=MANAGER)
        == 400_000_00
    )
    assert (pool.paid_out_fen, pool.available_fen) == (0, 500_000_00)
    assert CLAIM not in pool.claims_paid
    pool.queue_leg(
        claim=CLAIM,
        payer="pool.city",
        payee="ICBC",
        amount_fen=400_000_00,
        effective_date=DAY,
        actor=MANAGER,
    )
    with pytest.raises(RuleViolation) as refused:
        pool.reverse_payment(claim=LATER_CLAIM, reason="x", effective_date=DAY, actor=MANAGER)
    assert (refused.value.rule, refused.value.field) == ("R13", "party")


def test_a_pool_gives_back_a_recovery_share_only_as_far_as_it_received_and_holds_it():
    pool = _pool(100_000_00)
    pool.pay(amount_fen=100_000_00, claim=CLAIM, payee="ICBC", effective_date=DAY, actor=MANAGER)
    pool.receive_recovery(amount_fen=35_000_00, claim=CLAIM, effective_date=DAY, actor=MANAGER)
    with pytest.raises(RuleViolation) as beyond:
        pool.reverse_recovery(
            claim=CLAIM,
            ref="REC-1",
            amount_fen=35_000_01,
            reason="x",
            effective_date=DAY,
            actor=MANAGER,
        )
    assert (beyond.value.rule, beyond.value.field) == ("R13", "ref")
    pool.reverse_recovery(
        claim=CLAIM,
        ref="REC-1",
        amount_fen=35_000_00,
        reason="x",
        effective_date=DAY,
        actor=MANAGER,
    )
    assert (pool.recovered_fen, pool.available_fen, pool.recovered_by_claim) == (0, 0, {CLAIM: 0})


# -- loans: repayments ---------------------------------------------------------------------


@pytest.fixture
def active_loan(su_ke_dai: ProductTerms) -> Loan:
    """120万 先息后本 at 4.00% from 2024-01-31 for 12 months, all disbursed."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=1_200_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
    )
    loan.disburse(amount_fen=1_200_000_00, value_date=START, ref="D1", actor=CLERK)
    return loan


def _reverse_repayment(loan: Loan, ref: str, day: date = date(2024, 3, 12)):
    return loan.reverse_repayment(ref=ref, reason="keyed twice", effective_date=day, actor=CLERK)


def test_a_reversed_repayment_no_longer_counts_towards_the_schedule_or_the_arrears(active_loan):
    paid, _ = active_loan.receive_payment(
        amount_fen=3_866_67, value_date=date(2024, 3, 10), ref="P-1", actor=CLERK
    )
    assert active_loan.days_past_due(date(2024, 3, 12)) == 0
    repayment, new = _reverse_repayment(active_loan, "P-1")
    assert new and (repayment.principal_fen, repayment.interest_fen) == (0, paid.interest_fen)
    assert active_loan.interest_repaid_fen == 0 and active_loan.repayments == []
    assert active_loan.days_past_due(date(2024, 3, 12)) == 12
    events = active_loan.collect_events()
    assert _replayed(active_loan, events).statement_on(date(2024, 3, 12)).days_past_due == 12
    # The reference is spent: the same payment again is a repeat of the first, not new money.
    assert active_loan.receive_payment(
        amount_fen=3_866_67, value_date=date(2024, 3, 10), ref="P-1", actor=CLERK
    ) == (paid, False)


def test_reversing_the_repayment_that_paid_a_loan_off_makes_it_active_again(active_loan):
    active_loan.repay(
        principal_fen=1_200_000_00,
        interest_fen=19_866_67,
        value_date=date(2024, 6, 30),
        ref="P-9",
        actor=CLERK,
    )
    assert active_loan.state == PAID_OFF
    _reverse_repayment(active_loan, "P-9", date(2024, 7, 1))
    assert (active_loan.state, active_loan.paid_off_on) == (ACTIVE, None)
    assert active_loan.outstanding_fen == active_loan.exposure_fen == 1_200_000_00
    assert active_loan.days_past_due(date(2024, 7, 1)) == 123
    assert _names(active_loan.collect_events())[-2:] == ["RepaymentReversed", "Reactivated"]


def test_reversing_only_interest_leaves_a_paid_off_loan_paid_off(active_loan):
    active_loan.repay(principal_fen=0, interest_fen=100_00, value_date=DAY, ref="P-1", actor=CLERK)
    active_loan.repay(
        principal_fen=1_200_000_00, interest_fen=0, value_date=DAY, ref="P-2", actor=CLERK
    )
    _reverse_repayment(active_loan, "P-1", DAY)
    assert (active_loan.state, active_loan.interest_repaid_fen) == (PAID_OFF, 0)


def test_a_repayment_reversal_is_refused_before_its_value_date_or_for_an_unknown_ref(active_loan):
    active_loan.repay(principal_fen=100_00, interest_fen=0, value_date=DAY, ref="P-1", actor=CLERK)
    active_loan.collect_events()
    with pytest.raises(InvalidInput) as early:
        _reverse_repayment(active_loan, "P-1", date(2024, 9, 24))
    with pytest.raises(NotFound) as unknown:
        _reverse_repayment(active_loan, "P-404", DAY)
    assert (early.value.field, unknown.value.field) == ("date", "ref")
    assert active_loan.collect_events() == []


def test_a_defaulted_loans_repayments_stand_r13(active_loan):
    active_loan.repay(principal_fen=100_00, interest_fen=0, value_date=DAY, ref="P-1", actor=CLERK)
    active_loan.declare_default(default_date=DAY, reason="破产", actor=CLERK)
    with pytest.raises(RuleViolation) as refused:
        _reverse_repayment(active_loan, "P-1", DAY)
    assert (refused.value.rule, refused.value.field) == ("R13", "loan")


# -- claims: recoveries and legs -----------------------------------------------------------


def _claim(terms: ProductTerms, loss: int = 400_000_00) -> Claim:
    loan = Loan.register(
        bank="ICBC",
        reference="L2",
        enterprise="91350100M000100Y43",
        terms=terms,
        terms_version=1,
        principal_fen=loss,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
    )
    loan.disburse(amount_fen=loss, value_date=START, ref="D1", actor=CLERK)
    loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=CLERK)
    claim = Claim.file(loan=loan, terms=terms, reference="C1", filed_on=DAY, actor=CLERK)
    claim.approve(amount_fen=loss, terms=terms, effective_date=DAY, actor=MANAGER)
    return claim


@pytest.fixture
def settled(su_ke_dai: ProductTerms) -> Claim:
    claim = _claim(su_ke_dai)
    for payer in list(claim.unpaid_legs):
        claim.pay_leg(payer=payer, effective_date=DAY, actor=MANAGER)
    assert claim.state == SETTLED
    return claim


def _recover(claim: Claim, fen: int, ref: str):
    return claim.record_recovery(amount_fen=fen, ref=ref, effective_date=DAY, actor=CLERK)


def _reverse_recovery(claim: Claim, ref: str):
    return claim.reverse_recovery(ref=ref, reason="cheque bounced", effective_date=DAY, actor=CLERK)


def test_a_reversed_recovery_takes_back_exactly_what_each_party_was_shared(settled):
    first = _recover(settled, 100_000_01, "REC-1")
    second = _recover(settled, 50_000_00, "REC-2")
    assert _reverse_recovery(settled, "REC-1") == (first, True)
    assert settled.recovered_by_party == second
    assert settled.recovered_fen == 50_000_00
    assert _reverse_recovery(settled, "REC-1") == (first, False)
    events = settled.collect_events()
    assert _replayed(settled, events).recovered_by_party == second


def test_an_unknown_recovery_is_refused_naming_the_ref(settled):
    settled.collect_events()
    with pytest.raises(NotFound) as refused:
        _reverse_recovery(settled, "REC-9")
    assert refused.value.field == "ref" and settled.collect_events() == []


def test_after_recovery_a_recovery_is_reversed_only_before_the_close(su_ke_dai):
    terms = replace(su_ke_dai, settlement="after_recovery")
    claim = _claim(terms)
    assert claim.state == RECOVERING
    _recover(claim, 100_000_00, "REC-1")
    _recover(claim, 50_000_00, "REC-2")
    assert _reverse_recovery(claim, "REC-1") == ({"bank": 100_000_00}, True)
    assert (claim.recovered_fen, claim.recovered_before_split_fen) == (50_000_00, 50_000_00)
    claim.close_recovery(terms=terms, history=NO_HISTORY, effective_date=DAY, actor=CLERK)
    assert sum(claim.burdens.values()) == 350_000_00
    with pytest.raises(RuleViolation) as refused:
        _reverse_recovery(claim, "REC-2")
    assert (refused.value.rule, refused.value.field) == ("R13", "ref")


def _reverse_leg(claim: Claim, payer: str, reason: str = "paid twice", ref: str = "RV-1"):
    return claim.reverse_leg_payment(
        payer=payer, ref=ref, reason=reason, effective_date=DAY, actor=MANAGER
    )


def test_a_reversed_leg_is_unpaid_again_and_the_claim_no_longer_settled(settled):
    assert _reverse_leg(settled, "pool.city") == (140_000_00, True)
    assert (settled.state, "pool.city" in settled.legs_paid) == (APPROVED, False)
    assert settled.legs_due() == {"pool.city": 140_000_00}
    assert _reverse_leg(settled, "pool.city") == (140_000_00, False)
    settled.pay_leg(payer="pool.city", effective_date=DAY, actor=MANAGER)
    assert settled.state == SETTLED
    events = settled.collect_events()
    assert _names(events).count("Settled") == 2
    assert _replayed(settled, events).state == SETTLED


def test_a_leg_reversal_is_refused_for_an_unpaid_leg_or_a_party_without_one(su_ke_dai):
    claim = _claim(su_ke_dai)
    claim.collect_events()
    with pytest.raises(RuleViolation) as unpaid:
        _reverse_leg(claim, "pool.city")
    with pytest.raises(NotFound) as nobody:
        _reverse_leg(claim, "insurer")
    with pytest.raises(InvalidInput) as no_reason:
        _reverse_leg(claim, "pool.city", reason="")
    assert (unpaid.value.rule, unpaid.value.field) == ("R13", "party")
    assert (nobody.value.field, no_reason.value.field) == ("party", "reason")
    assert claim.collect_events() == []


# -- property: reversing everything returns every balance to where it started --------------

CONTRIBUTIONS = st.lists(st.integers(1, 10_000_00), min_size=1, max_size=8)


@given(contributions=CONTRIBUTIONS, legs=st.lists(st.integers(1, 10_000_00), max_size=6))
def test_a_pool_reversed_back_to_front_returns_to_zero_and_never_goes_below(contributions, legs):
    pool = _pool(*contributions)
    claims = [claim_id(loan_id("ICBC", f"L{n}"), "C") for n in range(len(legs))]
    paid = []
    for claim, fen in zip(claims, legs, strict=True):
        if pool.pays_at_once(fen):
            pool.pay(amount_fen=fen, claim=claim, payee="ICBC", effective_date=DAY, actor=MANAGER)
            pool.receive_recovery(
                amount_fen=fen // 3, claim=claim, effective_date=DAY, actor=MANAGER
            )
            paid.append((claim, fen))
    for claim, fen in reversed(paid):
        pool.reverse_recovery(
            claim=claim, ref="R", amount_fen=fen // 3, reason="x", effective_date=DAY, actor=MANAGER
        )
        assert pool.available_fen >= 0
        assert (
            pool.reverse_payment(claim=claim, reason="x", effective_date=DAY, actor=MANAGER) == fen
        )
    for number in range(len(contributions), 0, -1):
        _reverse_contribution(pool, f"F{number}")
        assert pool.available_fen >= 0
    assert (pool.contributed_fen, pool.paid_out_fen, pool.recovered_fen) == (0, 0, 0)
    assert _replayed(pool, pool.collect_events()).available_fen == 0


REPAYMENTS = st.lists(
    st.tuples(st.integers(0, 400_000_00), st.integers(0, 5_000_00)).filter(lambda r: sum(r) > 0),
    min_size=1,
    max_size=6,
)


@given(repayments=REPAYMENTS, order=st.randoms(use_true_random=False))
def test_a_loans_repayments_reversed_in_any_order_restore_its_outstanding(repayments, order):
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=SKD,
        terms_version=1,
        principal_fen=1_200_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
    )
    loan.disburse(amount_fen=1_200_000_00, value_date=START, ref="D1", actor=CLERK)
    untouched = loan.statement_on(DAY)
    refs = []
    for number, (principal, interest) in enumerate(repayments):
        if principal > loan.outstanding_fen or loan.state != ACTIVE:
            continue
        loan.repay(
            principal_fen=principal,
            interest_fen=interest,
            value_date=DAY,
            ref=f"P{number}",
            actor=CLERK,
        )
        refs.append(f"P{number}")
        assert 0 <= loan.outstanding_fen <= loan.principal_fen
    order.shuffle(refs)
    for ref in refs:
        _reverse_repayment(loan, ref, DAY)
        assert 0 <= loan.outstanding_fen <= loan.principal_fen
        assert loan.state == ACTIVE or loan.outstanding_fen == 0
    assert (loan.outstanding_fen, loan.interest_repaid_fen, loan.state) == (1_200_000_00, 0, ACTIVE)
    assert loan.statement_on(DAY) == untouched
