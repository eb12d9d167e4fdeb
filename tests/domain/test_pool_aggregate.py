"""Risk pools: contributions in, compensation out, recoveries back; never below zero (R10)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import pool_id
from domain.pool import RiskPool

DAY = date(2024, 1, 15)


@pytest.fixture
def pool(fund_manager) -> RiskPool:
    """苏州市 city pool for 苏科贷 holding 1000万."""
    pool = RiskPool.open(
        code="SZ-CITY",
        name="苏州市科技贷款风险补偿资金池",
        owner="SZ-KJJ",
        level="city",
        products=["SKD"],
        effective_date=DAY,
        actor=fund_manager,
    )
    pool.contribute(
        amount_fen=10_000_000_00, funder="SZ-CZJ", ref="F1", effective_date=DAY, actor=fund_manager
    )
    pool.collect_events()
    return pool


def test_an_opened_pool_is_found_by_its_code_and_starts_empty(fund_manager):
    pool = RiskPool.open(
        code="JS-PROV",
        name="江苏省资金池",
        owner="JS-KJT",
        level="province",
        products=["SKD"],
        effective_date=DAY,
        actor=fund_manager,
    )
    assert pool.id == pool_id("JS-PROV")
    assert pool.available_fen == 0
    assert pool.same_opening("江苏省资金池", "JS-KJT", "province", ["SKD"])
    assert not pool.same_opening("江苏省资金池", "JS-KJT", "province", ["SKD", "TKD"])
    assert [type(e).__name__ for e in pool.collect_events()] == ["Opened"]


@pytest.mark.parametrize(
    ("code", "level", "field"), [(" ", "city", "code"), ("X", "town", "level")]
)
def test_a_pool_needs_a_code_and_a_government_level(fund_manager, code, level, field):
    with pytest.raises(InvalidInput) as refused:
        RiskPool.open(
            code=code,
            name="池",
            owner="KJJ",
            level=level,
            products=[],
            effective_date=DAY,
            actor=fund_manager,
        )
    assert refused.value.field == field


def test_contributions_add_to_what_the_pool_holds(pool, fund_manager):
    assert pool.contribute(
        amount_fen=5_000_000_00, funder="SZ-CZJ", ref="F2", effective_date=DAY, actor=fund_manager
    )
    assert pool.available_fen == 15_000_000_00
    assert [type(e).__name__ for e in pool.collect_events()] == ["ContributionReceived"]


@pytest.mark.parametrize("amount", [0, -1])
def test_a_contribution_must_be_positive(pool, fund_manager, amount):
    with pytest.raises(InvalidInput):
        pool.contribute(
            amount_fen=amount, funder="SZ-CZJ", ref="F2", effective_date=DAY, actor=fund_manager
        )
    assert pool.available_fen == 10_000_000_00
    assert pool.pending_events == []


def test_a_repeated_contribution_reference_is_a_no_op_or_a_conflict(pool, fund_manager):
    assert (
        pool.contribute(
            amount_fen=10_000_000_00,
            funder="SZ-CZJ",
            ref="F1",
            effective_date=DAY,
            actor=fund_manager,
        )
        is False
    )
    with pytest.raises(Conflict):
        pool.contribute(
            amount_fen=10_000_000_00,
            funder="JS-CZT",
            ref="F1",
            effective_date=DAY,
            actor=fund_manager,
        )
    assert pool.available_fen == 10_000_000_00
    assert pool.pending_events == []


def test_a_payment_reduces_what_the_pool_holds(pool, fund_manager):
    pool.pay(
        amount_fen=700_000_00, claim=uuid4(), payee="ICBC", effective_date=DAY, actor=fund_manager
    )
    assert pool.available_fen == 9_300_000_00
    assert [type(e).__name__ for e in pool.collect_events()] == ["PaymentMade"]


def test_the_pool_can_pay_out_exactly_everything_it_holds(pool, fund_manager):
    pool.pay(
        amount_fen=10_000_000_00,
        claim=uuid4(),
        payee="ICBC",
        effective_date=DAY,
        actor=fund_manager,
    )
    assert pool.available_fen == 0


def test_pool_cannot_pay_more_than_available_r10(pool, fund_manager):
    with pytest.raises(RuleViolation) as refused:
        pool.pay(
            amount_fen=10_000_000_01,
            claim=uuid4(),
            payee="ICBC",
            effective_date=DAY,
            actor=fund_manager,
        )
    assert (refused.value.rule, refused.value.field) == ("R10", "pool")
    assert "SZ-CITY" in refused.value.reason
    assert pool.available_fen == 10_000_000_00
    assert pool.pending_events == []
    with pytest.raises(RuleViolation):
        pool.check_can_pay(10_000_000_01)
    pool.check_can_pay(10_000_000_00)


@pytest.mark.parametrize("amount", [0, -700_000_00])
def test_a_payment_must_be_positive_so_it_can_never_add_money(pool, fund_manager, amount):
    with pytest.raises(InvalidInput) as refused:
        pool.pay(
            amount_fen=amount, claim=uuid4(), payee="ICBC", effective_date=DAY, actor=fund_manager
        )
    assert refused.value.field == "amount"
    assert pool.available_fen == 10_000_000_00
    assert pool.pending_events == []


def test_a_recovery_share_returns_money_to_the_pool(pool, fund_manager):
    claim = uuid4()
    pool.pay(
        amount_fen=700_000_00, claim=claim, payee="ICBC", effective_date=DAY, actor=fund_manager
    )
    pool.receive_recovery(amount_fen=35_000_00, claim=claim, effective_date=DAY, actor=fund_manager)
    assert pool.available_fen == 9_335_000_00
    assert [type(e).__name__ for e in pool.collect_events()] == ["PaymentMade", "RecoveryReceived"]


def test_a_zero_recovery_share_records_nothing(pool, fund_manager):
    pool.receive_recovery(amount_fen=0, claim=uuid4(), effective_date=DAY, actor=fund_manager)
    assert pool.available_fen == 10_000_000_00
    assert pool.pending_events == []


def test_a_pool_rebuilt_from_its_events_holds_the_same_and_remembers_its_references(
    pool, fund_manager
):
    claim = uuid4()
    pool.pay(amount_fen=1_00, claim=claim, payee="ICBC", effective_date=DAY, actor=fund_manager)
    pool.receive_recovery(amount_fen=50, claim=claim, effective_date=DAY, actor=fund_manager)
    opened = RiskPool.open(
        code="SZ-CITY",
        name="苏州市科技贷款风险补偿资金池",
        owner="SZ-KJJ",
        level="city",
        products=["SKD"],
        effective_date=DAY,
        actor=fund_manager,
    )
    opened.contribute(
        amount_fen=10_000_000_00, funder="SZ-CZJ", ref="F1", effective_date=DAY, actor=fund_manager
    )
    opened.pay(amount_fen=1_00, claim=claim, payee="ICBC", effective_date=DAY, actor=fund_manager)
    opened.receive_recovery(amount_fen=50, claim=claim, effective_date=DAY, actor=fund_manager)
    rebuilt = None
    for domain_event in opened.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt.available_fen == pool.available_fen == 10_000_000_00 - 50
    assert (
        rebuilt.contribute(
            amount_fen=10_000_000_00,
            funder="SZ-CZJ",
            ref="F1",
            effective_date=DAY,
            actor=fund_manager,
        )
        is False
    )
