"""Which of many aggregates the event store holds, and at which version: one query per chunk.

A batch's new loans and borrowers are mostly absent; asking the repository one id at a
time costs a snapshot lookup and an events query each. On SQLite one `IN (...)` query per
chunk answers for hundreds, on PostgreSQL one `= ANY(...)` query; any other recorder is
asked id by id.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteAggregateRecorder

if TYPE_CHECKING:
    from eventsourcing.application import Application

# Well under SQLite's limit on parameters in one statement (999 before 3.32).
CHUNK = 500


def stored_versions(app: Application[UUID], ids: Collection[UUID]) -> dict[UUID, int]:
    """Returns the stored version (its last event's) of each of `ids` the store holds."""
    recorder = app.recorder
    wanted = list(ids)
    if _is_postgres(recorder):
        return _postgres_versions(recorder, wanted)
    if not isinstance(recorder, SQLiteAggregateRecorder):
        found = (recorder.select_events(aggregate, desc=True, limit=1) for aggregate in wanted)
        return {events[0].originator_id: events[0].originator_version for events in found if events}
    versions: dict[UUID, int] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = [aggregate.hex for aggregate in wanted[start : start + CHUNK]]
        statement = (
            f"SELECT originator_id, MAX(originator_version) FROM {recorder.events_table_name} "
            f"WHERE originator_id IN ({','.join('?' * len(chunk))}) GROUP BY originator_id"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, chunk)
            versions.update((UUID(row[0]), row[1]) for row in cursor.fetchall())
    return versions


def _is_postgres(recorder: object) -> bool:
    try:
        from eventsourcing.postgres import PostgresAggregateRecorder
    except ImportError:  # psycopg is not installed: no PostgreSQL store can be open
        return False
    return isinstance(recorder, PostgresAggregateRecorder)


def _postgres_versions(recorder: Any, wanted: list[UUID]) -> dict[UUID, int]:
    """The same question on PostgreSQL: one `= ANY(%s)` query for all of them."""
    from psycopg.sql import SQL, Identifier

    statement = SQL(
        "SELECT originator_id, MAX(originator_version) AS version FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) GROUP BY originator_id"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(statement, [wanted])
        return {UUID(str(row["originator_id"])): row["version"] for row in cursor.fetchall()}
