"""A pool's queue (R10): legs it cannot pay wait, and are paid oldest first as funds arrive."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import claim_id, loan_id
from domain.pool import RiskPool

DAY = date(2024, 9, 25)
MANAGER = Actor("KJJ", "manager", "cli")
CLAIM_1, CLAIM_2, CLAIM_3 = (claim_id(loan_id("ICBC", f"L{n}"), "C") for n in (1, 2, 3))


def _pool(funds: int, collect: bool = True) -> RiskPool:
    pool = RiskPool.open(
        code="SZ-CITY",
        name="苏州市池",
        owner="SZ-CZJ",
        level="city",
        products=["SKD"],
        effective_date=DAY,
        actor=MANAGER,
    )
    if funds:
        pool.contribute(
            amount_fen=funds, funder="SZ-CZJ", ref="F0", effective_date=DAY, actor=MANAGER
        )
    if collect:
        pool.collect_events()
    return pool


def _queue(pool: RiskPool, claim, fen: int, day: date = DAY) -> None:
    pool.queue_leg(
        claim=claim,
        payer="pool.city",
        payee="ICBC",
        amount_fen=fen,
        effective_date=day,
        actor=MANAGER,
    )


def _fund(pool: RiskPool, fen: int, ref: str) -> None:
    pool.contribute(amount_fen=fen, funder="SZ-CZJ", ref=ref, effective_date=DAY, actor=MANAGER)


def _pay_what_fits(pool: RiskPool) -> list:
    paid = []
    for leg in pool.payable_queue():
        pool.pay_queued(claim=leg.claim, effective_date=DAY, actor=MANAGER)
        paid.append(leg.claim)
    return paid


def test_a_leg_is_paid_at_once_only_when_funds_suffice_and_nothing_waits():
    pool = _pool(200_000_00)
    assert pool.pays_at_once(200_000_00)
    assert not pool.pays_at_once(200_000_01)
    _queue(pool, CLAIM_1, 350_000_00)
    assert not pool.pays_at_once(1)  # a younger leg waits behind the queue


def test_a_queued_leg_waits_without_touching_the_funds():
    pool = _pool(200_000_00)
    _queue(pool, CLAIM_1, 350_000_00)
    assert (pool.available_fen, pool.queued_fen) == (200_000_00, 350_000_00)
    (leg,) = pool.queue.values()
    assert (leg.claim, leg.payer, leg.payee, leg.amount_fen, leg.queued_on) == (
        CLAIM_1,
        "pool.city",
        "ICBC",
        350_000_00,
        DAY,
    )
    assert [type(e).__name__ for e in pool.collect_events()] == ["LegQueued"]


def test_funds_pay_the_queue_oldest_first_and_a_smaller_younger_leg_never_jumps_it():
    pool = _pool(200_000_00)
    _queue(pool, CLAIM_1, 350_000_00)
    _queue(pool, CLAIM_2, 70_000_00)
    _fund(pool, 100_000_00, "F1")
    assert pool.payable_queue() == []  # 300,000.00 cannot pay the oldest 350,000.00
    _fund(pool, 120_000_00, "F2")
    assert _pay_what_fits(pool) == [CLAIM_1, CLAIM_2]
    assert (pool.available_fen, pool.queued_fen, pool.paid_out_fen) == (0, 0, 420_000_00)


def test_only_the_oldest_queued_leg_may_be_paid_from_the_queue():
    pool = _pool(0)
    _queue(pool, CLAIM_1, 100_00)
    _queue(pool, CLAIM_2, 100_00)
    _fund(pool, 1_000_00, "F1")
    pool.collect_events()
    with pytest.raises(RuleViolation) as refused:
        pool.pay_queued(claim=CLAIM_2, effective_date=DAY, actor=MANAGER)
    assert (refused.value.rule, refused.value.field) == ("R10", "claim")
    assert pool.pending_events == []


def test_a_direct_payment_waits_behind_the_queue_and_never_overdraws():
    pool = _pool(100_00)
    with pytest.raises(RuleViolation) as refused:
        pool.pay(amount_fen=100_01, claim=CLAIM_1, payee="ICBC", effective_date=DAY, actor=MANAGER)
    assert (refused.value.rule, refused.value.field) == ("R10", "pool")
    _queue(pool, CLAIM_1, 500_00)
    pool.collect_events()
    with pytest.raises(RuleViolation, match="older leg"):
        pool.pay(amount_fen=1_00, claim=CLAIM_2, payee="ICBC", effective_date=DAY, actor=MANAGER)
    assert pool.pending_events == []


def test_a_leg_is_queued_once_and_never_after_it_was_paid():
    pool = _pool(100_00)
    _queue(pool, CLAIM_1, 500_00)
    with pytest.raises(RuleViolation, match="has waited in SZ-CITY's queue since 2024-09-25"):
        _queue(pool, CLAIM_1, 500_00)
    _fund(pool, 400_00, "F1")
    _pay_what_fits(pool)
    with pytest.raises(RuleViolation, match="already paid"):
        _queue(pool, CLAIM_1, 500_00)
    with pytest.raises(InvalidInput):
        _queue(pool, CLAIM_2, 0)


def test_a_pool_rebuilt_from_its_events_holds_the_same_queue():
    pool = _pool(0, collect=False)
    _queue(pool, CLAIM_1, 300_00)
    _queue(pool, CLAIM_2, 200_00)
    _queue(pool, CLAIM_3, 100_00)
    _fund(pool, 300_00, "F1")
    _pay_what_fits(pool)
    rebuilt = None
    for event in pool.collect_events():
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    assert list(rebuilt.queue) == [CLAIM_2, CLAIM_3]
    assert (rebuilt.available_fen, rebuilt.queued_fen) == (0, 300_00)
    assert rebuilt.claims_paid == {CLAIM_1}


@given(
    st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
    st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
)
def test_the_pool_never_goes_below_zero_and_pays_its_queue_in_order(legs, contributions):
    pool = _pool(0)
    claims = [claim_id(loan_id("ICBC", f"L{n}"), "C") for n in range(len(legs))]
    for claim, fen in zip(claims, legs, strict=True):
        _queue(pool, claim, fen)
    paid: list = []
    for number, fen in enumerate(contributions):
        _fund(pool, fen, f"F{number}")
        paid += _pay_what_fits(pool)
        assert pool.available_fen >= 0
        # Whatever is left waiting, the oldest of it does not fit the funds.
        if pool.queue:
            assert next(iter(pool.queue.values())).amount_fen > pool.available_fen
    assert paid == claims[: len(paid)]
    assert pool.paid_out_fen == sum(legs[: len(paid)])
    assert pool.queued_fen == sum(legs[len(paid) :])
