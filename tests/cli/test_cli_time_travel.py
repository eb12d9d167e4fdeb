"""Every report read as of a business date, or as known at a recorded time, from the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Riskledger

REPORTS = ("pools", "products", "parties", "loans", "periods")


def _json(riskledger: Riskledger, command: str) -> Any:
    return json.loads(riskledger.ok(f"{command} --format json").stdout)


def test_pools_as_of_a_date_show_what_the_pools_held_then(recovered_programme: Riskledger) -> None:
    before_claim = {
        r["pool"]: r for r in _json(recovered_programme, "report pools --as-of 2024-11-30")
    }
    after_legs = {
        r["pool"]: r for r in _json(recovered_programme, "report pools --as-of 2024-12-01")
    }
    now = {r["pool"]: r for r in _json(recovered_programme, "report pools")}
    assert before_claim["SZ-POOL"]["paid_out_fen"] == 0
    assert after_legs["SZ-POOL"]["paid_out_fen"] == 700_000_00
    assert after_legs["SZ-POOL"]["recovered_fen"] == 0
    assert now["SZ-POOL"]["recovered_fen"] == 116_655_00
    # A pool opened today still shows on an earlier date, empty before its first funds.
    unfunded = _json(recovered_programme, "report pools --as-of 2024-01-04")
    assert {row["pool"]: row["available_fen"] for row in unfunded} == {"JS-POOL": 0, "SZ-POOL": 0}


def test_products_as_of_a_date_count_only_what_was_effective(
    recovered_programme: Riskledger,
) -> None:
    (march,) = _json(recovered_programme, "report products --as-of 2024-03-31")
    (may,) = _json(recovered_programme, "report products --as-of 2024-05-01")
    assert (march["loans"], march["disbursed_fen"], march["repaid_fen"]) == (1, 300_000_000, 0)
    assert may["repaid_fen"] == 100_000_000
    assert may["outstanding_fen"] == 200_000_000
    assert may["claims"] == 0 and march["enterprises"] == 1


def test_known_at_a_time_before_the_claim_was_recorded_hides_it(
    recovered_programme: Riskledger,
) -> None:
    history = _json(recovered_programme, "audit history --bank ICBC-SZ --loan L001")
    filed = next(row for row in history if row["event"].endswith("Filed"))
    just_before = datetime.fromisoformat(filed["recorded_at"]) - timedelta(microseconds=1)
    (then,) = _json(recovered_programme, f"report products --known-at {just_before.isoformat()}")
    (now,) = _json(recovered_programme, "report products")
    assert (then["claims"], now["claims"]) == (0, 1)
    assert then["defaulted_loans"] == now["defaulted_loans"] == 1


def test_periods_show_each_quarter_of_a_bank_under_a_product(
    recovered_programme: Riskledger,
) -> None:
    rows = _json(recovered_programme, "report periods --by quarter --product SKD")
    by_period = {row["period"]: row for row in rows}
    assert by_period["2024Q1"]["disbursed_fen"] == 300_000_000
    assert by_period["2024Q2"]["repaid_fen"] == 100_000_000
    assert by_period["2024Q4"]["approved_fen"] == 200_000_000
    assert by_period["2024Q4"]["outstanding_fen"] == 200_000_000
    assert {row["bank"] for row in rows} == {"ICBC-SZ"}


def test_parties_show_burden_recovery_and_net_loss(recovered_programme: Riskledger) -> None:
    parties = {row["party"]: row for row in _json(recovered_programme, "report parties")}
    assert parties["pool.city"]["burden_fen"] == 700_000_00
    assert parties["pool.city"]["net_loss_fen"] == 700_000_00 - 116_655_00
    assert parties["bank"]["legs_received_fen"] == 1_400_000_00


def test_the_loan_book_as_of_a_date_shows_the_loan_as_it_stood(
    recovered_programme: Riskledger,
) -> None:
    (may,) = _json(recovered_programme, "report loans --as-of 2024-05-01")
    (now,) = _json(recovered_programme, "report loans --bank ICBC-SZ")
    assert (may["state"], may["outstanding_fen"]) == ("active", 200_000_000)
    assert now["state"] == "defaulted"
    assert _json(recovered_programme, "report loans --enterprise 91320505MA1ABCDE08") == []


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize(
    ("option", "field"),
    [("--as-of 2024-13-01", "as-of"), ("--known-at yesterday", "known-at")],
)
def test_a_bad_moment_is_refused_in_one_line_and_writes_nothing(
    recovered_programme: Riskledger, report: str, option: str, field: str
) -> None:
    before = recovered_programme.event_count()
    result = recovered_programme(f"report {report} {option}")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"error: {field}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert recovered_programme.event_count() == before


def test_an_enterprise_history_lists_it_and_every_event_of_its_loans(
    recovered_programme: Riskledger,
) -> None:
    rows = _json(recovered_programme, "audit history --enterprise 91320505MA1ABCDE09")
    loan = _json(recovered_programme, "audit history --bank ICBC-SZ --loan L001")
    assert [row for row in rows if row["aggregate"] != "enterprise"] == loan
    assert rows[0]["aggregate"] == "enterprise" and rows[0]["event"].endswith("Registered")
    assert [row["position"] for row in rows] == sorted(row["position"] for row in rows)


def test_a_history_needs_a_loan_or_an_enterprise(recovered_programme: Riskledger) -> None:
    result = recovered_programme("audit history --bank ICBC-SZ")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        "error: --loan: give --bank and --loan, or --enterprise",
    )
