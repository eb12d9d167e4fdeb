"""`riskledger audit seal` and `audit verify`: the stored history is the one that was sealed."""

from __future__ import annotations

import re

import pytest
from backends import RawEvents, run_sql
from conftest import Riskledger, built_once

FAILED = 1
REFUSED = 2
CONTRIBUTION = "domain.pool:RiskPool.ContributionReceived"


@pytest.fixture
def sealed_demo(riskledger: Riskledger) -> Riskledger:
    """A fresh small demo ledger: the demo seals its whole history as it is built."""

    def build(ledger: Riskledger) -> None:
        built = ledger.ok("demo --seed 5 --loans 30")
        events = ledger.event_count()
        assert re.search(
            rf"^history sealed at position {events}: [0-9a-f]{{64}}$", built.stdout, re.M
        )
        again = ledger.ok("audit seal")
        assert again.stdout.startswith(f"sealed position {events}: ")
        assert again.stdout.endswith("(0 events added to the chain)\n")

    return built_once(riskledger, "sealed demo", build)


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def _change_an_amount(riskledger: Riskledger) -> int:
    """Changes the amount of the first pool contribution, as a database shell would."""
    with RawEvents(str(riskledger.db_path)) as events:
        position, _, _, _, state = events.rows(CONTRIBUTION)[0]
        changed = re.sub(rb'"amount_fen":(\d+)', rb'"amount_fen":9\1', state, count=1)
        assert changed != state
        events.set_state(position, changed)
    return position


def test_verify_passes_on_a_fresh_sealed_demo(sealed_demo: Riskledger) -> None:
    result = sealed_demo.ok("audit verify")
    events = sealed_demo.event_count()
    assert result.stdout.splitlines() == [
        f"chain: ok: positions 1–{events} match 1 seal(s)",
        "invariants: ok: every invariant holds",
        f"read models: ok: equal to a fresh replay of {events} events",
    ]


def test_verify_passes_on_an_unsealed_ledger_and_says_nothing_is_sealed(
    recovered_programme: Riskledger,
) -> None:
    result = recovered_programme.ok("audit verify")
    events = recovered_programme.event_count()
    assert (
        f"chain: ok: nothing sealed yet; {events} events not covered (run `audit seal`)"
        in result.stdout.splitlines()
    )


def test_verify_fails_naming_the_position_of_a_changed_amount(sealed_demo: Riskledger) -> None:
    position = _change_an_amount(sealed_demo)
    result = sealed_demo("audit verify")
    assert result.exit_code == FAILED, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"chain: FAILED: position {position}: modified: "
        "the stored event differs from the one sealed"
    )
    assert lines[1] == "invariants: ok: every invariant holds"
    # The read models folded the sealed amount; a fresh replay folds the changed one.
    assert lines[2].startswith("read models: FAILED: differ from a fresh replay in ")
    assert "rl_pool" in lines[2].split(";")[0]


def test_sealing_over_a_changed_history_is_refused_and_writes_nothing(
    sealed_demo: Riskledger,
) -> None:
    position = _change_an_amount(sealed_demo)
    events = sealed_demo.event_count()
    result = sealed_demo("audit seal")
    assert result.exit_code == REFUSED
    assert result.stderr.startswith(f"error: chain: position {position}: ")
    assert sealed_demo.event_count() == events
    assert run_sql(str(sealed_demo.db_path), "SELECT COUNT(*) FROM rl_seal") == [(1,)]


def test_verify_fails_naming_a_deleted_event(sealed_demo: Riskledger) -> None:
    with RawEvents(str(sealed_demo.db_path)) as events:
        events.delete(42)
    result = sealed_demo("audit verify")
    assert result.exit_code == FAILED
    assert "chain: FAILED: position 42: deleted: a sealed event is missing" in result.stdout
