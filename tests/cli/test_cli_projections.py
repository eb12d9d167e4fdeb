"""`riskledger projections`: where the read models stand, and refolding them from the events."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Riskledger

REFUSED = 2
READ_MODEL_TABLES = {
    "rl_claim",
    "rl_cover",
    "rl_daily",
    "rl_exposure",
    "rl_journal_balance",
    "rl_journal_party",
    "rl_loan",
    "rl_loan_change",
    "rl_monthly",
    "rl_movement",
    "rl_pool",
    "rl_pool_queue",
    "rl_product",
    "rl_product_bank",
    "rl_product_enterprise",
    "rl_product_party",
    "rl_product_pool",
}


def _status(riskledger: Riskledger) -> dict:
    return json.loads(riskledger.ok("projections status --format json").stdout)


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def test_an_empty_ledger_has_nothing_to_fold(riskledger: Riskledger) -> None:
    status = _status(riskledger)
    assert status["projection"] == "read_models"
    assert (status["position"], status["last_event"], status["lag"]) == (0, 0, 0)
    assert re.fullmatch(r"[0-9a-f]{16}", status["schema"])
    assert status["tables"] == dict.fromkeys(sorted(READ_MODEL_TABLES), 0)


def test_commands_leave_a_lag_that_a_report_folds_first(recovered_programme: Riskledger) -> None:
    before = _status(recovered_programme)
    assert before["position"] == 0
    assert before["lag"] == before["last_event"] == recovered_programme.event_count() > 0

    recovered_programme.ok("report pools --format json")

    after = _status(recovered_programme)
    assert after["position"] == after["last_event"] == recovered_programme.event_count()
    assert after["lag"] == 0
    assert after["tables"]["rl_pool"] == 2
    assert after["tables"]["rl_loan"] == 1
    assert after["tables"]["rl_claim"] == 1


def test_status_as_a_table_shows_position_lag_and_rows(recovered_programme: Riskledger) -> None:
    recovered_programme.ok("report pools")
    events = recovered_programme.event_count()
    shown = recovered_programme.ok("projections status").stdout
    assert "Projection read_models" in shown
    assert re.search(rf"│\s+{events} │\s+{events} │\s+0 │ [0-9a-f]{{16}} │", shown)
    assert re.search(r"│ rl_pool\s+│\s+2 │", shown)


def test_status_reads_without_folding(recovered_programme: Riskledger) -> None:
    _status(recovered_programme)
    assert _status(recovered_programme)["position"] == 0


def test_a_rebuild_refolds_every_event_into_the_same_reports(
    recovered_programme: Riskledger,
) -> None:
    pools = recovered_programme.ok("report pools --format json").stdout
    products = recovered_programme.ok("report products --format json").stdout
    events = recovered_programme.event_count()

    rebuilt = recovered_programme.ok("projections rebuild").stdout
    assert re.fullmatch(rf"rebuilt read_models: {events} events folded in \d+\.\d\d s\n", rebuilt)
    assert _status(recovered_programme)["lag"] == 0

    assert recovered_programme.ok("report pools --format json").stdout == pools
    assert recovered_programme.ok("report products --format json").stdout == products
    assert recovered_programme.event_count() == events


def test_a_rebuild_by_name_accepts_read_models(recovered_programme: Riskledger) -> None:
    rebuilt = recovered_programme.ok("projections rebuild read_models").stdout
    assert rebuilt.startswith("rebuilt read_models: ")


def test_a_rebuild_of_an_unknown_projection_is_refused(recovered_programme: Riskledger) -> None:
    events = recovered_programme.event_count()
    result = recovered_programme("projections rebuild balances")
    assert result.exit_code == REFUSED
    assert result.stderr == (
        "error: NAME: no projection 'balances'; the one projection is 'read_models'\n"
    )
    assert result.stdout == ""
    assert _status(recovered_programme)["position"] == 0
    assert recovered_programme.event_count() == events
