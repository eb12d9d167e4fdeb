"""The hash chain: every modified, deleted or inserted stored event is found, at its position."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from backends import PostgresServer, RawEvents, copy_of_store, fresh_database_url
from sqlalchemy import select, update

from domain.actor import Actor
from domain.errors import Conflict
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.chain import GENESIS, chain, check_chain, event_digest, link, seal, verify_ledger
from projections.runner import ReadModels, open_engine

SEALED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
TAMPER_CASES = 120


@pytest.fixture(scope="module")
def sealed_ledger(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small demo ledger, its read models caught up and its whole history sealed; closed."""
    with fresh_database_url(backend, tmp_path_factory.mktemp("chain"), "sealed") as db:
        ledger = RiskLedger(Settings(db=db))
        engine = open_engine(ledger.settings.read_model_url())
        build_demo(ledger, seed=7, loans=40)
        ReadModels(ledger, engine).catch_up()
        seal(ledger, engine, SEALED_AT)
        ledger.close()
        engine.dispose()
        yield db


class Opened:
    """A ledger opened as the application and its read-model engine."""

    def __init__(self, db: str) -> None:
        self.ledger = RiskLedger(Settings(db=db))
        self.engine = open_engine(self.ledger.settings.read_model_url())
        self.models = ReadModels(self.ledger, self.engine)

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


@pytest.fixture
def copy_of(sealed_ledger: str, tmp_path: Path) -> Iterator[Opened]:
    with copy_of_store(sealed_ledger, tmp_path) as db:
        opened = Opened(db)
        yield opened
        opened.close()


def _modify(events: RawEvents, position: int, rng: random.Random) -> Callable[[], None]:
    """Changes one digit of the stored event's bytes, as an edit of an amount would."""
    state = events.state(position)
    digits = [i for i, byte in enumerate(state) if chr(byte).isdigit()]
    at = rng.choice(digits)
    other = rng.choice([d for d in b"0123456789" if d != state[at]])
    events.set_state(position, state[:at] + bytes([other]) + state[at + 1 :])
    return lambda: events.set_state(position, state)


def _delete(events: RawEvents, position: int) -> Callable[[], None]:
    row = events.row(position)
    events.delete(position)
    return lambda: events.put_back(position, row)


def _insert(events: RawEvents, position: int, copied_from: int) -> Callable[[], None]:
    """Moves every event from `position` on up by one and puts a copy of another event there."""
    events.insert_copy(position, copied_from)
    return lambda: events.remove_copy(position)


def test_a_sealed_untouched_ledger_verifies(copy_of: Opened) -> None:
    checked = check_chain(copy_of.ledger, copy_of.engine)
    assert checked.first_break is None
    assert checked.sealed == copy_of.ledger.event_count()
    assert checked.unsealed == 0
    assert all(check.passed for check in verify_ledger(copy_of.models))


def test_every_tampering_is_detected_at_its_position(copy_of: Opened) -> None:
    # Each change is made behind the ledger's back, checked, then undone before the next.
    rng = random.Random(20260105)
    events = RawEvents(copy_of.ledger.settings.db)
    try:
        last = events.last_position()
        found: list[tuple[str, int, str, int]] = []
        for case in range(TAMPER_CASES):
            kind = ("modified", "deleted", "inserted")[case % 3]
            position = rng.randint(2 if kind == "inserted" else 1, last)
            if kind == "modified":
                undo = _modify(events, position, rng)
            elif kind == "deleted":
                undo = _delete(events, position)
            else:
                undo = _insert(events, position, rng.randint(1, last))
            events.commit()
            broken = check_chain(copy_of.ledger, copy_of.engine).first_break
            undo()
            events.commit()
            assert broken is not None, f"case {case}: {kind} at {position} went unnoticed"
            found.append((kind, position, broken.kind, broken.position))
    finally:
        events.connection.close()
    assert [(kind, position) for kind, position, _, _ in found] == [
        (kind, position) for _, _, kind, position in found
    ]
    # Every change was undone exactly: the history verifies again.
    assert check_chain(copy_of.ledger, copy_of.engine).first_break is None


def test_events_recorded_after_the_seal_are_reported_unsealed_then_sealed(
    copy_of: Opened,
) -> None:
    held = copy_of.ledger.event_count()
    repeated = seal(copy_of.ledger, copy_of.engine, SEALED_AT)
    assert (repeated.position, repeated.added) == (held, 0)
    _add_an_enterprise(copy_of.ledger)
    added = copy_of.ledger.event_count() - held
    checked = check_chain(copy_of.ledger, copy_of.engine)
    assert (checked.first_break, checked.sealed, checked.unsealed) == (None, held, added)
    extended = seal(copy_of.ledger, copy_of.engine, SEALED_AT)
    assert (extended.position, extended.added) == (held + added, added)
    assert check_chain(copy_of.ledger, copy_of.engine).unsealed == 0


def _add_an_enterprise(ledger: RiskLedger) -> None:
    ledger.transact(
        lambda s: s.add_enterprise(
            uscc="91320505MA1ABCDE09",
            name="苏州某某科技有限公司",
            region="苏州",
            effective_date=date(2025, 1, 2),
            actor=Actor("SZ-KJJ", "pytest", "cli"),
        )
    )


def test_a_chain_rewritten_to_match_a_changed_event_still_breaks_at_the_seal(
    copy_of: Opened,
) -> None:
    # An editor who recomputes the stored chain after changing position 1 cannot also
    # change the seal someone wrote down: the seal's hash no longer matches.
    with copy_of.engine.begin() as connection:
        connection.execute(update(chain).where(chain.c.position == 1).values(digest="f" * 64))
        previous = GENESIS
        for position, digest in connection.execute(
            select(chain.c.position, chain.c.digest).order_by(chain.c.position)
        ).all():
            previous = link(previous, position, digest)
            connection.execute(
                update(chain).where(chain.c.position == position).values(hash=previous)
            )
    broken = check_chain(copy_of.ledger, copy_of.engine).first_break
    assert broken is not None
    assert broken.position == 1


def test_sealing_a_changed_history_is_refused_and_writes_nothing(copy_of: Opened) -> None:
    with RawEvents(copy_of.ledger.settings.db) as events:
        _delete(events, 3)
    with copy_of.engine.connect() as connection:
        before = connection.execute(select(chain)).all()
    with pytest.raises(Conflict, match="position 3"):
        seal(copy_of.ledger, copy_of.engine, SEALED_AT)
    with copy_of.engine.connect() as connection:
        assert connection.execute(select(chain)).all() == before


def test_rebuilding_the_read_models_keeps_the_chain(copy_of: Opened) -> None:
    copy_of.models.rebuild()
    checked = check_chain(copy_of.ledger, copy_of.engine)
    assert checked.first_break is None
    assert checked.sealed == copy_of.ledger.event_count()


def test_the_digest_covers_the_bytes_and_the_link_covers_the_position(copy_of: Opened) -> None:
    (first,) = copy_of.ledger.recorder.select_notifications(start=1, limit=1)
    digest = event_digest(first)
    assert link(GENESIS, 1, digest) != link(GENESIS, 2, digest)
    assert len(digest) == 64


def test_one_stored_history_seals_to_the_same_hash_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    # The same stored bytes at the same positions, as an export and import carries them
    # from one store to the other, make the same chain: a seal taken on SQLite holds on PG.
    source = str(tmp_path / "source.db")
    ledger = RiskLedger(Settings(db=source))
    build_demo(ledger, seed=3, loans=10)
    ledger.close()
    with RawEvents(source) as events:
        rows = events.rows()
    with fresh_database_url("postgres", tmp_path) as target:
        RiskLedger(Settings(db=target)).close()  # creates the tables
        with RawEvents(target) as events:
            events.put_all(rows)
        seals = []
        for db in (source, target):
            opened = Opened(db)
            try:
                seals.append(seal(opened.ledger, opened.engine, SEALED_AT))
                assert all(check.passed for check in verify_ledger(opened.models))
                # The copied ledger goes on from the next position, like the original.
                _add_an_enterprise(opened.ledger)
                assert opened.ledger.event_count() == len(rows) + 1
            finally:
                opened.close()
    on_sqlite, on_postgres = seals
    assert on_sqlite.position == on_postgres.position == len(rows)
    assert on_sqlite.hash == on_postgres.hash
