"""`reverse`: a clerk or fund manager undoes a mistaken money event, with a reason (R13).

Each reversal prints what it undid; the same reversal again prints `already reversed` and
stores nothing; a refused one prints one line `error: FIELD: REASON`, exits 2 and stores
nothing. The reports follow every reversal.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

REFUSED = 2
REVERSE_REC_1 = (
    "reverse recovery --bank ICBC-SZ --loan L001 --ref REC-1 --reason 退票 --date 2025-03-05"
)
REVERSE_CITY_LEG = (
    "reverse leg --bank ICBC-SZ --loan L001 --party pool.city --ref RV-1 --reason 重复支付 "
    "--date 2025-03-05"
)
L002 = (
    "loan register --bank ICBC-SZ --loan L002 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01",
    "loan disburse --bank ICBC-SZ --loan L002 --amount 100万 --ref D2 --date 2024-02-01",
    "loan repay --bank ICBC-SZ --loan L002 --principal 100万 --interest 9,625.00 --ref P2 "
    "--date 2024-05-01",
)


# The manual session's ledger down to the recovery shared back, typed once for the module.
_RECOVERED: list[Path] = []


@pytest.fixture
def recovered_programme(riskledger, manual_session, tmp_path_factory):
    """A copy of that ledger for one test, driven through the command line like any other."""
    if not _RECOVERED:
        clerk = replace(riskledger, db_path=tmp_path_factory.mktemp("recovered") / "ledger.db")
        clerk.run_all(manual_session)
        with closing(sqlite3.connect(clerk.db_path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _RECOVERED.append(clerk.db_path)
    shutil.copyfile(_RECOVERED[0], riskledger.db_path)
    return riskledger


def _pools(riskledger) -> dict[str, dict]:
    rows = json.loads(riskledger.ok("report pools --format json").stdout)
    return {row["pool"]: row for row in rows}


def _skd(riskledger) -> dict:
    (row,) = json.loads(riskledger.ok("report products --format json").stdout)
    return row


def _refused(riskledger, command: str, field: str) -> str:
    """Runs a command that must be refused on `field`, storing nothing; returns its line."""
    count = riskledger.event_count()
    result = riskledger(command)
    assert result.exit_code == REFUSED, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    assert riskledger.event_count() == count
    return line


def test_the_reverse_commands_are_listed(riskledger):
    shown = riskledger.ok("reverse --help").stdout
    for command in ("repayment", "contribution", "recovery", "leg"):
        assert command in shown


def test_a_reversed_recovery_is_given_back_by_every_party_as_it_was_shared(recovered_programme):
    before = _pools(recovered_programme)
    done = recovered_programme.ok(REVERSE_REC_1)
    assert done.stdout == (
        "recovery REC-1 of 333,300.00 on ICBC-SZ/L001 reversed (退票): pool.province "
        "116,655.00, pool.city 116,655.00, bank 99,990.00\n"
    )
    after = _pools(recovered_programme)
    for code in ("JS-POOL", "SZ-POOL"):
        assert after[code]["recovered_fen"] == before[code]["recovered_fen"] - 11_665_500
        assert after[code]["available_fen"] == before[code]["available_fen"] - 11_665_500
    statistics = _skd(recovered_programme)
    assert statistics["recovered_fen"] == 0
    assert set(statistics["recovery_share_fen"].values()) == {0}
    count = recovered_programme.event_count()
    again = recovered_programme.ok(REVERSE_REC_1)
    assert "already reversed" in again.stdout
    assert recovered_programme.event_count() == count


def test_a_reversed_leg_is_unpaid_again_and_can_be_paid_again(recovered_programme):
    done = recovered_programme.ok(REVERSE_CITY_LEG)
    assert done.stdout == (
        "leg of pool.city on ICBC-SZ/L001 reversed under RV-1 (重复支付): 700,000.00 unpaid "
        "again; the claim is approved\n"
    )
    assert _pools(recovered_programme)["SZ-POOL"]["paid_out_fen"] == 0
    assert _skd(recovered_programme)["compensation_paid_fen"]["pool.city"] == 0
    paid = recovered_programme.ok("claim pay --bank ICBC-SZ --loan L001 --date 2025-03-06")
    assert "legs paid on ICBC-SZ/L001: pool.city 700,000.00" in paid.stdout
    assert _pools(recovered_programme)["SZ-POOL"]["paid_out_fen"] == 70_000_000


def test_retrying_a_leg_reversal_after_the_leg_was_paid_again_reverses_nothing_new(
    recovered_programme,
):
    recovered_programme.ok(REVERSE_CITY_LEG)
    recovered_programme.ok("claim pay --bank ICBC-SZ --loan L001 --date 2025-03-06")
    count = recovered_programme.event_count()
    again = recovered_programme.ok(REVERSE_CITY_LEG)
    assert again.stdout == (
        "leg of pool.city on ICBC-SZ/L001 already reversed under RV-1 (重复支付): 700,000.00; "
        "the claim is settled\n"
    )
    assert recovered_programme.event_count() == count
    assert _pools(recovered_programme)["SZ-POOL"]["paid_out_fen"] == 70_000_000


def test_a_leg_reversal_reference_used_again_for_another_reason_is_a_conflict(
    recovered_programme,
):
    recovered_programme.ok(REVERSE_CITY_LEG)
    line = _refused(recovered_programme, REVERSE_CITY_LEG.replace("重复支付", "金额有误"), "reason")
    assert "'RV-1' already reversed pool.city's leg on 2025-03-05" in line


def test_a_leg_reversal_without_a_reference_is_a_usage_error(recovered_programme):
    count = recovered_programme.event_count()
    result = recovered_programme(REVERSE_CITY_LEG.replace("--ref RV-1 ", ""))
    assert result.exit_code == REFUSED
    assert "--ref" in result.output
    assert recovered_programme.event_count() == count


def test_a_reversed_contribution_leaves_the_pool(programme):
    programme.ok("pool fund SZ-POOL 100万 --funder SZ-CZJ --ref SZ-2024-02 --date 2024-02-01")
    done = programme.ok(
        "reverse contribution SZ-POOL --ref SZ-2024-02 --reason 应注入省级资金池 --date 2024-02-02"
    )
    assert done.stdout == (
        "pool SZ-POOL: contribution SZ-2024-02 of 1,000,000.00 reversed (应注入省级资金池); "
        "available 50,000,000.00\n"
    )
    assert _pools(programme)["SZ-POOL"]["contributed_fen"] == 5_000_000_000


def test_reversing_the_repayment_that_paid_a_loan_off_makes_it_active_again(programme):
    programme.run_all(list(L002))
    done = programme.ok(
        "reverse repayment --bank ICBC-SZ --loan L002 --ref P2 --reason 还款退回 --date 2024-05-02"
    )
    assert done.stdout.splitlines() == [
        "loan ICBC-SZ/L002: repayment P2 reversed (还款退回): principal 1,000,000.00, "
        "interest 9,625.00; outstanding 1,000,000.00",
        "loan ICBC-SZ/L002 is active again",
    ]
    statistics = _skd(programme)
    assert (statistics["repaid_fen"], statistics["outstanding_fen"]) == (0, 100_000_000)
    assert statistics["paid_off_loans"] == 0


@pytest.mark.parametrize(
    ("command", "field", "words"),
    [
        pytest.param(
            "reverse repayment --bank ICBC-SZ --loan L001 --ref R1 --reason '' --date 2025-03-05",
            "reason",
            "a reversal needs a reason",
            id="no-reason",
        ),
        pytest.param(
            "reverse repayment --bank ICBC-SZ --loan L001 --ref R9 --reason 重复 --date 2025-03-05",
            "ref",
            "L001 has no repayment 'R9'",
            id="unknown-repayment",
        ),
        pytest.param(
            "reverse repayment --bank ICBC-SZ --loan L001 --ref R1 --reason 重复 --date 2025-03-05",
            "loan",
            "(R13)",
            id="repayment-of-a-defaulted-loan",
        ),
        pytest.param(
            "reverse recovery --bank ICBC-SZ --loan L001 --ref REC-9 --reason 退票",
            "ref",
            "no recovery 'REC-9'",
            id="unknown-recovery",
        ),
        pytest.param(
            "reverse contribution SZ-POOL --ref SZ-2024-01 --reason 预算未到位",
            "ref",
            "SZ-POOL holds 49,416,655.00; taking back 50,000,000.00 of contribution SZ-2024-01 "
            "would leave it below zero (R10)",
            id="contribution-already-spent",
        ),
        pytest.param(
            "reverse contribution SZ-POOL --ref SZ-2099 --reason 预算未到位",
            "ref",
            "SZ-POOL has no contribution 'SZ-2099'",
            id="unknown-contribution",
        ),
        pytest.param(
            "reverse leg --bank ICBC-SZ --loan L001 --party bank --ref RV-2 --reason 重复支付",
            "party",
            "'bank' has no leg",
            id="party-without-a-leg",
        ),
    ],
)
def test_a_refused_reversal_prints_one_line_and_stores_nothing(
    recovered_programme, command, field, words
):
    assert words in _refused(recovered_programme, command, field)


def test_a_reversal_repeated_with_another_reason_is_a_conflict(recovered_programme):
    recovered_programme.ok(REVERSE_REC_1)
    line = _refused(recovered_programme, REVERSE_REC_1.replace("退票", "录错金额"), "reason")
    assert "was already reversed on 2025-03-05" in line


def test_a_reversal_without_the_reason_option_is_a_usage_error(recovered_programme):
    count = recovered_programme.event_count()
    result = recovered_programme(
        "reverse leg --bank ICBC-SZ --loan L001 --party pool.city --ref RV-3"
    )
    assert result.exit_code == REFUSED
    assert "--reason" in result.output
    assert recovered_programme.event_count() == count
