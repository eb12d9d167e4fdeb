"""The PostgreSQL recorder with the read check: run under the events table's lock, before
anything is inserted (the library commits the transaction it reports an error from)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ledger.recorders import EXPECTED_VERSIONS, check_read_versions


class GuardedPostgresRecorder(PostgresApplicationRecorder):
    """Refuses a save when an aggregate in `expected_versions` has moved on meanwhile."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if kwargs.get(EXPECTED_VERSIONS) and self.datastore.enable_db_functions:
            # The stored function inserts without passing through the check below.
            raise ProgrammingError("read checks need POSTGRES_ENABLE_DB_FUNCTIONS off")
        return super().insert_events(stored_events, **kwargs)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        expected: dict[UUID, int] | None = kwargs.get(EXPECTED_VERSIONS)
        if expected:
            # Every writer takes this lock before inserting, and the statement after it sees
            # everything committed before it was granted: nothing can change until commit.
            self._lock_table(curs)
            curs.execute(
                SQL(
                    "SELECT originator_id, MAX(originator_version) AS version "
                    "FROM {schema}.{table} WHERE originator_id = ANY(%s) GROUP BY originator_id"
                ).format(
                    schema=Identifier(self.datastore.schema),
                    table=Identifier(self.events_table_name),
                ),
                (list(expected),),
            )
            found = {UUID(str(row["originator_id"])): row["version"] for row in curs.fetchall()}
            check_read_versions(expected, found)
        super()._insert_stored_events(curs, stored_events, **kwargs)
