"""Payment legs (R9): who pays whom, for each structure, once burdens are fixed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.legs import Leg, plan_legs, settles_burdens
from domain.split import split_loss
from domain.terms import PARTIES

# 科创贷's 4321 burdens of a 400万 loss.
FOUR_THREE_TWO_ONE = {
    "guarantor": 1_600_000_00,
    "reguarantor": 1_200_000_00,
    "bank": 800_000_00,
    "pool.county": 400_000_00,
}


def test_direct_products_have_every_other_party_pay_the_bank_its_burden():
    burdens = {"pool.province": 350, "pool.city": 350, "bank": 300}
    assert plan_legs("direct", burdens, "bank") == [
        Leg("pool.province", "bank", 350),
        Leg("pool.city", "bank", 350),
    ]


def test_insured_products_have_the_insurer_and_the_pools_pay_the_bank():
    burdens = {"insurer": 500, "pool.city": 200, "bank": 300}
    assert plan_legs("insured", burdens, "bank") == [
        Leg("insurer", "bank", 500),
        Leg("pool.city", "bank", 200),
    ]


def test_the_guarantor_pays_the_bank_all_but_its_burden_and_the_others_reimburse_the_guarantor():
    assert plan_legs("guaranteed", FOUR_THREE_TWO_ONE, "guarantor") == [
        Leg("guarantor", "bank", 3_200_000_00),
        Leg("reguarantor", "guarantor", 1_200_000_00),
        Leg("pool.county", "guarantor", 400_000_00),
    ]


def test_a_party_whose_burden_is_zero_has_no_leg():
    burdens = {"guarantor": 2, "reguarantor": 0, "bank": 1, "pool.county": 0}
    assert plan_legs("guaranteed", burdens, "guarantor") == [Leg("guarantor", "bank", 2)]
    assert plan_legs("direct", {"pool.city": 0, "bank": 1}, "bank") == []


def test_a_claim_filed_by_the_wrong_party_cannot_be_planned():
    with pytest.raises(ValueError, match="filed by the guarantor"):
        plan_legs("guaranteed", FOUR_THREE_TWO_ONE, "bank")
    with pytest.raises(ValueError, match="filed by the bank"):
        plan_legs("direct", {"pool.city": 1, "bank": 1}, "guarantor")
    with pytest.raises(ValueError, match="unknown structure"):
        plan_legs("mutual", {"bank": 1}, "bank")


def test_legs_that_leave_a_party_short_do_not_settle_the_burdens():
    legs = plan_legs("guaranteed", FOUR_THREE_TWO_ONE, "guarantor")
    assert settles_burdens(4_000_000_00, FOUR_THREE_TWO_ONE, legs)
    short = [Leg("guarantor", "bank", 3_199_999_99), *legs[1:]]
    assert not settles_burdens(4_000_000_00, FOUR_THREE_TWO_ONE, short)
    assert not settles_burdens(4_000_000_00, FOUR_THREE_TWO_ONE, [*legs, Leg("bank", "bank", 0)])


# -- properties ----------------------------------------------------------------------------


@st.composite
def structured_burdens(draw: st.DrawFn) -> tuple[str, int, dict[str, int]]:
    """A structure, a loss, and its exact split by random shares that include the bank."""
    structure = draw(st.sampled_from(["direct", "guaranteed", "insured"]))
    others = [p for p in PARTIES if p != "bank"]
    chosen = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
    if structure == "guaranteed" and "guarantor" not in chosen:
        chosen.append("guarantor")
    # Cutting 10,000 bps at random points gives shares that always sum to the whole.
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=len(chosen), max_size=len(chosen)))
    )
    edges = [0, *cuts]
    shares = [(p, edges[i + 1] - edges[i]) for i, p in enumerate(chosen)]
    shares.append(("bank", 10_000 - edges[-1]))
    loss = draw(st.integers(0, 10**12))
    return structure, loss, split_loss(loss, shares)


@given(structured_burdens())
def test_once_paid_the_legs_leave_every_party_bearing_exactly_its_burden(case):
    structure, loss, burdens = case
    claimant = "guarantor" if structure == "guaranteed" else "bank"
    legs = plan_legs(structure, burdens, claimant)
    assert settles_burdens(loss, burdens, legs)
    assert all(leg.amount_fen > 0 for leg in legs)
    assert len({leg.payer for leg in legs}) == len(legs), "one leg per payer"
    assert all(leg.payer != leg.payee for leg in legs)


@given(structured_burdens())
def test_the_guarantors_leg_is_the_loss_less_the_banks_burden(case):
    structure, loss, burdens = case
    if structure != "guaranteed":
        return
    legs = {leg.payer: leg for leg in plan_legs(structure, burdens, "guarantor")}
    to_bank = legs.get("guarantor")
    assert (to_bank.amount_fen if to_bank else 0) == loss - burdens["bank"]
    assert all(leg.payee == "guarantor" for payer, leg in legs.items() if payer != "guarantor")
