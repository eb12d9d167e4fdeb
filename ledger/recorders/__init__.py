"""Event recorders that also check what a command only read: optimistic concurrency on reads.

The `eventsourcing` recorders refuse a save when an aggregate it changes has moved on (two
events cannot share a version). A decision can also rest on an aggregate it does not change:
a registration checks leverage against the pools' funds (R3) but writes nothing on the pools.
These recorders take `expected_versions` (aggregate id -> the version the command read) with
the events and, inside the same transaction as the insert and while holding the write lock,
refuse the save when any of those aggregates has a newer event; the command then reruns on
fresh state, as it does after any other conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from eventsourcing.persistence import IntegrityError

EXPECTED_VERSIONS = "expected_versions"

RECORDER_TOPICS = {
    "eventsourcing.sqlite": "ledger.recorders.sqlite:GuardedSQLiteRecorder",
    "eventsourcing.postgres": "ledger.recorders.postgres:GuardedPostgresRecorder",
}


class ReadSetChangedError(IntegrityError):
    """An aggregate a command's decision rested on changed before the command was saved."""


def check_read_versions(expected: Mapping[UUID, int], found: Mapping[UUID, int]) -> None:
    """Raises ReadSetChangedError naming the first aggregate whose stored version moved on."""
    for originator_id, version in expected.items():
        stored = found.get(originator_id)
        if stored != version:
            raise ReadSetChangedError(
                f"aggregate {originator_id} was read at version {version}, "
                f"but the store now holds version {stored}"
            )
