"""Tamper evidence: a hash chain over the global event sequence, sealed at checkpoints.

Each stored event's hash covers the hash before it, its position and its stored bytes, so
changing, deleting or inserting any sealed event changes every hash from that position on.
`seal` extends the chain over events recorded since the last seal; `verify_ledger` recomputes
it from position 1, checks the invariants and compares the read models with a fresh replay.

The chain lives in its own tables, outside the read models' metadata: a read-model schema
change drops and refolds the read models, but must never silently drop the evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, select

from domain.errors import Conflict
from projections.invariants import check_invariants
from projections.runner import ReadModels, lock_schema, open_engine
from projections.schema import metadata, schema, tracking

chain_metadata = MetaData()

chain = Table(
    "rl_chain",
    chain_metadata,
    Column("position", BigInteger, primary_key=True),
    # The event's own digest, without its position: it tells a moved event from a changed one.
    Column("digest", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

seals = Table(
    "rl_seal",
    chain_metadata,
    Column("position", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("sealed_at", String(40), nullable=False),
)

GENESIS = "0" * 64
PAGE_SIZE = 1000
# The read models' own bookkeeping differs between a stored and a fresh fold by design.
BOOKKEEPING = (schema.name, tracking.name)


@dataclass(frozen=True)
class Seal:
    """A checkpoint: the chain's hash at `position`, recorded at `sealed_at`."""

    position: int
    hash: str
    sealed_at: str
    added: int


@dataclass(frozen=True)
class Break:
    """The first position where the stored history differs from the sealed chain."""

    position: int
    kind: str
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    """What recomputing the chain found: the first break, if any, and how much is sealed."""

    sealed: int
    unsealed: int
    seals: int
    first_break: Break | None


@dataclass(frozen=True)
class Check:
    """One line of `audit verify`: a check's name, whether it passed, and what it found."""

    name: str
    passed: bool
    detail: str


def create_chain_tables(engine: Engine) -> None:
    """Creates the chain and seal tables if they are missing; never drops them."""
    with engine.begin() as connection:
        lock_schema(connection)
        chain_metadata.create_all(connection)


def event_digest(notification: Notification) -> str:
    """Returns the sha256 of an event's stored identity, topic and bytes (not its position)."""
    head = f"{notification.originator_id}\x00{notification.originator_version}\x00"
    head += f"{notification.topic}\x00"
    return hashlib.sha256(head.encode() + notification.state).hexdigest()


def link(previous: str, position: int, digest: str) -> str:
    """Returns the chain's hash at `position`, given the hash before it and the event's digest."""
    return hashlib.sha256(f"{previous}\x00{position}\x00{digest}".encode()).hexdigest()


def _notifications(app: Application[UUID], after: int = 0) -> Iterator[Notification]:
    start = after
    while True:
        page = app.recorder.select_notifications(
            start=start, limit=PAGE_SIZE, inclusive_of_start=False
        )
        yield from page
        if len(page) < PAGE_SIZE:
            return
        start = page[-1].id


def _stored_chain(engine: Engine) -> dict[int, tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(chain.c.position, chain.c.digest, chain.c.hash).order_by(chain.c.position)
        )
        return {position: (digest, hashed) for position, digest, hashed in rows}


def _kind_of_change(
    digest: str, next_digest: str | None, position: int, stored: dict[int, tuple[str, str]]
) -> tuple[str, str]:
    sealed_digest = stored[position][0]
    if digest == sealed_digest:
        return "altered", "the sealed chain before it was altered"
    if next_digest == sealed_digest:
        return "inserted", "an event not in the sealed history was inserted here"
    if position + 1 in stored and digest == stored[position + 1][0]:
        return "deleted", "the sealed event here was deleted and the later ones moved up"
    return "modified", "the stored event differs from the one sealed"


def check_chain(app: Application[UUID], engine: Engine) -> ChainCheck:
    """Recomputes the chain from position 1 and returns the first position that differs."""
    create_chain_tables(engine)
    stored = _stored_chain(engine)
    last_sealed = max(stored, default=0)
    with engine.connect() as connection:
        sealed_points = dict(connection.execute(select(seals.c.position, seals.c.hash)).all())
    expected = iter(sorted(stored))
    waiting = next(expected, None)
    previous = GENESIS
    unsealed = 0
    found: Break | None = None
    events = _notifications(app)
    current = next(events, None)
    while current is not None and found is None:
        following = next(events, None)
        position = current.id
        if position > last_sealed:
            unsealed += 1
        elif waiting is not None and waiting < position:
            found = Break(waiting, "deleted", "a sealed event is missing")
        elif waiting != position:
            found = Break(position, "inserted", "an event not in the sealed history is here")
        else:
            digest = event_digest(current)
            hashed = link(previous, position, digest)
            if hashed != stored[position][1]:
                next_digest = None if following is None else event_digest(following)
                kind, reason = _kind_of_change(digest, next_digest, position, stored)
                found = Break(position, kind, reason)
            elif position in sealed_points and sealed_points[position] != hashed:
                found = Break(position, "seal", "the seal recorded here does not match the chain")
            previous = hashed
            waiting = next(expected, None)
        current = following
    if found is None and waiting is not None:
        found = Break(waiting, "deleted", "a sealed event is missing")
    return ChainCheck(last_sealed, unsealed, len(sealed_points), found)


def seal(app: Application[UUID], engine: Engine, sealed_at: datetime) -> Seal:
    """Extends the chain over the events recorded since the last seal and records a seal.

    Refuses (Conflict) when the sealed history no longer matches its chain: sealing on top of
    a changed history would hide the change.
    """
    checked = check_chain(app, engine)
    if checked.first_break is not None:
        broken = checked.first_break
        raise Conflict(
            "chain", f"position {broken.position}: {broken.reason}; run `riskledger audit verify`"
        )
    with engine.begin() as connection:
        last = connection.execute(
            select(chain.c.position, chain.c.hash).order_by(chain.c.position.desc()).limit(1)
        ).first()
        position, previous = (0, GENESIS) if last is None else (last[0], last[1])
        rows: list[dict[str, Any]] = []
        for notification in _notifications(app, after=position):
            digest = event_digest(notification)
            previous = link(previous, notification.id, digest)
            position = notification.id
            rows.append({"position": position, "digest": digest, "hash": previous})
        if rows:
            connection.execute(chain.insert(), rows)
        if position == 0:
            raise Conflict("chain", "the ledger holds no events to seal")
        already = connection.execute(
            select(seals.c.sealed_at).where(seals.c.position == position)
        ).scalar()
        stamp = sealed_at.isoformat()
        if already is None:
            connection.execute(
                seals.insert(), {"position": position, "hash": previous, "sealed_at": stamp}
            )
        else:
            stamp = already
    return Seal(position, previous, stamp, len(rows))


def _chain_line(checked: ChainCheck) -> Check:
    if checked.first_break is not None:
        broken = checked.first_break
        return Check("chain", False, f"position {broken.position}: {broken.kind}: {broken.reason}")
    if checked.sealed == 0:
        detail = f"nothing sealed yet; {checked.unsealed} events not covered (run `audit seal`)"
    else:
        detail = f"positions 1–{checked.sealed} match {checked.seals} seal(s)"
        if checked.unsealed:
            detail += f"; {checked.unsealed} later events not sealed yet"
    return Check("chain", True, detail)


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


def read_model_differences(models: ReadModels) -> list[str]:
    """Returns each read-model table that differs from a fresh in-memory fold of every event."""
    models.catch_up()
    fresh_engine = open_engine("sqlite://")
    try:
        fresh = ReadModels(models.app, fresh_engine)
        fresh.catch_up()
        replayed = _rows(fresh_engine)
    finally:
        fresh_engine.dispose()
    stored = _rows(models.engine)
    differences: list[str] = []
    for name, rows in replayed.items():
        kept = stored.get(name, [])
        if kept != rows:
            extra = next((row for row in kept if row not in rows), None)
            missing = next((row for row in rows if row not in kept), None)
            differences.append(f"{name}: stored row {extra} vs replayed row {missing}")
    return differences


def _guarded(name: str, run: Any) -> Check:
    """Runs one check; a history that no longer replays is a failure, not a crash."""
    try:
        return run()
    except Exception as error:  # a tampered event may not even decode
        first_line = (str(error).splitlines() or [""])[0]
        reason = f"cannot replay the history: {type(error).__name__}: {first_line}"
        return Check(name, False, reason)


def _invariants_line(app: Application[UUID]) -> Check:
    violations = check_invariants(app)
    if violations:
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        return Check("invariants", False, violations[0] + more)
    return Check("invariants", True, "every invariant holds")


def _read_models_line(models: ReadModels) -> Check:
    differences = read_model_differences(models)
    if differences:
        names = ", ".join(difference.split(":")[0] for difference in differences)
        return Check(
            "read models", False, f"differ from a fresh replay in {names}; {differences[0]}"
        )
    return Check("read models", True, f"equal to a fresh replay of {models.position()} events")


def verify_ledger(models: ReadModels) -> list[Check]:
    """Returns one check per line of `audit verify`: chain, invariants, read models."""
    app = models.app
    return [
        _guarded("chain", lambda: _chain_line(check_chain(app, models.engine))),
        _guarded("invariants", lambda: _invariants_line(app)),
        _guarded("read models", lambda: _read_models_line(models)),
    ]
