"""What the ledger's figures are compared with, each measured in the same run:

- the raw write speed of the database: the library's own stored-event rows written in one
  transaction, by sqlite3 `executemany` or by PostgreSQL binary COPY;
- the `eventsourcing` library's default way of saving: one aggregate per `save()`;
- the raw read speed of the log: every notification selected in batches and decoded into
  its domain event, with no fold.
"""

from __future__ import annotations

import math
import sqlite3
import time
import uuid
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

# The events each baseline loan gets: registered, disbursed and two repayments.
EVENTS_PER_BASELINE_LOAN = 4
SCAN_BATCH = 1000


@dataclass(frozen=True)
class Rate:
    """How many things were done in how long."""

    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


def _timed_rate(count: int, started: float) -> Rate:
    return Rate(count, time.perf_counter() - started)


# -- raw writes ------------------------------------------------------------------------------


def sqlite_executemany(source: Path, table: str, scratch: Path) -> Rate:
    """Copies `table`'s stored events from the SQLite file `source` into a new file with the
    same schema, in one `executemany` and one transaction; times only the write."""
    with closing(sqlite3.connect(source)) as reading:
        schema = [
            sql
            for (sql,) in reading.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
            )
        ]
        rows = reading.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {table} ORDER BY rowid"
        ).fetchall()
    scratch.unlink(missing_ok=True)
    with closing(sqlite3.connect(scratch, isolation_level=None)) as writing:
        # The library's recorder runs its file databases in WAL mode.
        writing.execute("PRAGMA journal_mode=WAL")
        for statement in schema:
            writing.execute(statement)
        started = time.perf_counter()
        writing.execute("BEGIN")
        writing.executemany(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        writing.execute("COMMIT")
        rate = _timed_rate(len(rows), started)
    scratch.unlink(missing_ok=True)
    return rate


def postgres_copy(connect: Mapping[str, Any], schema: str, table: str) -> Rate:
    """Copies `table`'s stored events into a new table like it by binary COPY, in one
    transaction; times only the write. The copy is dropped again."""
    import psycopg
    from psycopg import sql

    source = sql.Identifier(schema, table)
    target = sql.Identifier(schema, f"{table}_bench_copy")
    with psycopg.connect(**connect) as connection:
        rows = connection.execute(
            sql.SQL(
                "SELECT originator_id, originator_version, topic, state FROM {} "
                "ORDER BY notification_id"
            ).format(source)
        ).fetchall()
        connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
        connection.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, source)
        )
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            statement = sql.SQL(
                "COPY {} (originator_id, originator_version, topic, state) "
                "FROM STDIN (FORMAT BINARY)"
            ).format(target)
            with cursor.copy(statement) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for row in rows:
                    copy.write_row(row)
        connection.commit()
        rate = _timed_rate(len(rows), started)
        connection.execute(sql.SQL("DROP TABLE {}").format(target))
        connection.commit()
    return rate


# -- the library's default: one aggregate per save -------------------------------------------


class BaselineLoan(Aggregate):
    """A loan as a plain `eventsourcing` aggregate: the events a bank's loan gets first."""

    @event("Registered")
    def __init__(self, bank: str, reference: str, principal_fen: int, start: str) -> None:
        self.bank = bank
        self.reference = reference
        self.principal_fen = principal_fen
        self.start = start
        self.outstanding_fen = 0

    @event("Disbursed")
    def disburse(self, amount_fen: int, value_date: str) -> None:
        self.outstanding_fen += amount_fen

    @event("Repaid")
    def repay(self, principal_fen: int, interest_fen: int, value_date: str) -> None:
        self.outstanding_fen -= principal_fen


class Baseline(Application[uuid.UUID]):
    """The library's application with its default settings (no snapshots, no cache)."""


def library_saves(
    env: Mapping[str, str], events: int, per_save: int, time_limit: float = math.inf
) -> Rate:
    """Creates loans of four events each and saves `per_save` aggregates per `save()` (1 is
    the library's default way) until about `events` events are stored, or `time_limit`
    seconds have passed; times all of it."""
    app = Baseline(env=dict(env))
    loans = max(events // EVENTS_PER_BASELINE_LOAN, 1)
    pending: list[BaselineLoan] = []
    saved = 0
    started = time.perf_counter()
    for number in range(loans):
        loan = BaselineLoan("BASELINE", f"L{number:07d}", 3_000_000_00, "2024-02-01")
        loan.disburse(3_000_000_00, "2024-02-01")
        loan.repay(0, 1_000_000, "2024-03-01")
        loan.repay(500_000_00, 900_000, "2024-04-01")
        pending.append(loan)
        if len(pending) == per_save:
            app.save(*pending)
            saved += len(pending)
            pending.clear()
            if time.perf_counter() - started > time_limit:
                break
    if pending:
        app.save(*pending)
        saved += len(pending)
    rate = _timed_rate(saved * EVENTS_PER_BASELINE_LOAN, started)
    app.close()
    return rate


# -- raw reads -------------------------------------------------------------------------------


def read_and_decode(app: Application[uuid.UUID]) -> Rate:
    """Selects every notification in batches and decodes each into its domain event."""
    recorder, mapper = app.recorder, app.mapper
    started = time.perf_counter()
    count, position = 0, 0
    while notifications := recorder.select_notifications(
        start=position, limit=SCAN_BATCH, inclusive_of_start=False
    ):
        for notification in notifications:
            mapper.to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id
    return _timed_rate(count, started)
