"""A conflict reruns the command after a random pause, a bounded number of times: the caller
sees its result as if there had been no rival, or, after MAX_ATTEMPTS, one clear refusal
with nothing of the command written.

A rival `RiskLedger` on the same store contributes to the pool from inside the command,
after the command has read the pool, so saving the command's own contribution conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from workload import FUNDER, MANAGER, POOL, SETUP_DAY, contribution, programme

import ledger.app
from ledger.app import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    ConcurrencyError,
    RiskLedger,
    Session,
)
from ledger.settings import Settings

WAN = 10_000_00


class RecordingJitter:
    """Stands in for the random pause: records the bound asked for, waits no time."""

    def __init__(self) -> None:
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, low: float, high: float) -> float:
        self.bounds.append((low, high))
        return 0.0


@pytest.fixture
def jitter(monkeypatch: pytest.MonkeyPatch) -> RecordingJitter:
    recording = RecordingJitter()
    monkeypatch.setattr(ledger.app, "_jitter", recording)
    return recording


@pytest.fixture
def ledgers(db_url: str) -> Iterator[tuple[RiskLedger, RiskLedger]]:
    mine = RiskLedger(Settings(db=db_url))
    mine.transact(programme)
    rival = RiskLedger(Settings(db=db_url))
    yield mine, rival
    rival.close()
    mine.close()


def _losing(rival: RiskLedger, rounds: int) -> tuple[Callable[[Session], Any], list[int]]:
    """A contribution of 1万 whose first `rounds` attempts a rival's contribution overtakes."""
    attempts: list[int] = []

    def command(session: Session) -> bool:
        attempts.append(len(attempts) + 1)
        session.pool(POOL)
        if len(attempts) <= rounds:
            rival.transact(contribution(f"RIVAL-{len(attempts)}", 1 * WAN))
        return session.fund_pool(
            pool=POOL,
            amount_fen=WAN,
            funder=FUNDER,
            ref="MINE",
            effective_date=SETUP_DAY,
            actor=MANAGER,
        )

    return command, attempts


def test_a_command_that_conflicts_a_few_times_is_applied_once_as_if_alone(
    ledgers: tuple[RiskLedger, RiskLedger], jitter: RecordingJitter
) -> None:
    mine, rival = ledgers
    command, attempts = _losing(rival, rounds=3)
    assert mine.transact(command) is True  # the caller sees only the command's own answer
    assert attempts == [1, 2, 3, 4]
    assert mine.conflicts == 3
    pool = mine.get_pool(POOL)
    assert sorted(pool.contributions) == ["C0", "MINE", "RIVAL-1", "RIVAL-2", "RIVAL-3"]
    # Each pause may be longer than the one before.
    assert jitter.bounds == [(0, BACKOFF_BASE), (0, 2 * BACKOFF_BASE), (0, 4 * BACKOFF_BASE)]


def test_a_command_that_always_conflicts_is_refused_clearly_and_writes_nothing(
    ledgers: tuple[RiskLedger, RiskLedger], jitter: RecordingJitter
) -> None:
    mine, rival = ledgers
    command, attempts = _losing(rival, rounds=MAX_ATTEMPTS)
    with pytest.raises(ConcurrencyError) as refused:
        mine.transact(command)
    assert str(refused.value) == (
        f"ledger: the command conflicted with other writers {MAX_ATTEMPTS} times; try again"
    )
    assert len(attempts) == MAX_ATTEMPTS
    assert "MINE" not in mine.get_pool(POOL).contributions
    # A pause between attempts, none after the last: each bounded, growing up to the cap.
    assert jitter.bounds == [
        (0, min(BACKOFF_CAP, BACKOFF_BASE * 2**n)) for n in range(MAX_ATTEMPTS - 1)
    ]
    assert sum(high for _, high in jitter.bounds) < 10  # seconds, at the very worst
    # Given again once the rival has gone quiet, it is applied.
    assert mine.transact(command) is True
    assert "MINE" in mine.get_pool(POOL).contributions
