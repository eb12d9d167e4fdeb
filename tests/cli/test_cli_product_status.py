"""`product status` and the refusals of leverage (R3) and suspension (R4) on the command line."""

from __future__ import annotations

import json

import pytest

REGISTER_L001 = (
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01 --first-loan"
)
DISBURSE_L001 = "loan disburse --bank ICBC-SZ --loan L001 --amount 300万 --ref D1 --date 2024-02-01"
LENDING = ("loan", "claim")
REGISTER_L002 = (
    "loan register --bank ICBC-SZ --loan L002 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 200万 --rate 3.85% --term 12 --start 2024-06-02"
)


@pytest.fixture
def suspended(programme):
    """L001's interest unpaid since 2024-03-01; closing 2024-06-01 finds it 次级 (92 days)."""
    programme.run_all([REGISTER_L001, DISBURSE_L001])
    closed = programme.ok("close-day 2024-06-01")
    assert closed.stdout.splitlines()[1:] == ["SKD: ICBC-SZ suspended (NPL ratio 100.00% ≥ 5.00%)"]
    return programme


def test_the_status_shows_each_banks_npl_ratio_and_state_and_the_products_ratios(suspended):
    result = suspended.ok("product status SKD --as-of 2024-06-01")

    lines = result.stdout.splitlines()
    assert lines[0] == "product SKD (苏科贷) on 2024-06-01: open"
    assert any(
        "ICBC-SZ" in line
        and "3,000,000.00" in line
        and "100.00%" in line
        and "suspended since 2024-06-01 (NPL ratio 100.00% ≥ 5.00%)" in line
        for line in lines
    ), result.stdout
    assert "compensation rate 0.00% (no cap): 0.00 compensated of 3,000,000.00 covered" in lines
    assert (
        "overdue ratio 100.00% (no cap): 3,000,000.00 past due of 3,000,000.00 outstanding" in lines
    )
    assert lines[-1] == (
        "leverage now: 3,000,000.00 covered of 1,000,000,000.00 (10× pool funds of "
        "100,000,000.00); headroom 997,000,000.00"
    )


def test_the_status_as_json_on_a_day_before_the_suspension(suspended):
    before = suspended.event_count()
    found = json.loads(suspended.ok("product status SKD --as-of 2024-05-31 --format json").stdout)

    assert found["as_of"] == "2024-05-31"
    assert found["banks"] == [
        {
            "bank": "ICBC-SZ",
            "outstanding_fen": 3_000_000_00,
            # 91 days past due on 2024-05-31, so 次级; but the state is what a close of
            # business decided, and none closed that day.
            "npl_fen": 3_000_000_00,
            "npl_ratio_bps": 10_000,
            "state": "active",
            "suspended": None,
        }
    ]
    assert (found["state"], found["overdue_ratio_bps"], found["npl_suspend_bps"]) == (
        "open",
        10_000,
        500,
    )
    assert suspended.event_count() == before  # a status writes nothing


def test_a_suspended_banks_registration_is_refused_naming_r4_and_nothing_is_written(suspended):
    before = suspended.event_count()

    result = suspended(REGISTER_L002)

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: bank: ICBC-SZ's new loans under SKD are suspended since 2024-06-01: its NPL "
        "ratio was 100.00%, at or above the 5.00% suspend threshold; they resume when it "
        "falls below 3.00% (R4)"
    )
    assert suspended.event_count() == before


def test_a_loan_past_the_leverage_is_refused_with_the_amounts_and_nothing_is_written(
    riskledger, manual_session
):
    # The manual session's programme, but each pool funded with 20万: 10× covers 400万.
    setting_up = [command for command, _ in manual_session if command.split()[0] not in LENDING]
    riskledger.run_all(
        [command.replace(" 5000万 ", " 20万 ") for command in setting_up] + [REGISTER_L001]
    )
    before = riskledger.event_count()

    result = riskledger(REGISTER_L002)

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: principal: SKD covers 3,000,000.00 already; with 2,000,000.00 more it would "
        "cover 5,000,000.00, above 10× its pools' funds of 400,000.00 (4,000,000.00); "
        "1,000,000.00 of headroom is left (R3)"
    )
    assert riskledger.event_count() == before


def test_the_status_of_an_unknown_product_or_a_bad_date_is_one_line(programme):
    unknown = programme("product status XYZ")
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, "error: product: no product 'XYZ'")
    bad_date = programme("product status SKD --as-of 2024-13-01")
    assert bad_date.exit_code == 2
    assert bad_date.stderr.strip() == "error: as-of: '2024-13-01' is not a date (write YYYY-MM-DD)"
