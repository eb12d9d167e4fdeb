"""A whole programme through the command line: the manual session, then its reports.

The loan: 300万 under 苏科贷 (province pool 35, city pool 35, bank 30), 100万 repaid, in
default with 200万 outstanding. The claim is approved for the whole 200万: each pool bears
and pays 700,000.00, the bank bears 600,000.00. A recovery of 33.33万 is shared back pro
rata: 116,655.00 to each pool and 99,990.00 to the bank.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

POOL_CONTRIBUTED_FEN = 50_000_000_00
POOL_PAID_OUT_FEN = 700_000_00
POOL_RECOVERED_FEN = 116_655_00

EXPECTED_POOLS = [
    {
        "pool": "JS-POOL",
        "name": "江苏省池",
        "level": "province",
        "owner": "JS-CZT",
        "contributed_fen": POOL_CONTRIBUTED_FEN,
        "paid_out_fen": POOL_PAID_OUT_FEN,
        "recovered_fen": POOL_RECOVERED_FEN,
        "available_fen": 49_416_655_00,
        "queued_fen": 0,
        # The loan's claim was approved: nothing of SKD is covered any more (R3).
        "leverage_used_bps": 0,
    },
    {
        "pool": "SZ-POOL",
        "name": "苏州市池",
        "level": "city",
        "owner": "SZ-CZJ",
        "contributed_fen": POOL_CONTRIBUTED_FEN,
        "paid_out_fen": POOL_PAID_OUT_FEN,
        "recovered_fen": POOL_RECOVERED_FEN,
        "available_fen": 49_416_655_00,
        "queued_fen": 0,
        # The loan's claim was approved: nothing of SKD is covered any more (R3).
        "leverage_used_bps": 0,
    },
]

PRODUCT_CONTRACT_KEYS = {
    "product",
    "loans",
    "enterprises",
    "disbursed_fen",
    "repaid_fen",
    "outstanding_fen",
    "defaulted_loans",
    "defaulted_fen",
    "claims",
    "recovered_fen",
    "burden_fen",
}

EXPECTED_SUKEDAI = {
    "product": "SKD",
    "name": "苏科贷",
    "loans": 1,
    "enterprises": 1,
    "disbursed_fen": 3_000_000_00,
    "repaid_fen": 1_000_000_00,
    "outstanding_fen": 2_000_000_00,
    "defaulted_loans": 1,
    "defaulted_fen": 2_000_000_00,
    "claims": 1,
    "recovered_fen": 333_300_00,
    "burden_fen": {"pool.province": 700_000_00, "pool.city": 700_000_00, "bank": 600_000_00},
    "compensation_paid_fen": {"pool.province": 700_000_00, "pool.city": 700_000_00, "bank": 0},
    "recovery_share_fen": {"pool.province": 116_655_00, "pool.city": 116_655_00, "bank": 99_990_00},
}


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def test_full_lifecycle_through_the_cli_exits_zero_prints_each_step_and_records_events(
    riskledger, manual_session
):
    for command, expected_line in manual_session:
        before = riskledger.event_count() if riskledger.was_opened() else 0
        result = riskledger(command)
        assert result.exit_code == 0, f"`riskledger {command}`:\n{result.output}"
        assert result.stderr == ""
        assert expected_line in result.stdout.splitlines(), result.stdout
        assert riskledger.event_count() > before, f"`riskledger {command}` recorded nothing"


def test_claim_approval_prints_the_whole_loss_base_approved_and_each_burden(
    riskledger, manual_session
):
    approval = next(
        i for i, (command, _) in enumerate(manual_session) if "claim approve" in command
    )
    riskledger.run_all(manual_session[:approval])
    result = riskledger.ok("claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20")
    assert result.stdout.splitlines() == [
        "claim on ICBC-SZ/L001 approved: 2,000,000.00",
        "burdens: pool.province 700,000.00, pool.city 700,000.00, bank 600,000.00",
    ]


def test_pool_report_json_balances_every_pool_to_the_fen(recovered_programme):
    pools = json.loads(recovered_programme.ok("report pools --format json").stdout)
    for pool in pools:
        available = pool["contributed_fen"] - pool["paid_out_fen"] + pool["recovered_fen"]
        assert pool["available_fen"] == available >= 0, pool
    assert pools == EXPECTED_POOLS


def test_product_report_json_keeps_the_contract_keys_and_exact_burdens(recovered_programme):
    products = json.loads(recovered_programme.ok("report products --format json").stdout)
    assert [row["product"] for row in products] == ["SKD"]
    (sukedai,) = products
    assert sukedai.keys() >= PRODUCT_CONTRACT_KEYS
    assert isinstance(sukedai["burden_fen"], dict)
    assert {key: sukedai[key] for key in EXPECTED_SUKEDAI} == EXPECTED_SUKEDAI
    # The burdens are the whole approved loss, to the fen.
    assert sum(sukedai["burden_fen"].values()) == sukedai["defaulted_fen"]
    assert sum(sukedai["recovery_share_fen"].values()) == sukedai["recovered_fen"]


def test_pool_report_csv_parses_and_matches_the_json(recovered_programme):
    rows = list(
        csv.DictReader(io.StringIO(recovered_programme.ok("report pools --format csv").stdout))
    )
    as_json = [{key: str(value) for key, value in pool.items()} for pool in EXPECTED_POOLS]
    assert rows == as_json


def test_product_report_csv_parses_with_burdens_flattened_into_columns(recovered_programme):
    output = recovered_programme.ok("report products --format csv").stdout
    (row,) = list(csv.DictReader(io.StringIO(output)))
    assert row["product"] == "SKD"
    assert row["loans"] == "1"
    assert row["outstanding_fen"] == str(2_000_000_00)
    assert row["recovered_fen"] == str(333_300_00)
    assert row["burden_fen.pool.province"] == str(700_000_00)
    assert row["burden_fen.pool.city"] == str(700_000_00)
    assert row["burden_fen.bank"] == str(600_000_00)
    assert row["recovery_share_fen.bank"] == str(99_990_00)


def test_table_reports_name_every_pool_and_product_with_balances_in_yuan(recovered_programme):
    pools = recovered_programme.ok("report pools").stdout
    for expected in ("JS-POOL", "SZ-POOL", "江苏省池", "苏州市池", "49,416,655.00", "116,655.00"):
        assert expected in pools, pools
    products = recovered_programme.ok("report products").stdout
    for expected in ("SKD", "苏科贷", "pool.province", "700,000.00", "600,000.00", "99,990.00"):
        assert expected in products, products


def test_reports_write_no_events(recovered_programme):
    before = recovered_programme.event_count()
    for report in ("pools", "products"):
        for fmt in ("table", "json", "csv"):
            recovered_programme.ok(f"report {report} --format {fmt}")
    assert recovered_programme.event_count() == before


def test_a_borrowers_second_loan_registered_after_a_report_still_counts_one_enterprise(
    programme,
):
    register = (
        "loan register --bank ICBC-SZ --loan {loan} --uscc 91320505MA1ABCDE09 --product SKD "
        "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01"
    )
    programme.ok(register.format(loan="L001"))
    programme.ok("report products --format json")  # the read models fold the first loan now
    programme.ok(register.format(loan="L002"))

    (sukedai,) = json.loads(programme.ok("report products --format json").stdout)

    assert (sukedai["loans"], sukedai["enterprises"]) == (2, 1)
