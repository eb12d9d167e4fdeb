"""The read models count every event exactly once, however often or in what steps they catch up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import copy_of_store, fresh_database_url, only_on

from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.reports import pool_balances, product_statistics
from projections.runner import ProjectionRaceError, ReadModels, open_engine


@pytest.fixture(scope="module")
def built_demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store holding a demo programme and no read models, closed: each test folds a copy."""
    with fresh_database_url(backend, tmp_path_factory.mktemp("runner"), "demo") as db:
        built = RiskLedger(Settings(db=db))
        build_demo(built, seed=11, loans=120)
        built.close()
        yield db


@pytest.fixture
def ledger(built_demo: str, tmp_path: Path) -> Iterator[RiskLedger]:
    with copy_of_store(built_demo, tmp_path) as db:
        opened = RiskLedger(Settings(db=db))
        yield opened
        opened.close()


def _reports(models: ReadModels) -> tuple[list, list]:
    return pool_balances(models.engine), product_statistics(models.engine)


def test_catching_up_twice_counts_nothing_twice(ledger: RiskLedger) -> None:
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    assert models.catch_up() == ledger.event_count()
    first = _reports(models)
    assert models.catch_up() == 0
    assert _reports(models) == first
    assert models.lag() == 0


def test_a_rebuild_gives_the_same_figures_as_the_incremental_fold(ledger: RiskLedger) -> None:
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()
    incremental = _reports(models)
    assert models.rebuild() == ledger.event_count()
    assert _reports(models) == incremental


# Batching is the runner's own logic; the tracking update each batch ends with is checked on
# both stores by the other tests here. SQLite alone refolds in 400 batches.
@only_on("sqlite")
def test_folding_in_small_batches_gives_the_same_figures(
    ledger: RiskLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()
    whole = _reports(models)
    monkeypatch.setattr("projections.runner.BATCH", 7)
    models.rebuild()
    assert _reports(models) == whole


def test_a_runner_folding_from_a_stale_position_cannot_move_the_tracking(
    ledger: RiskLedger,
) -> None:
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()
    position = models.position()
    # Another runner already folded up to `position`: this one read from an older start.
    with pytest.raises(ProjectionRaceError), models.engine.begin() as connection:
        ReadModels._advance(connection, position - 10, position + 5)
    assert models.position() == position
