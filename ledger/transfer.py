"""A ledger's whole history in one file: every stored event, byte for byte, and back again.

An export is JSON lines. The header says what follows (format, riskledger version, how many
events, the last position, the hash chain's head and its seals); then one line per stored
event in global order with its position, aggregate, version, topic and its stored bytes
exactly as stored; then an end line with the count and the sha256 of every line before it,
so a truncated or edited file is refused. An import writes the same records through the
event store's recorder into an empty ledger at the same positions, so every projection folds
the same rows and the hash chain recomputes to the same head: moving a ledger from SQLite to
PostgreSQL is an export and an import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    Notification,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic, resolve_topic

from domain.errors import Conflict, InvalidInput

FORMAT = "riskledger-events"
FORMAT_VERSION = 1
FIELD = "FILE"
PAGE_SIZE = 1000
# Events written per transaction on import.
BATCH = 1000
# The end line is short: it is looked for in the file's last TAIL bytes.
TAIL = 4096
CHUNK = 1 << 20

Advance = Callable[[str, int, int], None]
"""Called with (stage, events done, events in all) as an export or import goes on."""

SealPoint = tuple[int, str, str]
"""A seal as exported: (position, chain hash there, when it was sealed)."""


def riskledger_version() -> str:
    """The installed riskledger's version, written into every export."""
    try:
        return version("riskledger")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


@dataclass(frozen=True)
class ExportHeader:
    """The first line of an export: what follows it, and the chain evidence it must match."""

    events: int
    last_position: int
    chain_head: str
    seals: tuple[SealPoint, ...] = ()
    riskledger: str = ""
    format_version: int = FORMAT_VERSION

    def to_line(self) -> bytes:
        """The header as one JSON line."""
        return _line(
            {
                "format": FORMAT,
                "format_version": self.format_version,
                "riskledger": self.riskledger or riskledger_version(),
                "events": self.events,
                "last_position": self.last_position,
                "chain_head": self.chain_head,
                "seals": [{"position": p, "hash": h, "sealed_at": at} for p, h, at in self.seals],
            }
        )

    @classmethod
    def from_line(cls, line: bytes) -> ExportHeader:
        """Reads a header line; refuses a file that is not a riskledger export it can read."""
        record = _json_object(line, 1)
        if record.get("format") != FORMAT:
            raise InvalidInput(FIELD, "line 1: not a riskledger event export (no header)")
        found = record.get("format_version")
        if found != FORMAT_VERSION:
            raise InvalidInput(
                FIELD,
                f"line 1: export format version {found!r}; this riskledger reads version "
                f"{FORMAT_VERSION} (export it again with a matching riskledger)",
            )
        try:
            seals = tuple(
                (_count(s["position"]), _text(s["hash"]), _text(s["sealed_at"]))
                for s in record["seals"]
            )
            return cls(
                events=_count(record["events"]),
                last_position=_count(record["last_position"]),
                chain_head=_text(record["chain_head"]),
                seals=seals,
                riskledger=_text(record["riskledger"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(FIELD, f"line 1: the header is damaged ({error})") from None


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _json_object(line: bytes, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(FIELD, f"line {number}: not a JSON line") from None
    if not isinstance(record, dict):
        raise InvalidInput(FIELD, f"line {number}: not a JSON object")
    return record


def _end_record(line: bytes) -> dict[str, Any] | None:
    """The end line's record, or None when `line` is not an end line."""
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) and record.get("end") == FORMAT else None


def encode_event(notification: Notification) -> bytes:
    """One stored event as a JSON line; its state kept byte for byte (as text, or base64)."""
    record: dict[str, Any] = {
        "position": notification.id,
        "originator_id": str(notification.originator_id),
        "originator_version": notification.originator_version,
        "topic": notification.topic,
    }
    try:
        record["state"] = notification.state.decode("utf-8")
    except UnicodeDecodeError:
        record["state_base64"] = base64.b64encode(notification.state).decode("ascii")
    return _line(record)


def decode_event(line: bytes, number: int) -> Notification:
    """The stored event of an export's line `number`, with exactly the bytes exported."""
    record = _json_object(line, number)
    try:
        position = record["position"]
        originator_version = record["originator_version"]
        if type(position) is not int or position < 1:
            raise ValueError(f"position {position!r} is not a positive whole number")
        if type(originator_version) is not int or originator_version < 1:
            raise ValueError(f"version {originator_version!r} is not a positive whole number")
        if "state" in record:
            state = _text(record["state"]).encode("utf-8")
        else:
            state = base64.b64decode(_text(record["state_base64"]), validate=True)
        return Notification(
            id=position,
            originator_id=UUID(_text(record["originator_id"])),
            originator_version=originator_version,
            topic=_text(record["topic"]),
            state=state,
        )
    except KeyError as missing:
        raise InvalidInput(FIELD, f"line {number}: no {missing} in the event") from None
    except (TypeError, ValueError, binascii.Error) as error:
        raise InvalidInput(FIELD, f"line {number}: {error}") from None


def stored_events(app: Application[UUID], through: int) -> Iterator[Notification]:
    """Every stored event up to position `through`, in global order, a page at a time."""
    start = 0
    while start < through:
        page = app.recorder.select_notifications(
            start=start, limit=PAGE_SIZE, stop=through, inclusive_of_start=False
        )
        yield from page
        if len(page) < PAGE_SIZE:
            return
        start = page[-1].id


def write_export(
    app: Application[UUID], out: BinaryIO, header: ExportHeader, progress: Advance | None = None
) -> int:
    """Writes the header, every event up to `header.last_position` and the end line to `out`.

    Returns how many events were written; refuses (Conflict) when that is not the header's
    count, which means the history up to that position changed while it was being read.
    """
    digest = hashlib.sha256()

    def write(line: bytes) -> None:
        digest.update(line)
        out.write(line)

    write(header.to_line())
    written = 0
    for notification in stored_events(app, header.last_position):
        write(encode_event(notification))
        written += 1
        if progress is not None and (written % PAGE_SIZE == 0 or written == header.events):
            progress("exporting", written, header.events)
    if written != header.events:
        raise Conflict(
            "ledger",
            f"{written} events read where {header.events} were counted: the history changed "
            "during the export; run `riskledger audit verify`",
        )
    out.write(_line({"end": FORMAT, "events": written, "sha256": digest.hexdigest()}))
    return written


def export_events(
    app: Application[UUID], path: Path, header: ExportHeader, progress: Advance | None = None
) -> int:
    """Exports to `path` through a partial file renamed at the end: no half-written export."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as out:
            written = write_export(app, out, header, progress)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return written


class EventExport:
    """An export file, read a line at a time; every read checks it to its end line."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise InvalidInput(FIELD, f"{path}: no such file")
        self.path = path
        with path.open("rb") as stream:
            self.header = ExportHeader.from_line(stream.readline())

    def check_integrity(self) -> None:
        """Refuses (InvalidInput) a file without its end line or whose bytes do not match the
        end line's sha256: a file cut short or changed, found before any event is read."""
        size = self.path.stat().st_size
        with self.path.open("rb") as stream:
            stream.seek(max(0, size - TAIL))
            tail = stream.read()
            start = tail.rfind(b"\n", 0, len(tail) - 1) + 1
            end = _end_record(tail[start:]) if tail.endswith(b"\n") else None
            if end is None:
                raise InvalidInput(
                    FIELD, "the file does not end with its end line: it is truncated"
                )
            digest = hashlib.sha256()
            stream.seek(0)
            left = size - (len(tail) - start)
            while left > 0:
                chunk = stream.read(min(left, CHUNK))
                digest.update(chunk)
                left -= len(chunk)
        if end.get("sha256") != digest.hexdigest():
            raise InvalidInput(
                FIELD, "the file's sha256 does not match its end line: it was cut short or changed"
            )

    def events(self) -> Iterator[Notification]:
        """Every event of the file in order; at the end, refuses a truncated or edited file."""
        header = self.header
        digest = hashlib.sha256()
        count = 0
        last = 0
        with self.path.open("rb") as stream:
            digest.update(stream.readline())
            for number, line in enumerate(stream, start=2):
                if not line.endswith(b"\n"):
                    break  # a last line cut short: reported as a truncated file below
                if line.startswith(b'{"end"'):
                    self._check_end(line, number, count, digest.hexdigest(), stream)
                    return
                digest.update(line)
                notification = decode_event(line, number)
                if notification.id <= last:
                    raise InvalidInput(
                        FIELD, f"line {number}: position {notification.id} is not after {last}"
                    )
                if notification.id > header.last_position:
                    raise InvalidInput(
                        FIELD,
                        f"line {number}: position {notification.id} is past the header's "
                        f"last position {header.last_position}",
                    )
                last = notification.id
                count += 1
                yield notification
        raise InvalidInput(
            FIELD,
            f"the file ends after {count} of {header.events} events without its end line: "
            "it is truncated",
        )

    def _check_end(
        self, line: bytes, number: int, count: int, digest: str, rest: Iterable[bytes]
    ) -> None:
        end = _json_object(line, number)
        if end.get("end") != FORMAT or end.get("events") != count:
            raise InvalidInput(
                FIELD,
                f"line {number}: the end line counts {end.get('events')!r} events, "
                f"the file holds {count}",
            )
        if count != self.header.events:
            raise InvalidInput(
                FIELD, f"the header announces {self.header.events} events, the file holds {count}"
            )
        if end.get("sha256") != digest:
            raise InvalidInput(
                FIELD, "the file's sha256 does not match its end line: it was changed"
            )
        if any(extra.strip() for extra in rest):
            raise InvalidInput(FIELD, f"lines follow the end line (line {number})")


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    events: int
    last_position: int
    snapshots: int


def refuse_unless_empty(app: Application[UUID]) -> None:
    """Refuses (Conflict) a ledger that holds any event: an import never merges histories."""
    held = app.recorder.max_notification_id() or 0
    if held:
        raise Conflict(
            FIELD,
            f"the ledger already holds events (up to position {held}); import only into an "
            "empty database",
        )


@lru_cache(maxsize=512)
def _topic_known(topic: str) -> bool:
    try:
        resolve_topic(topic)
    except Exception:  # a topic this riskledger has no class for
        return False
    return True


def checked_events(app: Application[UUID], export: EventExport) -> Iterator[Notification]:
    """The export's events, each also checked to continue its aggregate and to be readable."""
    versions: dict[UUID, int] = {}
    for notification in export.events():
        where = f"position {notification.id}"
        originator = notification.originator_id
        assert isinstance(originator, UUID)
        expected = versions.get(originator, 0) + 1
        if notification.originator_version != expected:
            raise InvalidInput(
                FIELD,
                f"{where}: version {notification.originator_version} of aggregate "
                f"{originator}, where version {expected} comes next",
            )
        versions[originator] = expected
        if not _topic_known(notification.topic):
            raise InvalidInput(
                FIELD, f"{where}: this riskledger has no event {notification.topic!r}"
            )
        try:
            app.mapper.to_domain_event(notification)
        except Exception as error:  # undecodable bytes, or a shape no upcast of ours knows
            first_line = (str(error).splitlines() or [""])[0]
            raise InvalidInput(FIELD, f"{where}: the event cannot be read: {first_line}") from None
        yield notification


def import_events(
    app: Application[UUID],
    export: EventExport,
    *,
    check: Callable[[Iterator[Notification]], None] | None = None,
    progress: Advance | None = None,
) -> ImportSummary:
    """Writes every event of `export` into the empty ledger `app`, each at its own position.

    The whole file is read and checked first (and given to `check`, which must read every
    event and raise to refuse it); only then is anything written, BATCH events per
    transaction. Refuses (Conflict) a ledger that already holds events.
    """
    refuse_unless_empty(app)
    export.check_integrity()
    total = export.header.events
    checked = _counted(checked_events(app, export), "checking", total, progress)
    if check is not None:
        check(checked)
    for _ in checked:  # whatever `check` left unread is still checked to the end line
        pass
    refuse_unless_empty(app)
    snapshotted = {get_topic(cls) + ".": cls for cls in app.snapshotting_intervals}
    latest: dict[UUID, tuple[int, type]] = {}
    written = 0
    batch: list[Notification] = []
    for notification in export.events():
        if batch and (len(batch) == BATCH or notification.id != batch[-1].id + 1):
            written += _write(app.recorder, batch, first=written == 0)
            if progress is not None:
                progress("writing", written, total)
            batch = []
        batch.append(notification)
        for prefix, cls in snapshotted.items():
            if notification.topic.startswith(prefix):
                assert isinstance(notification.originator_id, UUID)
                latest[notification.originator_id] = (notification.originator_version, cls)
    if batch:
        written += _write(app.recorder, batch, first=written == 0)
        if progress is not None:
            progress("writing", written, total)
    return ImportSummary(written, export.header.last_position, _snapshot(app, latest))


def _counted(
    events: Iterator[Notification], stage: str, total: int, progress: Advance | None
) -> Iterator[Notification]:
    for done, notification in enumerate(events, start=1):
        yield notification
        if progress is not None and (done % PAGE_SIZE == 0 or done == total):
            progress(stage, done, total)


def _stored(notification: Notification) -> StoredEvent:
    return StoredEvent(
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=notification.state,
    )


def _write(recorder: ApplicationRecorder, batch: list[Notification], *, first: bool) -> int:
    """Writes a run of consecutive positions; the first one is placed explicitly if need be."""
    expected = (recorder.max_notification_id() or 0) + 1
    rest = batch
    if first or batch[0].id != expected:
        _insert_at(recorder, batch[0])
        rest = batch[1:]
    if rest:
        given = recorder.insert_events([_stored(n) for n in rest])
        wanted = [n.id for n in rest]
        if list(given or []) != wanted:
            raise Conflict(
                "ledger",
                f"the database gave positions {list(given or [])[:1]}… to the events of "
                f"positions {wanted[:1]}…: another writer is using it; import into a new one",
            )
    return len(batch)


def _insert_at(recorder: ApplicationRecorder, notification: Notification) -> None:
    """Stores one event at exactly its exported position, past any gap before it.

    Positions are the store's: SQLite gives the next rowid, PostgreSQL the next value of a
    sequence (which skips the values of rolled-back writes). Both can be told where to go on.
    """
    stored = _stored(notification)
    assert isinstance(stored.originator_id, UUID)
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {recorder.events_table_name} "
                "(rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
                (
                    notification.id,
                    stored.originator_id.hex,
                    stored.originator_version,
                    stored.topic,
                    stored.state,
                ),
            )
        return
    if _is_postgres(recorder):
        _postgres_continue_at(recorder, notification.id)
        given = recorder.insert_events([stored])
        if list(given or []) == [notification.id]:
            return
    raise Conflict(
        FIELD,
        f"this database cannot place the event of position {notification.id} at its position",
    )


def _is_postgres(recorder: ApplicationRecorder) -> bool:
    try:
        from eventsourcing.postgres import PostgresApplicationRecorder
    except ImportError:  # psycopg is not installed: no PostgreSQL recorder either
        return False
    return isinstance(recorder, PostgresApplicationRecorder)


def _postgres_continue_at(recorder: Any, position: int) -> None:
    """Makes PostgreSQL's notification id sequence give `position` next."""
    from psycopg.sql import SQL

    table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s, false)"),
            (table, position),
        )


def _snapshot(app: Application[UUID], latest: dict[UUID, tuple[int, type]]) -> int:
    """Snapshots the aggregates the ledger snapshots, so the first commands load them fast."""
    if app.snapshots is None:
        return 0
    taken = 0
    for originator, (version_now, cls) in latest.items():
        if version_now >= app.snapshotting_intervals[cls]:
            app.take_snapshot(originator)
            taken += 1
    return taken
