"""The whole split of an approved loss (R8): revenue tiers, the bonus, and the pools' caps."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.split import (
    ClaimantHistory,
    loan_shares,
    pools_burden_fen,
    pools_cap_fen,
    split_approved_loss,
)
from domain.terms import POOL_PARTIES, Bonus, Caps, ProductTerms, Tier
from domain.terms_parsing import parse_terms

TONG_KE_DAI = parse_terms(
    {
        "code": "TKD",
        "name": "通科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "tiers": [
            {"below_revenue": "2000万", "shares": {"pool.city": 8000, "bank": 2000}},
            {"shares": {"pool.city": 7000, "bank": 3000}},
        ],
        "bonus": {"first_loan": "5%", "pure_credit": "5%"},
        "caps": {"cumulative_share": "80%"},
    }
)
WAN = 10_000_00  # 万元 in fen


def _shares(revenue_wan: int | None, first_loan: bool = False, pure_credit: bool = False):
    return dict(
        loan_shares(
            TONG_KE_DAI,
            annual_revenue_fen=None if revenue_wan is None else revenue_wan * WAN,
            first_loan=first_loan,
            pure_credit=pure_credit,
        )
    )


def test_an_enterprise_below_2000wan_revenue_shares_8_to_2_and_above_7_to_3():
    assert _shares(1500) == {"pool.city": 8000, "bank": 2000}
    assert _shares(1999) == {"pool.city": 8000, "bank": 2000}
    assert _shares(2000) == {"pool.city": 7000, "bank": 3000}
    assert _shares(50_000) == {"pool.city": 7000, "bank": 3000}


def test_an_unknown_revenue_takes_the_products_default_shares_the_last_tier():
    assert _shares(None) == {"pool.city": 7000, "bank": 3000}


def test_a_first_loan_moves_five_points_from_the_bank_to_the_pool():
    assert _shares(1500, first_loan=True) == {"pool.city": 8500, "bank": 1500}
    assert _shares(3000, first_loan=True) == {"pool.city": 7500, "bank": 2500}


def test_a_first_pure_credit_loan_earns_both_bonuses():
    assert _shares(1500, first_loan=True, pure_credit=True) == {"pool.city": 9000, "bank": 1000}


def _terms(shares: dict[str, int], **extra) -> ProductTerms:
    return ProductTerms(
        code="X",
        name="X",
        structure="direct",
        effective_from=date(2024, 1, 1),
        shares=tuple(shares.items()),
        **extra,
    )


def test_the_bonus_is_divided_among_the_pools_pro_rata_by_largest_remainder_in_bps():
    terms = _terms(
        {"pool.province": 4000, "pool.city": 3000, "bank": 3000}, bonus=Bonus(first_loan_bps=500)
    )
    shares = loan_shares(terms, annual_revenue_fen=None, first_loan=True, pure_credit=False)
    # 500 × 4/7 = 285.7 and 500 × 3/7 = 214.3: 286 and 214.
    assert dict(shares) == {"pool.province": 4286, "pool.city": 3214, "bank": 2500}


def test_the_bonus_never_takes_more_than_the_banks_share():
    terms = _terms({"pool.city": 9700, "bank": 300}, bonus=Bonus(first_loan_bps=500))
    shares = loan_shares(terms, annual_revenue_fen=None, first_loan=True, pure_credit=False)
    assert dict(shares) == {"pool.city": 10_000, "bank": 0}


def test_without_a_sharing_pool_the_bonus_moves_nothing():
    terms = _terms({"insurer": 7000, "bank": 3000}, bonus=Bonus(first_loan_bps=500))
    assert loan_shares(terms, annual_revenue_fen=None, first_loan=True, pure_credit=False) == (
        ("insurer", 7000),
        ("bank", 3000),
    )


CITY_80 = (("pool.city", 8000), ("bank", 2000))


def test_without_caps_the_burdens_are_the_plain_split():
    assert split_approved_loss(100_000_001, CITY_80, Caps()) == {
        "pool.city": 80_000_001,
        "bank": 20_000_000,
    }


def test_a_per_claim_amount_cap_sends_the_excess_to_the_bank():
    caps = Caps(per_claim_fen=60 * WAN)
    assert split_approved_loss(100 * WAN, CITY_80, caps) == {
        "pool.city": 60 * WAN,
        "bank": 40 * WAN,
    }
    assert split_approved_loss(50 * WAN, CITY_80, caps) == {"pool.city": 40 * WAN, "bank": 10 * WAN}


def test_a_per_claim_share_cap_rounds_down_and_the_smaller_cap_applies():
    assert pools_cap_fen(100_000_001, Caps(per_claim_share_bps=6000), ClaimantHistory()) == (
        60_000_000
    )
    both = Caps(per_claim_fen=50 * WAN, per_claim_share_bps=6000)
    assert pools_cap_fen(100 * WAN, both, ClaimantHistory()) == 50 * WAN


def test_a_cap_takes_from_several_pools_pro_rata_to_their_burdens():
    shares = (("pool.province", 4000), ("pool.city", 3000), ("bank", 3000))
    burdens = split_approved_loss(100 * WAN, shares, Caps(per_claim_share_bps=5000))
    assert burdens == {"pool.province": 28_571_429, "pool.city": 21_428_571, "bank": 50 * WAN}


def test_what_a_cap_removes_goes_to_the_residual_party_even_one_without_a_share():
    caps = Caps(per_claim_fen=60 * WAN, residual_party="guarantor")
    assert split_approved_loss(100 * WAN, CITY_80, caps) == {
        "pool.city": 60 * WAN,
        "bank": 20 * WAN,
        "guarantor": 20 * WAN,
    }


def test_the_cumulative_cap_counts_the_claimants_earlier_claims():
    caps = Caps(cumulative_share_bps=8000)
    shares = (("pool.city", 8500), ("bank", 1500))
    first = split_approved_loss(100 * WAN, shares, caps)
    assert first == {"pool.city": 80 * WAN, "bank": 20 * WAN}
    # 70:30 on 50万 leaves headroom: 80% of 150万 is 120万, of which 80万 is spent.
    second = split_approved_loss(
        50 * WAN, (("pool.city", 7000), ("bank", 3000)), caps, ClaimantHistory(100 * WAN, 80 * WAN)
    )
    assert second == {"pool.city": 35 * WAN, "bank": 15 * WAN}
    # The headroom the second claim left (5万) lets the third go above 80% on its own.
    third = split_approved_loss(200 * WAN, shares, caps, ClaimantHistory(150 * WAN, 115 * WAN))
    assert third == {"pool.city": 165 * WAN, "bank": 35 * WAN}


def test_a_history_already_above_the_cumulative_cap_leaves_the_pools_nothing():
    caps = Caps(cumulative_share_bps=5000)
    history = ClaimantHistory(losses_fen=100 * WAN, pool_burdens_fen=80 * WAN)
    assert split_approved_loss(10 * WAN, CITY_80, caps, history) == {
        "pool.city": 0,
        "bank": 10 * WAN,
    }


def test_the_pools_burden_is_the_sum_of_the_pool_parties():
    assert pools_burden_fen({"pool.province": 3, "pool.city": 4, "bank": 5, "insurer": 6}) == 7


# -- properties --------------------------------------------------------------------------

PARTY_CHOICES = [*POOL_PARTIES, "guarantor", "insurer"]


@st.composite
def share_table(draw) -> tuple[tuple[str, int], ...]:
    """Random shares over some pools and others, the bank always present, summing to 10,000."""
    parties = draw(st.lists(st.sampled_from(PARTY_CHOICES), unique=True, max_size=5))
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=len(parties), max_size=len(parties)))
    )
    bounds = [0, *cuts, 10_000]
    sizes = [hi - lo for lo, hi in pairwise(bounds)]
    return tuple(zip([*parties, "bank"], sizes, strict=True))


@st.composite
def product_terms(draw) -> ProductTerms:
    tiers: list[Tier] = []
    for bound in sorted(draw(st.sets(st.integers(1, 10**12), max_size=2))):
        tiers.append(Tier(bound, draw(share_table())))
    if tiers:
        tiers.append(Tier(None, draw(share_table())))
    optional_bps = st.none() | st.integers(0, 10_000)
    return ProductTerms(
        code="P",
        name="P",
        structure="direct",
        effective_from=date(2024, 1, 1),
        shares=tiers[-1].shares if tiers else draw(share_table()),
        tiers=tuple(tiers),
        bonus=Bonus(draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000))),
        caps=Caps(
            per_claim_fen=draw(st.none() | st.integers(0, 10**11)),
            per_claim_share_bps=draw(optional_bps),
            cumulative_share_bps=draw(optional_bps),
            residual_party=draw(st.sampled_from(["bank", "guarantor", "insurer"])),
        ),
    )


loan_facts = st.fixed_dictionaries(
    {
        "annual_revenue_fen": st.none() | st.integers(0, 10**13),
        "first_loan": st.booleans(),
        "pure_credit": st.booleans(),
    }
)


@given(product_terms(), loan_facts)
def test_a_loans_shares_sum_to_10000_and_the_bonus_only_moves_bank_points_to_pools(terms, facts):
    base = dict(terms.shares_for(facts["annual_revenue_fen"]))
    shares = dict(loan_shares(terms, **facts))
    assert sum(shares.values()) == 10_000
    assert all(bps >= 0 for bps in shares.values())
    moved = base["bank"] - shares["bank"]
    wanted = terms.bonus.first_loan_bps * facts["first_loan"] + (
        terms.bonus.pure_credit_bps * facts["pure_credit"]
    )
    assert 0 <= moved <= min(wanted, base["bank"])
    for party, bps in shares.items():
        if party in POOL_PARTIES:
            assert bps >= base[party]
        elif party != "bank":
            assert bps == base[party]
    pools = {p: bps for p, bps in base.items() if p in POOL_PARTIES and bps}
    for party, bps in pools.items():
        exact = Fraction(moved * bps, sum(pools.values()))
        assert abs(shares[party] - base[party] - exact) < 1


@given(product_terms(), loan_facts, st.lists(st.integers(0, 10**12), min_size=1, max_size=5))
def test_burdens_sum_to_the_loss_none_negative_and_the_caps_hold_claim_after_claim(
    terms, facts, losses
):
    shares = loan_shares(terms, **facts)
    caps = terms.caps
    history = ClaimantHistory()
    for loss in losses:
        burdens = split_approved_loss(loss, shares, caps, history)
        assert sum(burdens.values()) == loss
        assert all(fen >= 0 for fen in burdens.values())
        pools = pools_burden_fen(burdens)
        uncapped = pools_burden_fen(split_approved_loss(loss, shares, Caps()))
        assert pools <= uncapped
        if caps.per_claim_fen is not None:
            assert pools <= caps.per_claim_fen
        if caps.per_claim_share_bps is not None:
            assert pools * 10_000 <= loss * caps.per_claim_share_bps
        history = ClaimantHistory(history.losses_fen + loss, history.pool_burdens_fen + pools)
        if caps.cumulative_share_bps is not None:
            assert history.pool_burdens_fen * 10_000 <= (
                history.losses_fen * caps.cumulative_share_bps
            )
        # A cap only ever lowers the pools' burdens and raises the residual party's.
        plain = split_approved_loss(loss, shares, Caps())
        for party, fen in burdens.items():
            if party in POOL_PARTIES:
                assert fen <= plain[party]
            elif party == caps.residual_party:
                assert fen == plain.get(party, 0) + uncapped - pools
            else:
                assert fen == plain[party]


@pytest.mark.parametrize("loss", [0, 1, 2, 3])
def test_tiny_losses_split_whole_fen(loss):
    burdens = split_approved_loss(loss, CITY_80, Caps(per_claim_share_bps=8000))
    assert sum(burdens.values()) == loss
