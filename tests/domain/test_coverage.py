"""Coverage (R16) and fee caps (R17): exact arithmetic on what a guarantee or policy covers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.coverage import (
    check_coverage,
    check_rate,
    check_within_allowance,
    covered_fen,
    guarantor_side_bps,
    party_share_bps,
    rate_allowance_fen,
)
from domain.errors import InvalidInput, RuleViolation
from domain.split import split_loss
from domain.terms_parsing import parse_terms

KE_CHUANG_DAI = parse_terms(
    {
        "code": "KCD",
        "name": "科创贷",
        "structure": "guaranteed",
        "effective_from": date(2024, 1, 1),
        "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
        "coverage": {"min": "80%", "max": "100%"},
        "bonus": {"first_loan": "5%"},
        "tiers": [
            {
                "below_revenue": "2000万",
                "shares": {
                    "guarantor": 4000,
                    "reguarantor": 3000,
                    "bank": 2000,
                    "pool.county": 1000,
                },
            },
            {"shares": {"guarantor": 4000, "reguarantor": 2500, "bank": 2500, "pool.county": 1000}},
        ],
    }
)


def test_the_covered_part_is_rounded_up_to_the_fen():
    assert covered_fen(4_000_000_00, 8000) == 3_200_000_00
    assert covered_fen(1, 8000) == 1
    assert covered_fen(3, 8000) == 3  # 2.4 fen covered: 3
    assert covered_fen(5, 5000) == 3
    assert covered_fen(0, 8000) == 0


def test_the_allowance_is_the_annual_rate_over_the_term_rounded_half_up():
    assert rate_allowance_fen(4_000_000_00, 100, 12) == 40_000_00
    assert rate_allowance_fen(4_000_000_00, 100, 18) == 60_000_00
    assert rate_allowance_fen(1, 5000, 12) == 1  # half a fen rounds up
    assert rate_allowance_fen(1, 4999, 12) == 0


def test_the_guarantors_side_is_all_but_the_banks_smallest_share_after_any_bonus():
    assert guarantor_side_bps(KE_CHUANG_DAI, first_loan=False, pure_credit=False) == 8000
    assert guarantor_side_bps(KE_CHUANG_DAI, first_loan=True, pure_credit=False) == 8500
    assert party_share_bps(KE_CHUANG_DAI, "reguarantor") == 3000
    assert party_share_bps(KE_CHUANG_DAI, "insurer") == 0


def test_coverage_outside_the_bounds_or_short_of_the_guarantors_side_is_refused():
    check_coverage(KE_CHUANG_DAI, 8000, 8000, "guarantor")
    with pytest.raises(RuleViolation) as outside:
        check_coverage(KE_CHUANG_DAI, 7000, 7000, "guarantor")
    assert (outside.value.rule, outside.value.field) == ("R16", "coverage")
    with pytest.raises(
        RuleViolation, match=re.escape("85.00% of each loss that KCD puts on the guarantor")
    ):
        check_coverage(KE_CHUANG_DAI, 8000, 8500, "guarantor")
    with pytest.raises(InvalidInput):
        check_coverage(KE_CHUANG_DAI, 0, 0, "guarantor")


def test_a_rate_above_the_cap_is_refused_naming_the_field():
    check_rate(100, 100, field="fee_rate", what="guarantee fee", code="KCD")
    check_rate(300, None, field="fee_rate", what="guarantee fee", code="KCD")
    with pytest.raises(RuleViolation) as above:
        check_rate(101, 100, field="fee_rate", what="guarantee fee", code="KCD")
    assert (above.value.rule, above.value.field) == ("R17", "fee_rate")
    with pytest.raises(InvalidInput):
        check_rate(0, 100, field="fee_rate", what="guarantee fee", code="KCD")


def test_payments_beyond_the_allowance_are_refused():
    check_within_allowance(30, 10, 40, what="premium", basis="the rate allows")
    with pytest.raises(
        RuleViolation, match=re.escape("premiums would total 0.41, more than the 0.40")
    ):
        check_within_allowance(30, 11, 40, what="premium", basis="the rate allows")
    with pytest.raises(InvalidInput):
        check_within_allowance(0, 0, 40, what="premium", basis="the rate allows")


# -- properties ----------------------------------------------------------------------------

bps = st.integers(0, 10_000)


@given(st.integers(0, 10**13), bps, bps)
def test_a_cover_of_the_guarantors_side_reaches_whatever_the_split_leaves_off_the_bank(
    loss, bank_bps, other_bps
):
    """With coverage = 10,000 - the bank's share, the 代偿 covers the guarantor's leg exactly
    or better, whatever the rounding of an exact split."""
    other_bps = min(other_bps, 10_000 - bank_bps)
    shares = [
        ("guarantor", 10_000 - bank_bps - other_bps),
        ("pool.county", other_bps),
        ("bank", bank_bps),
    ]
    burdens = split_loss(loss, shares)
    assert covered_fen(loss, 10_000 - bank_bps) >= loss - burdens["bank"]


@given(st.integers(0, 10**13), bps)
def test_the_covered_part_is_the_least_fen_at_or_above_the_exact_share(amount, coverage):
    covered = covered_fen(amount, coverage)
    assert covered * 10_000 >= amount * coverage > (covered - 1) * 10_000 or covered == 0
    assert 0 <= covered <= amount


@given(st.integers(0, 10**13), st.integers(1, 9_999), st.integers(1, 600))
def test_allowances_grow_with_the_term_and_are_within_half_a_fen(base, rate, months):
    allowance = rate_allowance_fen(base, rate, months)
    exact_twice = 2 * base * rate * months  # twice the exact allowance, in 1/120,000 fen
    assert abs(allowance * 2 * 120_000 - exact_twice) <= 120_000
    assert rate_allowance_fen(base, rate, months + 1) >= allowance
