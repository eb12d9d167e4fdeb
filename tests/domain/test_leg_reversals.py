"""A leg payment reversed (R13): under the caller's own reference, idempotent by it (R14); a
pool gives back exactly what it paid on the leg, never what a caller says."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.claim import APPROVED, SETTLED, Claim
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import claim_id, loan_id
from domain.loan import Loan
from domain.pool import RiskPool
from domain.terms import ProductTerms

START = date(2024, 1, 31)
PAID_ON = date(2024, 9, 25)
REVERSED_ON = date(2024, 10, 10)
CLERK = Actor("ICBC", "clerk", "cli")
MANAGER = Actor("KJJ", "manager", "cli")
CLAIM = claim_id(loan_id("ICBC", "L1"), "C1")
OTHER_CLAIM = claim_id(loan_id("ICBC", "L2"), "C1")


def _replayed(events):
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    return rebuilt


# -- the pool: exactly what it paid ------------------------------------------------------------


def _pool() -> RiskPool:
    pool = RiskPool.open(
        code="SZ-CITY",
        name="苏州市池",
        owner="SZ-CZJ",
        level="city",
        products=["SKD"],
        effective_date=START,
        actor=MANAGER,
    )
    pool.contribute(
        amount_fen=1_000_000_00, funder="SZ-CZJ", ref="F1", effective_date=START, actor=MANAGER
    )
    return pool


def _pay(pool: RiskPool, claim, fen: int) -> None:
    pool.pay(amount_fen=fen, claim=claim, payee="ICBC", effective_date=PAID_ON, actor=MANAGER)


def _take_back(pool: RiskPool, claim) -> int:
    return pool.reverse_payment(
        claim=claim, reason="paid twice", effective_date=REVERSED_ON, actor=MANAGER
    )


def test_a_pool_takes_back_exactly_what_it_paid_on_the_claims_leg():
    pool = _pool()
    pool.pay(
        amount_fen=140_000_00, claim=CLAIM, payee="ICBC", effective_date=PAID_ON, actor=MANAGER
    )
    _pay(pool, OTHER_CLAIM, 60_000_00)
    assert pool.paid_legs == {CLAIM.hex: 140_000_00, OTHER_CLAIM.hex: 60_000_00}

    taken_back = _take_back(pool, CLAIM)

    assert taken_back == 140_000_00
    assert (pool.paid_out_fen, pool.available_fen) == (60_000_00, 940_000_00)
    assert pool.paid_legs == {OTHER_CLAIM.hex: 60_000_00}
    (reversed_event,) = [e for e in pool.collect_events() if type(e).__name__ == "PaymentReversed"]
    assert reversed_event.amount_fen == 140_000_00


def test_a_pool_refuses_to_reverse_a_leg_it_never_paid_and_writes_nothing():
    pool = _pool()
    pool.pay(
        amount_fen=140_000_00, claim=CLAIM, payee="ICBC", effective_date=PAID_ON, actor=MANAGER
    )
    pool.reverse_payment(
        claim=CLAIM, reason="paid twice", effective_date=REVERSED_ON, actor=MANAGER
    )
    pool.collect_events()

    for claim in (CLAIM, OTHER_CLAIM):
        with pytest.raises(RuleViolation) as refused:
            pool.reverse_payment(claim=claim, reason="x", effective_date=REVERSED_ON, actor=MANAGER)
        assert (refused.value.rule, refused.value.field) == ("R13", "party")
    assert pool.collect_events() == [] and pool.available_fen == 1_000_000_00


def test_the_amounts_paid_per_leg_replay_from_the_events():
    pool = _pool()
    pool.pay(
        amount_fen=140_000_00, claim=CLAIM, payee="ICBC", effective_date=PAID_ON, actor=MANAGER
    )
    pool.reverse_payment(
        claim=CLAIM, reason="paid twice", effective_date=REVERSED_ON, actor=MANAGER
    )
    pool.pay(
        amount_fen=140_000_00, claim=CLAIM, payee="ICBC", effective_date=PAID_ON, actor=MANAGER
    )

    rebuilt = _replayed(pool.collect_events())

    assert rebuilt.paid_legs == {CLAIM.hex: 140_000_00} == pool.paid_legs
    assert rebuilt.claims_paid == {CLAIM}


# -- the claim: the caller's reference for the reversal -----------------------------------------


@pytest.fixture
def settled(su_ke_dai: ProductTerms) -> Claim:
    """A 40万 苏科贷 claim, approved in full and every leg paid: the city pool's is 14万."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=400_000_00,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=CLERK,
    )
    loan.disburse(amount_fen=400_000_00, value_date=START, ref="D1", actor=CLERK)
    loan.declare_default(default_date=date(2024, 9, 1), reason="破产", actor=CLERK)
    claim = Claim.file(loan=loan, terms=su_ke_dai, reference="C1", filed_on=PAID_ON, actor=CLERK)
    claim.approve(amount_fen=400_000_00, terms=su_ke_dai, effective_date=PAID_ON, actor=MANAGER)
    for payer in list(claim.unpaid_legs):
        claim.pay_leg(payer=payer, effective_date=PAID_ON, actor=MANAGER)
    return claim


def _reverse(claim: Claim, ref: str = "RV-1", payer: str = "pool.city", **changes):
    command = {"reason": "paid twice", "effective_date": REVERSED_ON, **changes}
    return claim.reverse_leg_payment(payer=payer, ref=ref, actor=MANAGER, **command)


def test_retrying_a_reversal_after_the_leg_was_paid_again_leaves_the_new_payment_paid(settled):
    assert _reverse(settled) == (140_000_00, True)
    settled.pay_leg(payer="pool.city", effective_date=REVERSED_ON, actor=MANAGER)
    written = len(settled.pending_events)

    assert _reverse(settled) == (140_000_00, False)

    assert len(settled.pending_events) == written
    assert (settled.state, settled.legs_paid["pool.city"]) == (SETTLED, REVERSED_ON)


def test_a_new_reference_reverses_the_new_payment(settled):
    _reverse(settled)
    settled.pay_leg(payer="pool.city", effective_date=REVERSED_ON, actor=MANAGER)

    assert _reverse(settled, ref="RV-2") == (140_000_00, True)

    assert settled.state == APPROVED
    rebuilt = _replayed(settled.collect_events())
    assert set(rebuilt.leg_reversals) == {"RV-1", "RV-2"} == set(settled.leg_reversals)
    assert rebuilt.leg_reversals == settled.leg_reversals


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "wrong amount"}, "reason"),
        ({"effective_date": date(2024, 10, 11)}, "date"),
        ({"payer": "pool.province"}, "party"),
    ],
)
def test_the_same_reference_with_other_content_is_a_conflict_naming_the_field(
    settled, changes, field
):
    _reverse(settled)
    written = len(settled.pending_events)

    with pytest.raises(Conflict) as refused:
        _reverse(settled, **changes)

    assert refused.value.field == field
    assert "'RV-1' already reversed pool.city's leg on 2024-10-10" in str(refused.value)
    assert len(settled.pending_events) == written


def test_a_reversal_needs_the_callers_reference(settled):
    written = len(settled.pending_events)
    with pytest.raises(InvalidInput) as refused:
        _reverse(settled, ref=" ")
    assert refused.value.field == "ref"
    assert len(settled.pending_events) == written


def test_a_reversal_stored_without_a_reference_still_replays(settled):
    _reverse(settled)
    events = settled.collect_events()
    (reversal,) = [e for e in events if type(e).__name__ == "LegPaymentReversed"]
    del reversal.__dict__["ref"]  # the shape stored before reversals carried the caller's ref

    replayed = _replayed(events)

    assert (replayed.state, "pool.city" in replayed.legs_paid) == (APPROVED, False)
    assert replayed.leg_reversals == {}
