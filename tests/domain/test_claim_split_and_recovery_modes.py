"""A claim's split with the loan's shares and the claimant's history (R8), and a claim settled
after recovery (R11): shares fixed at approval, recoveries first, the split at the close."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actor import Actor
from domain.claim import APPROVED, RECOVERING, SETTLED, Claim
from domain.claimant_account import ClaimantAccount
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import claimant_account_id
from domain.loan import Loan
from domain.split import ClaimantHistory
from domain.terms import Caps, ProductTerms, Tier

START = date(2024, 3, 1)
DEFAULT_DAY = date(2024, 9, 1)
FILED_ON = date(2024, 10, 8)
CLOSED_ON = date(2025, 6, 30)
LOSS = 1_000_000_00
CITY_80 = (("pool.city", 8000), ("bank", 2000))
CLERK = Actor("ICBC", "clerk", "cli")
MANAGER = Actor("KJJ", "manager", "cli")


@pytest.fixture
def kun_ke_dai(su_ke_dai) -> ProductTerms:
    """昆科贷: city pool 80, bank 20, settled after recovery."""
    return replace(su_ke_dai, code="KKD", shares=CITY_80, settlement="after_recovery")


def _claim(terms: ProductTerms, collect: bool = True, **registration) -> Claim:
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
        **registration,
    )
    loan.disburse(amount_fen=LOSS, value_date=START, ref="D1", actor=CLERK)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产清算", actor=CLERK)
    claim = Claim.file(loan=loan, terms=terms, reference="C1", filed_on=FILED_ON, actor=CLERK)
    if collect:
        claim.collect_events()
    return claim


@pytest.fixture
def recovering(kun_ke_dai) -> Claim:
    claim = _claim(kun_ke_dai)
    claim.approve(amount_fen=LOSS, terms=kun_ke_dai, effective_date=FILED_ON, actor=MANAGER)
    claim.collect_events()
    return claim


def _recover(claim: Claim, fen: int, ref: str, day: date = date(2025, 1, 5)):
    return claim.record_recovery(amount_fen=fen, ref=ref, effective_date=day, actor=CLERK)


def _replayed(events: list) -> Claim:
    """Returns the claim rebuilt from `events`, as the repository would."""
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert isinstance(rebuilt, Claim)
    return rebuilt


# -- the split with the loan's shares and the claimant's history (R8) -----------------------


def test_approval_splits_by_the_loans_shares_within_the_caps(su_ke_dai):
    terms = replace(su_ke_dai, caps=Caps(cumulative_share_bps=8000))
    claim = _claim(terms)
    claim.approve(
        amount_fen=LOSS,
        terms=terms,
        effective_date=FILED_ON,
        actor=MANAGER,
        shares=(("pool.city", 8500), ("bank", 1500)),
        history=ClaimantHistory(losses_fen=LOSS, pool_burdens_fen=800_000_00),
    )
    # 80% of 200万 is 160万, 80万 already borne: the pools may bear 80万 of the 85万.
    assert claim.burdens == {"pool.city": 800_000_00, "bank": 200_000_00}
    assert claim.shared_loss_fen == LOSS


def test_without_the_loans_shares_approval_splits_by_the_products(su_ke_dai):
    claim = _claim(su_ke_dai)
    claim.approve(amount_fen=LOSS, terms=su_ke_dai, effective_date=FILED_ON, actor=MANAGER)
    assert claim.burdens == {
        "pool.province": 350_000_00,
        "pool.city": 350_000_00,
        "bank": 300_000_00,
    }


def test_a_loan_under_a_tiered_product_needs_the_enterprises_revenue(su_ke_dai):
    tiered = replace(su_ke_dai, tiers=(Tier(None, CITY_80),))
    with pytest.raises(RuleViolation) as refused:
        _claim(tiered)
    assert (refused.value.rule, refused.value.field) == ("R8", "revenue")
    claim = _claim(tiered, annual_revenue_fen=15_000_000_00)
    assert claim.loss_base_fen == LOSS


def test_a_negative_revenue_is_refused(su_ke_dai):
    with pytest.raises(InvalidInput) as refused:
        _claim(su_ke_dai, annual_revenue_fen=-1)
    assert refused.value.field == "revenue"


def test_a_repeated_registration_with_another_revenue_differs_in_the_revenue(su_ke_dai):
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=LOSS,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
        annual_revenue_fen=1,
    )
    same = dict(
        enterprise="91350100M000100Y43",
        product="SKD",
        principal_fen=LOSS,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
    )
    assert loan.registration_differences(**same, annual_revenue_fen=1) == []
    assert loan.registration_differences(**same, annual_revenue_fen=2) == ["revenue"]


# -- after-recovery settlement (R11) --------------------------------------------------------


def test_an_after_recovery_approval_fixes_the_shares_and_nothing_else(recovering):
    assert recovering.state == RECOVERING
    assert recovering.approved_fen == LOSS
    assert recovering.shares == dict(CITY_80)
    assert (recovering.burdens, recovering.legs, recovering.unpaid_legs) == ({}, {}, {})


def test_no_leg_is_due_or_paid_before_the_close_of_recovery(recovering):
    for attempt in (
        recovering.legs_due,
        lambda: recovering.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=MANAGER),
    ):
        with pytest.raises(RuleViolation) as refused:
            attempt()
        assert (refused.value.rule, refused.value.field) == ("R11", "claim")
    assert recovering.pending_events == []


def test_recoveries_before_the_close_reduce_the_loss_and_the_claimant_keeps_them(recovering):
    assert _recover(recovering, 100_000_00, "REC-1") == {"bank": 100_000_00}
    assert _recover(recovering, 100_000_00, "REC-1") is None  # the same reference again
    assert recovering.recovered_fen == recovering.recovered_before_split_fen == 100_000_00
    assert recovering.recovered_by_party == {}
    assert [type(e).__name__ for e in recovering.collect_events()] == ["RecoveryRecorded"]


def test_recoveries_never_exceed_the_loss(recovering):
    _recover(recovering, 600_000_00, "REC-1")
    recovering.collect_events()
    with pytest.raises(RuleViolation) as refused:
        _recover(recovering, 400_000_01, "REC-2")
    assert (refused.value.rule, refused.value.field) == ("R11", "amount")
    with pytest.raises(InvalidInput):
        _recover(recovering, 0, "REC-3")
    assert recovering.pending_events == []


def test_closing_recovery_splits_what_is_left_and_the_legs_fall_due(recovering, kun_ke_dai):
    _recover(recovering, 300_000_01, "REC-1")
    burdens = recovering.close_recovery(
        terms=kun_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    assert burdens == {"pool.city": 559_999_99, "bank": 140_000_00}
    assert recovering.state == APPROVED
    assert recovering.shared_loss_fen == 699_999_99
    assert recovering.legs_due() == {"pool.city": 559_999_99}
    assert recovering.recovery_closed_on == CLOSED_ON


def test_the_caps_apply_to_what_is_left_at_the_close(recovering, kun_ke_dai):
    capped = replace(kun_ke_dai, caps=Caps(per_claim_fen=500_000_00))
    _recover(recovering, 200_000_00, "REC-1")
    burdens = recovering.close_recovery(
        terms=capped, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    # 80% of the 80万 left is 64万; the pool bears at most 50万.
    assert burdens == {"pool.city": 500_000_00, "bank": 300_000_00}


def test_a_loss_recovered_in_full_settles_at_the_close_without_legs(recovering, kun_ke_dai):
    _recover(recovering, LOSS, "REC-1")
    recovering.close_recovery(
        terms=kun_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    assert recovering.state == SETTLED
    assert recovering.burdens == {"pool.city": 0, "bank": 0}
    assert recovering.legs == {}


def test_after_the_close_no_recovery_is_taken_and_recovery_cannot_close_again(
    recovering, kun_ke_dai
):
    first = recovering.close_recovery(
        terms=kun_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    recovering.collect_events()
    with pytest.raises(RuleViolation, match="recovery was closed on 2025-06-30"):
        _recover(recovering, 1_00, "REC-9", date(2025, 7, 1))
    # R14: the same close again answers as the first; on another day it is a conflict.
    again = recovering.close_recovery(
        terms=kun_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    assert again == first
    with pytest.raises(Conflict) as refused:
        recovering.close_recovery(
            terms=kun_ke_dai,
            history=ClaimantHistory(),
            effective_date=date(2025, 7, 1),
            actor=CLERK,
        )
    assert refused.value.field == "date"
    assert recovering.pending_events == []


def test_an_advance_claim_has_no_recovery_to_close(su_ke_dai):
    claim = _claim(su_ke_dai)
    claim.approve(amount_fen=LOSS, terms=su_ke_dai, effective_date=FILED_ON, actor=MANAGER)
    claim.collect_events()
    with pytest.raises(RuleViolation) as refused:
        claim.close_recovery(
            terms=su_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
        )
    assert (refused.value.rule, refused.value.field) == ("R11", "claim")


def test_a_claim_settled_after_recovery_replays_to_the_same_state(kun_ke_dai):
    claim = _claim(kun_ke_dai, collect=False)
    claim.approve(amount_fen=LOSS, terms=kun_ke_dai, effective_date=FILED_ON, actor=MANAGER)
    _recover(claim, 123_456_78, "REC-1")
    claim.close_recovery(
        terms=kun_ke_dai, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    events = claim.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Filed",
        "ApprovedAfterRecovery",
        "RecoveryRecorded",
        "RecoveryClosed",
    ]
    rebuilt = _replayed(events)
    for attribute in ("state", "shares", "burdens", "legs", "recovered_fen", "shared_loss_fen"):
        assert getattr(rebuilt, attribute) == getattr(claim, attribute), attribute
    assert rebuilt.recovery_closed_on == CLOSED_ON


@given(st.integers(1, 10**11), st.lists(st.integers(1, 10**10), max_size=4), st.data())
def test_recovered_plus_split_is_always_the_approved_loss(loss, wanted, data):
    terms = ProductTerms(
        code="KKD",
        name="昆科贷",
        structure="direct",
        effective_from=date(2024, 1, 1),
        shares=CITY_80,
        settlement="after_recovery",
        caps=Caps(per_claim_share_bps=data.draw(st.none() | st.integers(0, 10_000))),
    )
    claim = Claim(
        loan=claimant_account_id("x", "y"),
        reference="C1",
        loan_reference="L1",
        bank="ICBC",
        product="KKD",
        terms_version=1,
        claimant="bank",
        loss_base_fen=loss,
        default_date=DEFAULT_DAY,
        effective_date=FILED_ON,
        actor=CLERK,
    )
    claim.approve(amount_fen=loss, terms=terms, effective_date=FILED_ON, actor=MANAGER)
    for number, fen in enumerate(wanted):
        if claim.recovered_fen + fen <= loss:
            _recover(claim, fen, f"REC-{number}")
    burdens = claim.close_recovery(
        terms=terms, history=ClaimantHistory(), effective_date=CLOSED_ON, actor=CLERK
    )
    assert claim.recovered_fen + sum(burdens.values()) == loss
    assert all(fen >= 0 for fen in burdens.values())
    assert claim.recovered_fen <= loss


# -- the claimant's account (R8's cumulative cap) -------------------------------------------


def test_a_claimant_account_adds_up_each_claim_once():
    account = ClaimantAccount.open(
        product="TKD", claimant="ICBC", effective_date=FILED_ON, actor=MANAGER
    )
    assert account.id == claimant_account_id("TKD", "ICBC")
    first, second = claimant_account_id("c", "1"), claimant_account_id("c", "2")
    account.count(
        claim=first, loss_fen=100, pool_burden_fen=80, effective_date=FILED_ON, actor=MANAGER
    )
    account.count(
        claim=second, loss_fen=50, pool_burden_fen=35, effective_date=FILED_ON, actor=MANAGER
    )
    assert account.history == ClaimantHistory(losses_fen=150, pool_burdens_fen=115)
    with pytest.raises(Conflict):
        account.count(
            claim=first, loss_fen=1, pool_burden_fen=0, effective_date=FILED_ON, actor=MANAGER
        )
    with pytest.raises(InvalidInput):
        account.count(
            claim=claimant_account_id("c", "3"),
            loss_fen=1,
            pool_burden_fen=2,
            effective_date=FILED_ON,
            actor=MANAGER,
        )
    events = account.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "ClaimCounted", "ClaimCounted"]
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt.history == account.history
    assert list(rebuilt.claims) == [first, second]
