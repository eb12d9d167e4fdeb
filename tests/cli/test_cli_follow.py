"""`riskledger projections follow`: catching the read models up as a process of its own.

Killing and restarting it while events arrive is tests/concurrency/test_follower_killed.py;
here, what the command prints and what it refuses.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import Riskledger

REFUSED = 2
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def _status(riskledger: Riskledger) -> dict:
    return json.loads(riskledger.ok("projections status --format json").stdout)


def test_follow_once_folds_every_event_and_says_where_it_started_and_stopped(
    recovered_programme: Riskledger,
) -> None:
    last = _status(recovered_programme)["last_event"]
    events = recovered_programme.event_count()
    lines = recovered_programme.ok("projections follow --once").stdout.splitlines()
    assert re.fullmatch(
        rf"{STAMP} read_models: following from position 0, {last} behind; catching up once",
        lines[0],
    )
    assert re.fullmatch(rf"{STAMP} read_models: stopped at position {last}, 0 behind", lines[-1])
    status = _status(recovered_programme)
    assert (status["position"], status["lag"]) == (last, 0)
    assert status["tables"]["rl_claim"] == 1
    assert recovered_programme.event_count() == events  # it folds; it never writes events


def test_follow_once_again_has_nothing_to_fold(recovered_programme: Riskledger) -> None:
    recovered_programme.ok("projections follow --once")
    last = _status(recovered_programme)["last_event"]
    lines = recovered_programme.ok("projections follow --once").stdout.splitlines()
    assert lines[0].endswith(f"following from position {last}, 0 behind; catching up once")
    assert lines[-1].endswith(f"stopped at position {last}, 0 behind")


def test_follow_refuses_a_wait_that_is_not_positive(programme: Riskledger) -> None:
    events = programme.event_count()
    for options, line in (
        ("--interval 0", "error: --interval: 0 is not a positive number of seconds"),
        ("--interval -1.5", "error: --interval: -1.5 is not a positive number of seconds"),
        ("--report-every 0", "error: --report-every: 0 is not a positive number of seconds"),
    ):
        result = programme(f"projections follow {options}")
        assert result.exit_code == REFUSED
        assert result.stderr == line + "\n"
        assert result.stdout == ""
    assert _status(programme)["position"] == 0
    assert programme.event_count() == events
