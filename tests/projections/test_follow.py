"""The follower reports where it stands while it folds, and stops between batches when asked.

Batches are made small (10 events) so that a modest ledger takes the follower many of them,
and its clock moves one second each time it is read, so every batch is due a report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest

import projections.runner
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.follow import Follower
from projections.runner import ReadModels, open_engine

BATCH = 10
PROGRESS = re.compile(
    r"position (\d+), last event (\d+), lag (\d+); "
    r"folded (\d+) in (\d+\.\d) s \(([\d,]+) events/s\)"
)


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReadModels]:
    monkeypatch.setattr(projections.runner, "BATCH", BATCH)
    settings = Settings(db=str(tmp_path / "ledger.db"))
    ledger = RiskLedger(settings)
    build_demo(ledger, seed=3, loans=5)
    engine = open_engine(settings.read_model_url())
    yield ReadModels(ledger, engine)
    engine.dispose()
    ledger.close()


def _follower(
    models: ReadModels, report: Callable[[str], None], report_every: float = 1.0
) -> Follower:
    ticks = count()
    return Follower(
        models,
        interval=0.01,
        report_every=report_every,
        report=report,
        clock=lambda: float(next(ticks)),
    )


def test_catching_up_it_reports_its_position_the_lag_and_the_rate(models: ReadModels) -> None:
    last = models.app.recorder.max_notification_id()
    lines: list[str] = []
    assert _follower(models, lines.append).run(once=True) == last
    assert lines[0] == f"following from position 0, {last} behind; catching up once"
    assert lines[-1] == f"stopped at position {last}, 0 behind"
    progress = [PROGRESS.fullmatch(line) for line in lines[1:-1]]
    assert progress and all(progress), lines
    positions = [int(found[1]) for found in progress if found]
    assert positions == sorted(positions) and positions[0] == BATCH
    for found in progress:
        assert found is not None
        position, last_event, lag, folded = (int(found[n]) for n in range(1, 5))
        assert (last_event, lag) == (last, last - position)
        assert folded > 0 and float(found[5]) > 0
    assert sum(int(found[4]) for found in progress if found) <= last


def test_asked_to_stop_it_stops_after_the_batch_it_is_folding(models: ReadModels) -> None:
    last = models.app.recorder.max_notification_id()
    lines: list[str] = []

    def stop_at_the_first_report(line: str) -> None:
        lines.append(line)
        if PROGRESS.fullmatch(line):
            follower.stop()  # as the SIGTERM handler does

    follower = _follower(models, stop_at_the_first_report)
    follower.run()
    # Asked right after its first batch was committed, it folds no further.
    assert models.position() == BATCH
    assert lines[-1] == f"stopped at position {BATCH}, {last - BATCH} behind"
    # Started again, it goes on from there.
    again: list[str] = []
    assert _follower(models, again.append, report_every=3600).run(once=True) == last - BATCH
    assert again[0] == f"following from position {BATCH}, {last - BATCH} behind; catching up once"
