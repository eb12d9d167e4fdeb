"""A product's exposure: covered outstanding within its leverage (R3), and what it compensated."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.exposure import Exposure, leverage_multiple
from domain.ids import exposure_id
from domain.terms import Tier

DAY = date(2024, 2, 1)
FUNDS = 1_000_000_00  # the pools hold 100万: 10× covers 1000万


@pytest.fixture
def exposure(fund_manager) -> Exposure:
    return Exposure.open(product="SKD", effective_date=DAY, actor=fund_manager)


def cover(exposure: Exposure, principal: int, actor) -> None:
    exposure.check_headroom(principal_fen=principal, multiple=10, pool_funds_fen=FUNDS)
    exposure.cover(loan=uuid4(), principal_fen=principal, effective_date=DAY, actor=actor)


def replay(events) -> Exposure:
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, Exposure)
    return rebuilt


def test_a_product_has_one_exposure_found_by_its_code(exposure):
    assert exposure.id == exposure_id("SKD")
    assert (exposure.covered_fen, exposure.registered_fen, exposure.compensated_fen) == (0, 0, 0)


def test_loans_up_to_the_multiple_of_the_pools_funds_are_covered_to_the_last_fen(
    exposure, fund_manager
):
    cover(exposure, 6_000_000_00, fund_manager)
    cover(exposure, 4_000_000_00, fund_manager)
    assert exposure.covered_fen == 10 * FUNDS


def test_one_fen_past_the_multiple_is_refused_with_the_amounts(exposure, fund_manager):
    cover(exposure, 6_000_000_00, fund_manager)
    with pytest.raises(RuleViolation) as refused:
        cover(exposure, 4_000_000_01, fund_manager)
    assert (refused.value.rule, refused.value.field) == ("R3", "principal")
    assert refused.value.reason == (
        "SKD covers 6,000,000.00 already; with 4,000,000.01 more it would cover "
        "10,000,000.01, above 10× its pools' funds of 1,000,000.00 (10,000,000.00); "
        "4,000,000.00 of headroom is left (R3)"
    )
    assert exposure.covered_fen == 6_000_000_00


def test_unfunded_pools_cover_nothing(exposure):
    with pytest.raises(RuleViolation):
        exposure.check_headroom(principal_fen=1, multiple=10, pool_funds_fen=0)


def test_repayments_free_headroom_and_an_approved_claim_takes_the_rest_off(exposure, fund_manager):
    loan = uuid4()
    exposure.cover(loan=loan, principal_fen=3_000_000_00, effective_date=DAY, actor=fund_manager)
    exposure.reduce(loan=loan, principal_fen=1_000_000_00, effective_date=DAY, actor=fund_manager)
    exposure.reduce(loan=loan, principal_fen=0, effective_date=DAY, actor=fund_manager)
    approved_on = date(2024, 9, 20)
    assert exposure.compensate(
        loan=loan,
        remaining_fen=2_000_000_00,
        compensated_fen=1_800_000_00,
        effective_date=approved_on,
        actor=fund_manager,
    )
    assert (exposure.covered_fen, exposure.registered_fen, exposure.compensated_fen) == (
        0,
        3_000_000_00,
        1_800_000_00,
    )
    assert exposure.compensated_on(date(2024, 9, 19)) == 0
    assert exposure.compensated_on(approved_on) == 1_800_000_00
    # A loan's loss is counted once, however often its approval is replayed or repeated.
    assert not exposure.compensate(
        loan=loan,
        remaining_fen=2_000_000_00,
        compensated_fen=1_800_000_00,
        effective_date=approved_on,
        actor=fund_manager,
    )
    names = [type(e).__name__ for e in exposure.collect_events()]
    assert names == ["Opened", "Covered", "Reduced", "Compensated"]


def test_the_exposure_replays_to_the_same_figures(exposure, fund_manager):
    loan = uuid4()
    exposure.cover(loan=loan, principal_fen=5_000_000_00, effective_date=DAY, actor=fund_manager)
    exposure.reduce(loan=loan, principal_fen=1_000_00, effective_date=DAY, actor=fund_manager)
    exposure.compensate(
        loan=loan,
        remaining_fen=4_999_000_00,
        compensated_fen=4_000_000_00,
        effective_date=DAY,
        actor=fund_manager,
    )
    rebuilt = replay(exposure.collect_events())
    assert rebuilt.__dict__ == exposure.__dict__


def test_leverage_binds_products_whose_losses_a_pool_shares(su_ke_dai):
    assert leverage_multiple(su_ke_dai) == 10
    assert leverage_multiple(replace(su_ke_dai, leverage_multiple=20)) == 20
    insured = replace(su_ke_dai, structure="insured", shares=(("insurer", 7000), ("bank", 3000)))
    assert leverage_multiple(insured) is None
    # A pool named only in a tier's shares still levers the product.
    tiered = replace(insured, tiers=(Tier(None, (("pool.city", 8000), ("bank", 2000))),))
    assert leverage_multiple(tiered) == 10


@given(
    funds=st.integers(min_value=0, max_value=10**10),
    multiple=st.integers(min_value=1, max_value=50),
    steps=st.lists(
        st.tuples(st.booleans(), st.integers(min_value=1, max_value=10**11)), max_size=40
    ),
)
def test_the_covered_outstanding_never_exceeds_the_limit(funds, multiple, steps):
    """Registrations (True) and repayments (False) in any order: every registration the
    check lets through keeps the product within `multiple` × `funds`."""
    exposure = Exposure.open(product="SKD", effective_date=DAY, actor=None)
    accepted = repaid = 0
    for registers, amount in steps:
        if registers:
            try:
                exposure.check_headroom(
                    principal_fen=amount, multiple=multiple, pool_funds_fen=funds
                )
            except RuleViolation:
                assert exposure.covered_fen + amount > multiple * funds
                continue
            exposure.cover(loan=uuid4(), principal_fen=amount, effective_date=DAY, actor=None)
            accepted += amount
        else:
            freed = min(amount, exposure.covered_fen)
            exposure.reduce(loan=uuid4(), principal_fen=freed, effective_date=DAY, actor=None)
            repaid += freed
        assert 0 <= exposure.covered_fen <= multiple * funds
        assert exposure.covered_fen == accepted - repaid


def test_a_loan_written_off_then_compensated_leaves_the_exposure_once(exposure, fund_manager):
    loan = uuid4()
    exposure.cover(loan=loan, principal_fen=500_000_00, effective_date=DAY, actor=fund_manager)
    assert exposure.write_off(
        loan=loan, remaining_fen=500_000_00, effective_date=DAY, actor=fund_manager
    )
    assert exposure.covered_fen == 0
    assert not exposure.write_off(
        loan=loan, remaining_fen=500_000_00, effective_date=DAY, actor=fund_manager
    )
    exposure.compensate(
        loan=loan,
        remaining_fen=500_000_00,
        compensated_fen=400_000_00,
        effective_date=DAY,
        actor=fund_manager,
    )
    assert (exposure.covered_fen, exposure.compensated_fen) == (0, 400_000_00)
    assert replay(exposure.collect_events()).covered_fen == 0


def test_a_loan_compensated_first_is_not_taken_off_again_by_its_write_off(exposure, fund_manager):
    loan = uuid4()
    exposure.cover(loan=loan, principal_fen=500_000_00, effective_date=DAY, actor=fund_manager)
    exposure.compensate(
        loan=loan,
        remaining_fen=500_000_00,
        compensated_fen=500_000_00,
        effective_date=DAY,
        actor=fund_manager,
    )
    assert not exposure.write_off(
        loan=loan, remaining_fen=500_000_00, effective_date=DAY, actor=fund_manager
    )
    assert exposure.covered_fen == 0
