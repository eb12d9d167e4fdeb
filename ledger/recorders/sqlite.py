"""The SQLite recorder with the read check: run after the insert, under SQLite's write lock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.recorders import EXPECTED_VERSIONS, check_read_versions


class GuardedSQLiteRecorder(SQLiteApplicationRecorder):
    """Refuses a save when an aggregate in `expected_versions` has moved on meanwhile."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        expected: dict[UUID, int] | None = kwargs.get(EXPECTED_VERSIONS)
        if expected and stored_events:
            # The insert took the database's write lock: no other writer can commit until
            # this transaction ends, so what this reads is the latest there is. Raising
            # here rolls the inserted events back.
            found: dict[UUID, int] = {}
            for originator_id in expected:
                c.execute(
                    f"SELECT MAX(originator_version) FROM {self.events_table_name} "
                    "WHERE originator_id=?",
                    (originator_id.hex,),
                )
                found[originator_id] = c.fetchone()[0]
            check_read_versions(expected, found)
        return notification_ids
