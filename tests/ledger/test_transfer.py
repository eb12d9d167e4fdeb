"""Export and import of the whole event history: the same events at the same positions, the
same chain and seals, and a file that is refused whole when it was cut short or changed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from backends import BACKENDS, RawEvents, fresh_database_url
from city_programme import DAY, MANAGER, city_programme
from eventsourcing.persistence import Notification, RecordConflictError

from domain.errors import Conflict, InvalidInput
from domain.exposure import Exposure
from ledger import transfer
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.demo.institutions import FUND_MANAGER, POOLS
from ledger.settings import TIMEZONE, Settings
from ledger.transfer import EventExport, ExportHeader
from projections.chain import seal, verify_ledger
from projections.chain_evidence import (
    chain_evidence,
    check_evidence,
    refuse_unless_unchained,
    restore_seals,
)
from projections.invariants import check_invariants
from projections.journal import trial_balance
from projections.reports import pool_balances, product_statistics
from projections.runner import ReadModels, open_engine

SEALED_AT = datetime(2026, 6, 30, 18, 0, tzinfo=TIMEZONE)
CONTRIBUTION = "domain.pool:RiskPool.ContributionReceived"


class Opened:
    """A ledger on one store (a SQLite file or a PostgreSQL URL), with its read-model engine."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.ledger = RiskLedger(Settings(db=db, operator="test"))
        settings = self.ledger.settings
        self.engine = open_engine(settings.read_model_url(), settings.read_model_options())

    def close(self) -> None:
        self.ledger.close()
        self.engine.dispose()


@pytest.fixture
def opened() -> Iterator[Callable[[str], Opened]]:
    """Opens ledgers on stores and closes them all afterwards."""
    ledgers: list[Opened] = []

    def open_one(db: str) -> Opened:
        ledgers.append(Opened(db))
        return ledgers[-1]

    yield open_one
    for one in ledgers:
        one.close()


@pytest.fixture(
    params=[
        pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else [])
        for name in BACKENDS
    ]
)
def target_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty store of each kind: every source store is imported into both kinds."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_server")
    with fresh_database_url(request.param, tmp_path, "target") as db:
        yield db


def export(source: Opened, path: Path) -> Path:
    """Exports `source` as `riskledger export events` does; returns the file."""
    through = source.ledger.last_position()
    evidence = chain_evidence(source.ledger, source.engine, through)
    header = ExportHeader(evidence.events, through, evidence.head, evidence.seals)
    transfer.export_events(source.ledger, path, header)
    return path


def import_into(target: Opened, path: Path) -> transfer.ImportSummary:
    """Imports `path` as `riskledger import events` does."""
    exported = EventExport(path)
    header = exported.header
    transfer.refuse_unless_empty(target.ledger)
    refuse_unless_unchained(target.engine)
    summary = transfer.import_events(
        target.ledger,
        exported,
        check=lambda events: check_evidence(events, header.chain_head, header.seals),
    )
    restore_seals(target.ledger, target.engine, header.seals)
    return summary


def stored(ledger: RiskLedger) -> list[tuple[Any, ...]]:
    """Every stored event as stored: position, aggregate, version, topic and bytes."""
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]


@pytest.fixture(scope="module")
def demo_export(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A small demo programme (every product, claims, recoveries) sealed, funded once more and
    sealed again: its store, and its export."""
    folder = tmp_path_factory.mktemp("source")
    with fresh_database_url(backend, folder, "source") as db:
        source = Opened(db)
        try:
            build_demo(source.ledger, seed=5, loans=30)
            first = seal(source.ledger, source.engine, SEALED_AT)
            pool = POOLS[0]
            source.ledger.transact(
                lambda session: session.fund_pool(
                    pool=pool.code,
                    amount_fen=1_000_000_00,
                    funder=pool.owner,
                    ref="TOP-UP-1",
                    effective_date=date(2026, 6, 30),
                    actor=FUND_MANAGER,
                )
            )
            second = seal(source.ledger, source.engine, SEALED_AT.replace(hour=19))
            assert first.position < second.position
            path = export(source, folder / "events.jsonl")
        finally:
            source.close()
        yield db, path


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else [])
        for name in BACKENDS
    ],
)
def imported(
    request: pytest.FixtureRequest,
    demo_export: tuple[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Opened, Opened, transfer.ImportSummary]]:
    """The demo's export imported into a new store of each kind: source, copy, summary."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_server")
    source_db, path = demo_export
    with fresh_database_url(request.param, tmp_path_factory.mktemp("copy"), "copy") as db:
        source, target = Opened(source_db), Opened(db)
        try:
            yield source, target, import_into(target, path)
        finally:
            source.close()
            target.close()


def test_an_import_holds_every_event_byte_for_byte_at_its_own_position(imported):
    source, target, summary = imported
    assert stored(target.ledger) == stored(source.ledger)
    assert summary.events == summary.last_position == source.ledger.event_count()


def test_exporting_the_imported_ledger_gives_the_same_file_byte_for_byte(
    demo_export, imported, tmp_path
):
    _, path = demo_export
    _, target, _ = imported
    assert export(target, tmp_path / "again.jsonl").read_bytes() == path.read_bytes()


def test_the_imported_ledger_reports_and_balances_as_the_source_and_verifies(imported):
    source, target, _ = imported
    folded = []
    for one in (source, target):
        ReadModels(one.ledger, one.engine).catch_up()
        folded.append(
            (pool_balances(one.engine), product_statistics(one.engine), trial_balance(one.engine))
        )
    assert folded[0] == folded[1]
    assert sum(row["balance_fen"] for row in folded[1][2]) == 0
    checks = verify_ledger(ReadModels(target.ledger, target.engine))
    events = target.ledger.event_count()
    assert [(c.name, c.passed, c.detail) for c in checks] == [
        ("chain", True, f"positions 1–{events} match 2 seal(s)"),
        ("invariants", True, "every invariant holds"),
        ("read models", True, f"equal to a fresh replay of {events} events"),
    ]


def test_the_seals_come_back_with_their_positions_hashes_and_times(demo_export, imported):
    _, path = demo_export
    source, target, _ = imported
    header = EventExport(path).header
    assert header.seals == chain_evidence(source.ledger, source.engine, header.last_position).seals
    assert chain_evidence(target.ledger, target.engine, header.last_position).seals == header.seals
    assert [at for _, _, at in header.seals] == [
        SEALED_AT.isoformat(),
        SEALED_AT.replace(hour=19).isoformat(),
    ]


def test_an_import_in_small_batches_takes_new_commands_at_the_next_position(
    demo_export, opened, db_url, monkeypatch
):
    source_db, path = demo_export
    monkeypatch.setattr(transfer, "BATCH", 7)
    target = opened(db_url)
    summary = import_into(target, path)
    assert stored(target.ledger) == stored(opened(source_db).ledger)
    pool = POOLS[1]
    target.ledger.transact(
        lambda session: session.fund_pool(
            pool=pool.code,
            amount_fen=500_000_00,
            funder=pool.owner,
            ref="TOP-UP-2",
            effective_date=date(2026, 6, 30),
            actor=FUND_MANAGER,
        )
    )
    assert target.ledger.event_count() == summary.last_position + 1
    assert target.ledger.get_pool(pool.code).contributions["TOP-UP-2"] == 500_000_00
    assert check_invariants(target.ledger) == []


def test_aggregates_past_the_snapshot_interval_are_snapshotted_and_load_alike(
    demo_export, opened, tmp_path, monkeypatch
):
    source_db, path = demo_export
    # The demo's exposures are shorter than 200 events; a smaller interval makes them due.
    monkeypatch.setattr(RiskLedger, "snapshotting_intervals", {Exposure: 5})
    target = opened(str(tmp_path / "target.db"))
    summary = import_into(target, path)
    assert summary.snapshots > 0
    source = opened(source_db)
    exposures = [
        n.originator_id
        for n in source.ledger.recorder.select_notifications(start=1, limit=1_000_000)
        if n.topic.startswith("domain.exposure:Exposure.") and n.originator_version == 1
    ]
    assert target.ledger.snapshots is not None
    snapshotted = [e for e in exposures if target.ledger.snapshots.recorder.select_events(e)]
    assert len(snapshotted) == summary.snapshots
    for exposure in exposures:
        loaded = target.ledger.repository.get(exposure)
        assert vars(loaded) == vars(source.ledger.repository.get(exposure))


def _leave_a_gap(source: Opened) -> None:
    """Leaves positions that skip, as PostgreSQL's sequence does where a write rolled back."""
    if source.ledger.settings.postgres is not None:
        stale = source.ledger.get_pool("SZ-P")
        source.ledger.transact(_contribution("C2"))
        stale.contribute(
            amount_fen=100_00, funder="SZ-FIN", ref="C3", effective_date=DAY, actor=MANAGER
        )
        with pytest.raises(RecordConflictError):
            source.ledger.save(stale)
        source.ledger.transact(_contribution("C3"))
        return
    # SQLite gives the next rowid: the same gap, made by moving the later events up.
    source.ledger.transact(_contribution("C2"))
    with closing(sqlite3.connect(source.db)) as connection:
        connection.execute("UPDATE stored_events SET rowid = -rowid WHERE rowid > 3")
        connection.execute("UPDATE stored_events SET rowid = 5 - rowid WHERE rowid < 0")
        connection.commit()


def _contribution(ref: str) -> Callable[[Any], Any]:
    return lambda session: session.fund_pool(
        pool="SZ-P", amount_fen=100_00, funder="SZ-FIN", ref=ref, effective_date=DAY, actor=MANAGER
    )


def test_positions_that_skip_are_kept_where_they_were(db_url, target_db, opened, tmp_path):
    source = opened(db_url)
    source.ledger.transact(lambda session: city_programme(session, funds_fen=10_000_000_00))
    _leave_a_gap(source)
    seal(source.ledger, source.engine, SEALED_AT)
    before = stored(source.ledger)
    positions = [row[0] for row in before]
    assert positions != list(range(1, len(positions) + 1)), positions
    path = export(source, tmp_path / "gaps.jsonl")
    target = opened(target_db)
    import_into(target, path)
    assert stored(target.ledger) == before
    assert export(target, tmp_path / "again.jsonl").read_bytes() == path.read_bytes()
    target.ledger.transact(_contribution("C4"))
    assert target.ledger.last_position() == positions[-1] + 1
    assert check_invariants(target.ledger) == []


# -- refused: nothing is written --------------------------------------------------------------


@pytest.fixture(scope="module")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small programme on SQLite, funded twelve times and sealed, exported."""
    folder = tmp_path_factory.mktemp("small")
    source = Opened(str(folder / "small.db"))
    try:
        source.ledger.transact(lambda session: city_programme(session, funds_fen=10_000_00))
        for number in range(2, 14):
            source.ledger.transact(_contribution(f"C{number}"))
        seal(source.ledger, source.engine, SEALED_AT)
        return export(source, folder / "small.jsonl")
    finally:
        source.close()


@pytest.fixture
def target(opened: Callable[[str], Opened], tmp_path: Path) -> Opened:
    """An empty ledger on SQLite."""
    return opened(str(tmp_path / "target.db"))


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def _refused(target: Opened, path: Path, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        import_into(target, path)
    assert target.ledger.event_count() == 0
    assert chain_evidence(target.ledger, target.engine, 0).seals == ()


def test_a_ledger_that_holds_events_is_refused_and_left_as_it_was(small_export, target):
    target.ledger.transact(lambda session: city_programme(session, funds_fen=100_00))
    before = stored(target.ledger)
    with pytest.raises(Conflict, match="already holds events"):
        import_into(target, small_export)
    assert stored(target.ledger) == before


def test_a_file_cut_short_is_refused_wherever_it_was_cut(small_export, target, tmp_path):
    lines = _lines(small_export)
    middle = len(lines) // 2
    truncated = "the file does not end with its end line: it is truncated"
    _refused(target, _write(tmp_path / "a.jsonl", lines[:-1]), InvalidInput, truncated)
    cut_mid_line = _write(tmp_path / "b.jsonl", [*lines[:middle], lines[middle][:25]])
    _refused(target, cut_mid_line, InvalidInput, truncated)
    cut_in_the_end_line = _write(tmp_path / "c.jsonl", [*lines[:-1], lines[-1][:-9], b"\n"])
    _refused(target, cut_in_the_end_line, InvalidInput, truncated)
    half = _write(tmp_path / "d.jsonl", [*lines[:middle], lines[-1]])
    _refused(target, half, InvalidInput, "sha256 does not match its end line: it was cut short")
    recounted = [*lines[:middle], _end_line(lines[:middle])]
    _refused(
        target,
        _write(tmp_path / "e.jsonl", recounted),
        InvalidInput,
        f"the header announces {len(lines) - 2} events, the file holds {middle - 1}",
    )


def test_a_changed_amount_is_refused_by_the_checksum(small_export, target, tmp_path):
    lines = _lines(small_export)
    at = next(i for i, line in enumerate(lines) if CONTRIBUTION.encode() in line)
    lines[at] = lines[at].replace(b'\\"amount_fen\\":', b'\\"amount_fen\\":9', 1)
    changed = _write(tmp_path / "changed.jsonl", lines)
    _refused(target, changed, InvalidInput, "sha256 does not match")


def test_a_changed_amount_with_a_new_checksum_is_refused_by_the_chain(
    small_export, target, tmp_path
):
    lines = _lines(small_export)
    at = next(i for i, line in enumerate(lines) if CONTRIBUTION.encode() in line)
    lines[at] = lines[at].replace(b'\\"amount_fen\\":', b'\\"amount_fen\\":9', 1)
    lines[-1] = _end_line(lines[:-1])
    changed = _write(tmp_path / "changed.jsonl", lines)
    _refused(target, changed, InvalidInput, "do not hash to the seal recorded there")


def _end_line(lines: list[bytes]) -> bytes:
    digest = hashlib.sha256(b"".join(lines)).hexdigest()
    record = {"end": "riskledger-events", "events": len(lines) - 1, "sha256": digest}
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def test_an_unsealed_change_is_refused_by_the_chain_head(opened, target, tmp_path):
    source = opened(str(tmp_path / "unsealed.db"))
    source.ledger.transact(lambda session: city_programme(session, funds_fen=10_000_00))
    lines = _lines(export(source, tmp_path / "unsealed.jsonl"))
    at = next(i for i, line in enumerate(lines) if CONTRIBUTION.encode() in line)
    lines[at] = lines[at].replace(b'\\"amount_fen\\":', b'\\"amount_fen\\":9', 1)
    lines[-1] = _end_line(lines[:-1])
    changed = _write(tmp_path / "changed.jsonl", lines)
    _refused(target, changed, InvalidInput, "do not hash to the chain head")


def test_events_out_of_order_or_missing_a_version_are_refused(small_export, target, tmp_path):
    lines = _lines(small_export)
    repeated = [*lines[:6], lines[5], *lines[7:-1]]
    _refused(
        target,
        _write(tmp_path / "repeated.jsonl", [*repeated, _end_line(repeated)]),
        InvalidInput,
        "line 7: position 5 is not after 5",
    )
    record = json.loads(lines[5])
    record["originator_version"] += 1
    skipped = [*lines[:5], json.dumps(record).encode() + b"\n", *lines[6:-1]]
    _refused(
        target,
        _write(tmp_path / "skipped.jsonl", [*skipped, _end_line(skipped)]),
        InvalidInput,
        "position 5: version 2 of aggregate .* where version 1 comes next",
    )


def test_an_event_this_riskledger_cannot_read_is_refused(small_export, target, tmp_path):
    lines = _lines(small_export)
    record = json.loads(lines[3])
    record["topic"] = "domain.loan:Loan.Teleported"
    unknown = [*lines[:3], json.dumps(record).encode() + b"\n", *lines[4:-1]]
    _refused(
        target,
        _write(tmp_path / "unknown.jsonl", [*unknown, _end_line(unknown)]),
        InvalidInput,
        "position 3: this riskledger has no event 'domain.loan:Loan.Teleported'",
    )


def test_a_file_that_is_not_an_export_is_refused(target, tmp_path):
    _refused(target, _write(tmp_path / "x.jsonl", [b'{"a":1}\n']), InvalidInput, "not a riskledger")
    newer = {"format": "riskledger-events", "format_version": 99}
    _refused(
        target,
        _write(tmp_path / "y.jsonl", [json.dumps(newer).encode() + b"\n"]),
        InvalidInput,
        "format version 99; this riskledger reads version 1",
    )
    _refused(target, tmp_path / "missing.jsonl", InvalidInput, "no such file")


def test_an_export_of_a_history_changed_after_its_seal_is_refused(opened, db_url, tmp_path):
    source = opened(db_url)
    source.ledger.transact(lambda session: city_programme(session, funds_fen=10_000_00))
    seal(source.ledger, source.engine, SEALED_AT)
    with RawEvents(db_url) as events:
        ((position, *_),) = events.rows(CONTRIBUTION)
        state = events.state(position)
        events.set_state(position, state.replace(b'"amount_fen":', b'"amount_fen":9', 1))
    with pytest.raises(Conflict, match=f"position {position}: the stored history differs"):
        export(source, tmp_path / "tampered.jsonl")
    assert not (tmp_path / "tampered.jsonl").exists()
    assert not (tmp_path / "tampered.jsonl.partial").exists()


def test_state_that_is_not_utf8_travels_as_base64_byte_for_byte():
    odd = Notification(
        id=7,
        originator_id=UUID(int=7),
        originator_version=1,
        topic="domain.exposure:Exposure.Created",
        state=b"\xff\x00{}",
    )
    line = transfer.encode_event(odd)
    assert b'"state_base64":"/wB7fQ=="' in line
    assert transfer.decode_event(line, 2) == odd
