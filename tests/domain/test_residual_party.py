"""The caps' residual party (R8) must share the loss in every tier: what a cap removes becomes
its burden, and it pays a leg only as a party of the split (R9)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidTerms
from domain.terms_parsing import parse_terms


def _direct(**caps: Any) -> dict[str, Any]:
    return {
        "code": "SKD",
        "name": "苏科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.province": 3500, "pool.city": 3500, "bank": 3000},
        "caps": {"per_claim": "100万", **caps},
    }


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidTerms) as refused:
        parse_terms(data)
    return dict(refused.value.problems)


def test_a_residual_party_without_a_share_is_refused_naming_the_key():
    problems = _problems(_direct(residual_party="reguarantor"))
    assert set(problems) == {"caps.residual_party"}
    assert "'reguarantor' has no share in shares" in problems["caps.residual_party"]


def test_the_residual_party_must_share_in_every_tier():
    data = _direct(residual_party="guarantor")
    del data["shares"]
    data["tiers"] = [
        {
            "below_revenue": "2000万",
            "shares": {"pool.city": 7000, "guarantor": 1000, "bank": 2000},
        },
        {"shares": {"pool.city": 7000, "bank": 3000}},
    ]
    problems = _problems(data)
    assert set(problems) == {"caps.residual_party"}
    assert "has no share in tiers[1].shares" in problems["caps.residual_party"]


def test_a_residual_party_sharing_the_loss_everywhere_is_accepted():
    terms = parse_terms(
        {
            "code": "KCD",
            "name": "科创贷",
            "structure": "guaranteed",
            "effective_from": date(2024, 1, 1),
            "shares": {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
            "caps": {"per_claim": "50万", "residual_party": "reguarantor"},
        }
    )
    assert terms.caps.residual_party == "reguarantor"
    assert parse_terms(_direct()).caps.residual_party == "bank"
