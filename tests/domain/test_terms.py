"""Product terms files: read whole, and every problem reported with its key path."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.errors import InvalidTerms
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms


def problems_in(data) -> dict[str, str]:
    with pytest.raises(InvalidTerms) as refused:
        parse_terms(data)
    return dict(refused.value.problems)


def test_reads_su_ke_dai_into_fen_and_basis_points(su_ke_dai_data):
    terms = parse_terms(su_ke_dai_data)
    assert terms.code == "SKD"
    assert terms.name == "苏科贷"
    assert terms.effective_from == date(2024, 1, 1)
    assert terms.shares == (("pool.province", 3500), ("pool.city", 3500), ("bank", 3000))
    assert terms.max_principal_fen == 5_000_000_00
    assert terms.max_term_months == 36


def test_fills_in_the_default_thresholds_and_leaves_limits_open(su_ke_dai_data):
    for key in ("claim_window_days", "limits"):
        del su_ke_dai_data[key]
    terms = parse_terms(su_ke_dai_data)
    assert (terms.settlement, terms.default_days, terms.claim_window_days) == ("advance", 90, 180)
    assert terms.max_principal_fen is None
    assert terms.max_term_months is None


def test_reports_every_problem_with_its_key_path(su_ke_dai_data):
    su_ke_dai_data["shares"] = {"pool.city": -3500, "pool.town": 3500, "bank": 3000}
    su_ke_dai_data["leverage_cap"] = 10
    su_ke_dai_data["limits"] = {"max_principal": "500万美元", "max_loans": 3}
    problems = problems_in(su_ke_dai_data)
    assert set(problems) == {
        "shares.pool.city",
        "shares.pool.town",
        "leverage_cap",
        "limits.max_principal",
        "limits.max_loans",
    }
    assert "basis points" in problems["shares.pool.city"]
    assert "unknown party" in problems["shares.pool.town"]
    assert "not a known term" in problems["leverage_cap"]


def test_refuses_shares_that_do_not_sum_to_ten_thousand(su_ke_dai_data):
    su_ke_dai_data["shares"] = {"pool.province": 3500, "pool.city": 3500, "bank": 2000}
    assert problems_in(su_ke_dai_data) == {"shares": "sum to 9000 bps; they must sum to 10000"}


def test_refuses_a_direct_product_without_the_banks_share(su_ke_dai_data):
    su_ke_dai_data["shares"] = {"pool.province": 5000, "pool.city": 5000}
    assert set(problems_in(su_ke_dai_data)) == {"shares.bank"}


def test_reports_each_missing_required_term():
    problems = problems_in({})
    assert {key for key, reason in problems.items() if reason.startswith("is required")} == {
        "code",
        "name",
        "structure",
        "effective_from",
        "shares",
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("code", 7),
        ("structure", "guaranteed-by-nobody"),
        ("effective_from", "2024-01-01"),
        ("effective_from", datetime(2024, 1, 1, 9, 30)),
        ("settlement", "whenever"),
        ("default_days", 0),
        ("default_days", True),
        ("claim_window_days", -180),
        ("claim_window_days", 180.0),
        ("shares", [("bank", 10_000)]),
        ("limits", "500万"),
    ],
)
def test_refuses_a_term_of_the_wrong_kind_naming_it(su_ke_dai_data, key, value):
    su_ke_dai_data[key] = value
    assert key in problems_in(su_ke_dai_data)


@pytest.mark.parametrize(
    ("limits", "key"),
    [
        ({"max_principal": 5_000_000}, "limits.max_principal"),
        ({"max_principal": "0"}, "limits.max_principal"),
        ({"max_principal": "1.234"}, "limits.max_principal"),
        ({"max_term_months": 0}, "limits.max_term_months"),
        ({"max_term_months": "36"}, "limits.max_term_months"),
    ],
)
def test_refuses_bad_limits_naming_the_limit(su_ke_dai_data, limits, key):
    su_ke_dai_data["limits"] = limits
    assert set(problems_in(su_ke_dai_data)) == {key}


def test_refuses_bool_shares(su_ke_dai_data):
    su_ke_dai_data["shares"] = {"pool.province": 3500, "pool.city": 3500, "bank": True}
    assert set(problems_in(su_ke_dai_data)) == {"shares.bank"}


def test_the_error_names_the_first_problem_and_counts_the_rest():
    with pytest.raises(InvalidTerms) as refused:
        parse_terms({"code": "X"})
    error = refused.value
    assert error.field == error.problems[0][0]
    assert f"(and {len(error.problems) - 1} more)" in str(error)


def test_terms_survive_the_round_trip_through_an_event_record(su_ke_dai):
    record = su_ke_dai.to_record()
    assert record["effective_from"] == "2024-01-01"
    assert record["shares"] == {"pool.province": 3500, "pool.city": 3500, "bank": 3000}
    assert ProductTerms.from_record(record) == su_ke_dai
