"""Fixtures for the pure domain tests, in the programme's own terms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.actor import Actor
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms


@pytest.fixture
def clerk() -> Actor:
    return Actor("ICBC", "clerk", "cli")


@pytest.fixture
def fund_manager() -> Actor:
    return Actor("KJJ", "manager", "cli")


@pytest.fixture
def su_ke_dai_data() -> dict[str, Any]:
    """苏科贷 as a terms file would give it: province 35, city 35, bank 30; ≤ 500万, ≤ 36 months."""
    return {
        "code": "SKD",
        "name": "苏科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "claim_window_days": 180,
        "shares": {"pool.province": 3500, "pool.city": 3500, "bank": 3000},
        "limits": {"max_principal": "500万", "max_term_months": 36},
    }


@pytest.fixture
def su_ke_dai(su_ke_dai_data: dict[str, Any]) -> ProductTerms:
    return parse_terms(su_ke_dai_data)
