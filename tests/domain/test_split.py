"""Exact division of losses into burdens (R8) and of recoveries back to the parties (R11)."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.split import largest_remainder, share_recovery, split_loss

SU_KE_DAI = [("pool.province", 3500), ("pool.city", 3500), ("bank", 3000)]


def test_splits_one_hundred_fen_35_35_30():
    assert split_loss(100, SU_KE_DAI) == {"pool.province": 35, "pool.city": 35, "bank": 30}


def test_splits_two_million_yuan_35_35_30_to_the_fen():
    assert split_loss(200_000_000, SU_KE_DAI) == {
        "pool.province": 70_000_000,
        "pool.city": 70_000_000,
        "bank": 60_000_000,
    }


def test_a_single_fen_tied_between_parties_goes_to_the_first_listed():
    assert split_loss(1, SU_KE_DAI) == {"pool.province": 1, "pool.city": 0, "bank": 0}
    assert split_loss(1, [("bank", 5000), ("pool.city", 5000)]) == {"bank": 1, "pool.city": 0}


def test_leftover_fen_go_to_the_largest_remainders_first():
    # 2 fen at 35/35/30 is 0.7 / 0.7 / 0.6: the two 0.7s win.
    assert split_loss(2, SU_KE_DAI) == {"pool.province": 1, "pool.city": 1, "bank": 0}
    # 3 fen is 1.05 / 1.05 / 0.9: the bank's 0.9 is the largest remainder.
    assert split_loss(3, SU_KE_DAI) == {"pool.province": 1, "pool.city": 1, "bank": 1}


def test_ten_fen_in_three_equal_parts_gives_the_extra_fen_to_the_first():
    assert largest_remainder(10, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 4, "b": 3, "c": 3}


def test_keeps_the_parties_in_the_order_given():
    parts = largest_remainder(7, [("bank", 2), ("pool.city", 8)])
    assert list(parts) == ["bank", "pool.city"]


def test_zero_divided_is_zero_for_everyone_even_with_zero_weights():
    assert largest_remainder(0, [("a", 0), ("b", 0)]) == {"a": 0, "b": 0}
    assert largest_remainder(0, SU_KE_DAI) == {"pool.province": 0, "pool.city": 0, "bank": 0}


def test_refuses_a_negative_total():
    with pytest.raises(ValueError, match="negative"):
        largest_remainder(-1, SU_KE_DAI)


def test_refuses_negative_weights():
    with pytest.raises(ValueError, match="negative"):
        largest_remainder(10, [("a", 5), ("b", -1)])


def test_refuses_to_divide_a_positive_total_by_nothing():
    with pytest.raises(ValueError, match="all-zero"):
        largest_remainder(10, [("a", 0), ("b", 0)])


def test_refuses_shares_that_do_not_sum_to_ten_thousand_bps():
    with pytest.raises(ValueError, match="9999"):
        split_loss(100, [("pool.city", 7000), ("bank", 2999)])


def test_shares_a_recovery_pro_rata_to_the_burdens():
    burdens = {"pool.province": 35, "pool.city": 35, "bank": 30}
    assert share_recovery(20, burdens, {}) == {"pool.province": 7, "pool.city": 7, "bank": 6}


def test_a_later_recovery_is_shared_by_what_each_party_has_not_yet_recovered():
    burdens = {"pool.city": 80, "bank": 20}
    assert share_recovery(10, burdens, {"pool.city": 70, "bank": 10}) == {
        "pool.city": 5,
        "bank": 5,
    }


def test_refuses_a_recovery_larger_than_the_unrecovered_loss():
    with pytest.raises(ValueError, match="exceeds"):
        share_recovery(11, {"pool.city": 80, "bank": 20}, {"pool.city": 75, "bank": 15})


# -- properties --------------------------------------------------------------------------


@st.composite
def weighted_parties(draw, min_size: int = 1) -> list[tuple[str, int]]:
    weights = draw(st.lists(st.integers(0, 10_000), min_size=min_size, max_size=8))
    if not any(weights):
        weights[draw(st.integers(0, len(weights) - 1))] = draw(st.integers(1, 10_000))
    return [(f"party{i}", weight) for i, weight in enumerate(weights)]


@st.composite
def shares_bps(draw) -> list[tuple[str, int]]:
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=0, max_size=7)))
    bounds = [0, *cuts, 10_000]
    return [(f"party{i}", hi - lo) for i, (lo, hi) in enumerate(pairwise(bounds))]


amounts = st.integers(0, 10**13)


@given(amounts, weighted_parties())
def test_parts_always_sum_to_the_whole_and_none_is_negative(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total
    assert all(part >= 0 for part in parts.values())
    assert list(parts) == [party for party, _ in weights]


@given(amounts, weighted_parties())
def test_a_party_with_zero_weight_gets_nothing(total, weights):
    parts = largest_remainder(total, weights)
    assert all(parts[party] == 0 for party, weight in weights if weight == 0)


@given(amounts, weighted_parties())
def test_each_part_is_within_one_fen_of_its_exact_proportional_share(total, weights):
    weight_sum = sum(weight for _, weight in weights)
    parts = largest_remainder(total, weights)
    for party, weight in weights:
        exact = Fraction(total * weight, weight_sum)
        assert abs(parts[party] - exact) < 1


@given(amounts, shares_bps())
def test_burdens_sum_to_the_loss_exactly_and_stay_within_a_fen_of_the_shares(loss, shares):
    burdens = split_loss(loss, shares)
    assert sum(burdens.values()) == loss
    for party, bps in shares:
        assert burdens[party] >= 0
        assert abs(burdens[party] - Fraction(loss * bps, 10_000)) < 1


@given(st.integers(1, 10**10), shares_bps(), st.data())
def test_successive_recoveries_never_give_a_party_more_than_its_burden(loss, shares, data):
    burdens = split_loss(loss, shares)
    recovered = dict.fromkeys(burdens, 0)
    total_recovered = 0
    steps = data.draw(st.integers(1, 6))
    for _ in range(steps):
        remaining = loss - total_recovered
        if remaining == 0:
            break
        amount = data.draw(st.integers(1, remaining))
        parts = share_recovery(amount, burdens, recovered)
        assert sum(parts.values()) == amount
        assert all(part >= 0 for part in parts.values())
        for party, part in parts.items():
            recovered[party] += part
        total_recovered += amount
        assert all(recovered[party] <= burdens[party] for party in burdens)
        assert total_recovered <= loss
    # Whatever came before, recovering the rest of the loss returns exactly each burden.
    rest = share_recovery(loss - total_recovered, burdens, recovered)
    assert {party: recovered[party] + rest[party] for party in burdens} == burdens


@given(st.integers(1, 10**10), shares_bps())
def test_a_recovery_of_the_whole_loss_returns_exactly_each_burden(loss, shares):
    burdens = split_loss(loss, shares)
    assert share_recovery(loss, burdens, {}) == burdens


@given(st.integers(1, 10**10), shares_bps(), st.integers(1, 10**10))
def test_recoveries_beyond_the_loss_are_refused(loss, shares, excess):
    burdens = split_loss(loss, shares)
    with pytest.raises(ValueError):
        share_recovery(loss + excess, burdens, {})
