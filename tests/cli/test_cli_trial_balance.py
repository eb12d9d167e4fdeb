"""`riskledger audit trial-balance`: every journal account and a zero total."""

from __future__ import annotations

import json

import pytest
from backends import run_sql
from conftest import Riskledger

UNBALANCED = 1


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def _trial_balance(riskledger: Riskledger) -> dict:
    return json.loads(riskledger.ok("audit trial-balance --format json").stdout)


def test_an_empty_ledger_has_no_accounts_and_balances(riskledger: Riskledger) -> None:
    assert _trial_balance(riskledger) == {"accounts": [], "total_fen": 0, "balanced": True}


def test_the_whole_lifecycle_balances_and_pool_cash_is_the_pool_balance(
    recovered_programme: Riskledger,
) -> None:
    before = recovered_programme.event_count()
    found = _trial_balance(recovered_programme)
    assert found["total_fen"] == 0 and found["balanced"]
    balances = {row["account"]: row["balance_fen"] for row in found["accounts"]}
    pools = json.loads(recovered_programme.ok("report pools --format json").stdout)
    for pool in pools:
        assert balances[f"pool:{pool['pool']}:cash"] == pool["available_fen"]
    assert balances["funder:JS-CZT:contributed"] == -5_000_000_000
    # The two pools' legs (70万 each) and the bank's share of the recovery (99,990.00).
    assert balances["bank:ICBC-SZ:compensation"] == 149_999_000
    assert balances["bank:ICBC-SZ:loans"] == -balances["borrower:91320505MA1ABCDE09:principal"]
    assert recovered_programme.event_count() == before  # an audit writes nothing


def test_the_table_lists_every_account_and_a_zero_total(recovered_programme: Riskledger) -> None:
    shown = recovered_programme.ok("audit trial-balance").stdout
    assert "pool:SZ-POOL:cash" in shown
    assert "funder:SZ-CZJ:contributed" in shown
    total = next(line for line in shown.splitlines() if "total" in line)
    assert total.split() == ["│", "total", "│", "0.00", "│"]


def test_an_unbalanced_journal_exits_1_naming_the_total(recovered_programme: Riskledger) -> None:
    recovered_programme.ok("report pools --format json")  # fold everything first
    run_sql(
        str(recovered_programme.db_path),
        "UPDATE rl_journal_balance SET balance_fen = balance_fen + 1 "
        "WHERE account = 'pool:SZ-POOL:cash'",
    )
    result = recovered_programme("audit trial-balance")
    assert result.exit_code == UNBALANCED
    assert "error: journal: the accounts total 0.01, not 0.00" in result.stderr
