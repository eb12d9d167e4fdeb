"""The hash chain: every modified, deleted or inserted stored event is found, at its position."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
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
def sealed_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo ledger, its read models caught up and its whole history sealed."""
    path = tmp_path_factory.mktemp("chain") / "sealed.db"
    ledger = RiskLedger(Settings(db=str(path)))
    engine = open_engine(ledger.settings.read_model_url())
    build_demo(ledger, seed=7, loans=40)
    ReadModels(ledger, engine).catch_up()
    seal(ledger, engine, SEALED_AT)
    ledger.close()
    engine.dispose()
    return path


class Opened:
    """A ledger file opened as the application and its read-model engine."""

    def __init__(self, path: Path) -> None:
        self.ledger = RiskLedger(Settings(db=str(path)))
        self.engine = open_engine(self.ledger.settings.read_model_url())
        self.models = ReadModels(self.ledger, self.engine)

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


@pytest.fixture
def copy_of(sealed_ledger: Path, tmp_path: Path) -> Iterator[Opened]:
    copied = tmp_path / "copy.db"
    shutil.copyfile(sealed_ledger, copied)
    opened = Opened(copied)
    yield opened
    opened.close()


def _modify(connection: sqlite3.Connection, position: int, rng: random.Random) -> None:
    """Changes one digit of the stored event's bytes, as an edit of an amount would."""
    (state,) = connection.execute(
        "SELECT state FROM stored_events WHERE rowid = ?", (position,)
    ).fetchone()
    digits = [i for i, byte in enumerate(state) if chr(byte).isdigit()]
    at = rng.choice(digits)
    other = rng.choice([d for d in b"0123456789" if d != state[at]])
    changed = state[:at] + bytes([other]) + state[at + 1 :]
    connection.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (changed, position))


def _delete(connection: sqlite3.Connection, position: int) -> None:
    connection.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))


def _insert(connection: sqlite3.Connection, position: int, copied_from: int) -> None:
    """Moves every event from `position` on up by one and puts a copy of another event there."""
    # Through negative rowids, so no two rows ever share one mid-update.
    connection.execute(
        "UPDATE stored_events SET rowid = -(rowid + 1) WHERE rowid >= ?", (position,)
    )
    connection.execute("UPDATE stored_events SET rowid = -rowid WHERE rowid < 0")
    connection.execute(
        "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
        "SELECT ?, originator_id, originator_version + 1000000, topic, state "
        "FROM stored_events WHERE rowid = ?",
        (position, copied_from if copied_from < position else copied_from + 1),
    )


def test_a_sealed_untouched_ledger_verifies(copy_of: Opened) -> None:
    checked = check_chain(copy_of.ledger, copy_of.engine)
    assert checked.first_break is None
    assert checked.sealed == copy_of.ledger.event_count()
    assert checked.unsealed == 0
    assert all(check.passed for check in verify_ledger(copy_of.models))


def test_every_tampering_is_detected_at_its_position(sealed_ledger: Path, tmp_path: Path) -> None:
    rng = random.Random(20260105)
    with closing(sqlite3.connect(sealed_ledger)) as connection:
        (events,) = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
    found: list[tuple[str, int, str, int]] = []
    for case in range(TAMPER_CASES):
        kind = ("modified", "deleted", "inserted")[case % 3]
        position = rng.randint(2 if kind == "inserted" else 1, events)
        path = tmp_path / f"case{case}.db"
        shutil.copyfile(sealed_ledger, path)
        with closing(sqlite3.connect(path)) as connection:
            if kind == "modified":
                _modify(connection, position, rng)
            elif kind == "deleted":
                _delete(connection, position)
            else:
                _insert(connection, position, rng.randint(1, events))
            connection.commit()
        opened = Opened(path)
        try:
            broken = check_chain(opened.ledger, opened.engine).first_break
        finally:
            opened.close()
        path.unlink()
        assert broken is not None, f"case {case}: {kind} at {position} went unnoticed"
        found.append((kind, position, broken.kind, broken.position))
    assert [(kind, position) for kind, position, _, _ in found] == [
        (kind, position) for _, _, kind, position in found
    ]


def test_events_recorded_after_the_seal_are_reported_unsealed_then_sealed(
    copy_of: Opened,
) -> None:
    held = copy_of.ledger.event_count()
    repeated = seal(copy_of.ledger, copy_of.engine, SEALED_AT)
    assert (repeated.position, repeated.added) == (held, 0)
    copy_of.ledger.transact(
        lambda s: s.add_enterprise(
            uscc="91320505MA1ABCDE09",
            name="苏州某某科技有限公司",
            region="苏州",
            effective_date=date(2025, 1, 2),
            actor=Actor("SZ-KJJ", "pytest", "cli"),
        )
    )
    added = copy_of.ledger.event_count() - held
    checked = check_chain(copy_of.ledger, copy_of.engine)
    assert (checked.first_break, checked.sealed, checked.unsealed) == (None, held, added)
    extended = seal(copy_of.ledger, copy_of.engine, SEALED_AT)
    assert (extended.position, extended.added) == (held + added, added)
    assert check_chain(copy_of.ledger, copy_of.engine).unsealed == 0


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
    with closing(sqlite3.connect(copy_of.ledger.settings.sqlite_path)) as connection:
        _delete(connection, 3)
        connection.commit()
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
