"""What an event export carries of the hash chain, and the seals put back after an import.

An export states the chain's head over every event it holds and the seals recorded up to its
last position. The export is refused when the stored history no longer matches its seals;
an import is refused when the file's events do not hash to that head and those seals; once
imported, the chain is rebuilt up to the last seal and the seals recorded as they were, so
`audit verify` on the new database says what it said on the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from sqlalchemy import Engine, func, select

from domain.errors import Conflict, InvalidInput
from projections.chain import GENESIS, PAGE_SIZE, chain, create_chain_tables, event_digest, link
from projections.chain import seals as seal_table

FIELD = "FILE"

SealPoint = tuple[int, str, str]
"""A seal: (position, the chain's hash there, when it was sealed)."""


@dataclass(frozen=True)
class ChainEvidence:
    """The chain over positions 1 to `last_position`: how many events, its head, its seals."""

    events: int
    last_position: int
    head: str
    seals: tuple[SealPoint, ...]


def _events(app: Application[UUID], through: int) -> Iterator[Notification]:
    start = 0
    while start < through:
        page = app.recorder.select_notifications(
            start=start, limit=PAGE_SIZE, stop=through, inclusive_of_start=False
        )
        yield from page
        if len(page) < PAGE_SIZE:
            return
        start = page[-1].id


def _sealed_hashes(engine: Engine, through: int) -> Iterator[tuple[int, str]]:
    """The stored chain's (position, hash) up to `through`, in order, without loading it all."""
    query = (
        select(chain.c.position, chain.c.hash)
        .where(chain.c.position <= through)
        .order_by(chain.c.position)
    )
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=PAGE_SIZE).execute(query)
        yield from ((position, hashed) for position, hashed in rows)


def _seal_points(engine: Engine, through: int) -> tuple[SealPoint, ...]:
    query = (
        select(seal_table.c.position, seal_table.c.hash, seal_table.c.sealed_at)
        .where(seal_table.c.position <= through)
        .order_by(seal_table.c.position)
    )
    with engine.connect() as connection:
        return tuple((p, h, at) for p, h, at in connection.execute(query))


def _refuse(position: int, reason: str) -> Conflict:
    return Conflict(
        "chain", f"position {position}: {reason}; run `riskledger audit verify` for the details"
    )


def chain_evidence(
    app: Application[UUID],
    engine: Engine,
    through: int,
    progress: Callable[[int], None] | None = None,
) -> ChainEvidence:
    """Recomputes the chain over positions 1 to `through`, returning its head and the seals.

    Refuses (Conflict) where the stored history differs from the sealed chain: an export must
    never carry a changed history as if it were the sealed one.
    """
    create_chain_tables(engine)
    sealed = _sealed_hashes(engine, through)
    waiting = next(sealed, None)
    previous = GENESIS
    count = 0
    for notification in _events(app, through):
        previous = link(previous, notification.id, event_digest(notification))
        count += 1
        if waiting is not None and waiting[0] < notification.id:
            raise _refuse(waiting[0], "a sealed event is missing")
        if waiting is not None and waiting[0] == notification.id:
            if waiting[1] != previous:
                raise _refuse(notification.id, "the stored history differs from the sealed chain")
            waiting = next(sealed, None)
        if progress is not None and count % PAGE_SIZE == 0:
            progress(count)
    if waiting is not None:
        raise _refuse(waiting[0], "a sealed event is missing")
    return ChainEvidence(count, through, previous, _seal_points(engine, through))


def check_evidence(events: Iterable[Notification], head: str, seals: Sequence[SealPoint]) -> None:
    """Reads every event and refuses (InvalidInput) unless they hash to `head` and `seals`."""
    sealed = {position: hashed for position, hashed, _ in seals}
    previous = GENESIS
    for notification in events:
        previous = link(previous, notification.id, event_digest(notification))
        hashed = sealed.pop(notification.id, None)
        if hashed is not None and hashed != previous:
            raise InvalidInput(
                FIELD,
                f"position {notification.id}: the events do not hash to the seal recorded "
                "there: the history was changed",
            )
    if sealed:
        raise InvalidInput(FIELD, f"a seal at position {min(sealed)} seals no event of the file")
    if previous != head:
        raise InvalidInput(
            FIELD, "the events do not hash to the chain head in the header: the file was changed"
        )


def refuse_unless_unchained(engine: Engine) -> None:
    """Refuses (Conflict) a database that already holds a hash chain or a seal."""
    create_chain_tables(engine)
    with engine.connect() as connection:
        held = connection.execute(select(func.count()).select_from(chain)).scalar_one()
        held += connection.execute(select(func.count()).select_from(seal_table)).scalar_one()
    if held:
        raise Conflict(
            FIELD, "the database already holds a hash chain; import only into an empty database"
        )


def restore_seals(app: Application[UUID], engine: Engine, seals: Sequence[SealPoint]) -> int:
    """Rebuilds the chain up to the last seal and records each seal as it was; returns how many.

    Refuses (Conflict), writing nothing, when the stored events do not hash to a seal.
    """
    if not seals:
        return 0
    refuse_unless_unchained(engine)
    wanted = {position: hashed for position, hashed, _ in seals}
    last = max(wanted)
    previous = GENESIS
    with engine.begin() as connection:
        rows: list[dict[str, Any]] = []
        for notification in _events(app, last):
            digest = event_digest(notification)
            previous = link(previous, notification.id, digest)
            rows.append({"position": notification.id, "digest": digest, "hash": previous})
            if wanted.pop(notification.id, previous) != previous:
                raise _refuse(notification.id, "the imported events do not hash to its seal")
            if len(rows) == PAGE_SIZE:
                connection.execute(chain.insert(), rows)
                rows = []
        if rows:
            connection.execute(chain.insert(), rows)
        if wanted:
            raise _refuse(min(wanted), "no imported event is there to seal")
        connection.execute(
            seal_table.insert(),
            [{"position": p, "hash": h, "sealed_at": at} for p, h, at in seals],
        )
    return len(seals)
