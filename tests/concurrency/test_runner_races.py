"""Two runners folding the same batch: the one overtaken rolls its batch back and says so
(ProjectionRaceError), whether the rows it wrote clash with the other's or only the position
does; a follower overtaken that way carries on from where the other runner stopped.

The overtaking is staged: runner B reads its batch, then runner A (a report, say) folds that
same batch and commits, then B folds and tries to commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from following import differences, read_model_tables, read_models_of
from workload import DOOMED, ENTERPRISES, REPAID, set_up, shared_loan

from ledger.app import RiskLedger
from ledger.settings import Settings
from projections.follow import Follower
from projections.runner import ProjectionRaceError, ReadModels


@pytest.fixture
def ledger(db_url: str) -> Iterator[RiskLedger]:
    found = RiskLedger(Settings(db=db_url))
    set_up(found, loans=REPAID[:2])
    yield found
    found.close()


def _overtaken_by(runner: ReadModels, other: ReadModels) -> ReadModels:
    """`runner`, but `other` folds each batch between `runner` reading and folding it."""
    app = RiskLedger(runner.app.settings)
    read = app.recorder.select_notifications

    def read_then_be_overtaken(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        other.catch_up()
        return found

    app.recorder.select_notifications = read_then_be_overtaken  # type: ignore[method-assign]
    return ReadModels(app, runner.engine)


def _same_as_a_rebuild(models: ReadModels) -> None:
    folded = read_model_tables(models.engine)
    models.rebuild()
    assert differences(folded, read_model_tables(models.engine)) == []


@pytest.mark.parametrize("caught_up_first", [False, True], ids=["from-empty", "mid-log"])
def test_a_runner_overtaken_mid_batch_rolls_it_back(
    ledger: RiskLedger, caught_up_first: bool
) -> None:
    a = read_models_of(ledger)
    if caught_up_first:
        a.catch_up()
        # New rows to insert (loans), and rows to update (the pool, the exposure).
        for number, reference in enumerate(DOOMED[:2]):
            ledger.transact(shared_loan(reference, ENTERPRISES[number]))
    b = _overtaken_by(read_models_of(ledger), a)
    with pytest.raises(ProjectionRaceError, match="moved past"):
        b.catch_up()
    last = ledger.recorder.max_notification_id()
    assert a.position() == last
    assert b.catch_up() == 0  # nothing left: A folded it all, once
    _same_as_a_rebuild(a)


def test_an_overtaken_follower_carries_on_from_the_other_runners_position(
    ledger: RiskLedger,
) -> None:
    a = read_models_of(ledger)
    b = _overtaken_by(read_models_of(ledger), a)
    lines: list[str] = []
    follower = Follower(b, interval=0.01, report_every=3600, report=lines.append)
    assert follower.run(once=True) == 0  # A folded every event; B none
    last = ledger.recorder.max_notification_id()
    assert lines[-1] == f"stopped at position {last}, 0 behind"
    _same_as_a_rebuild(a)
