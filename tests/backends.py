"""The two stores a ledger runs on, for tests: a SQLite file, or a PostgreSQL database lent
to one test and emptied after it.

`fresh_database_url("postgres", tmp_path)` yields a `--db` URL on an empty database of its
own (riskledger_test_<pid>_<n>); afterwards it closes whatever connections are still open
on it and empties it for the next test, and the run drops them all at its end. Subprocess
tests pass that URL on their command lines. `RawEvents` reaches the stored
events behind the ledger's back, as an old version of riskledger or someone tampering with
the database would, with the same calls on both stores.

The server is RISKLEDGER_TEST_POSTGRES (an admin URL; default the local server as user
postgres). Where CI=true it must be reachable: the PostgreSQL tests fail, never skip.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger.database import PostgresDatabase
from ledger.settings import Settings

BACKENDS = ("sqlite", "postgres")
ADMIN_URL = os.environ.get(
    "RISKLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE_PREFIX = "riskledger_test_"


def only_on(*backends: str) -> pytest.MarkDecorator:
    """Runs one test of a module that runs on both stores on `backends` alone.

    For a test whose subject does not depend on the store and that costs much on PostgreSQL;
    say why where it is used.
    """
    return pytest.mark.parametrize(
        "backend",
        [
            pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else [])
            for name in backends
        ],
        indirect=True,
    )


def in_ci() -> bool:
    """Whether this run is CI's, where the PostgreSQL tests must run."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


class PostgresServer:
    """Lends uniquely named databases on the test server, empties them, drops them at the end.

    A database given back is emptied (its schema dropped, whatever is still connected to it
    closed) and lent again: creating a database copies a template and syncs it to disk, which
    costs ten times as much on a busy machine, once per test.
    """

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin = PostgresDatabase.from_url(admin_url)
        self._admin_url = make_url(admin_url).set(drivername="postgresql")
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.created: set[str] = set()
        self._idle: list[str] = []

    def unreachable(self) -> str | None:
        """Why the server cannot be used, in one line; None when it can."""
        try:
            with closing(self._connect(timeout=3)) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error as error:
            first_line = (str(error).strip().splitlines() or ["no reason given"])[0]
            return f"PostgreSQL at {self.admin.describe()} is unreachable: {first_line}"
        return None

    def create_database(self) -> str:
        """Creates an empty database and returns its `--db` URL."""
        with self._lock:
            name = f"{DATABASE_PREFIX}{os.getpid()}_{next(self._numbers)}"
            self.created.add(name)
        with closing(self._connect()) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def lend_database(self) -> str:
        """Returns the `--db` URL of an empty database: one given back earlier, else a new one."""
        with self._lock:
            name = self._idle.pop() if self._idle else None
        return self.create_database() if name is None else self.url(name)

    def give_back(self, url: str) -> None:
        """Empties a lent database for the next test, closing what is still connected to it."""
        name = PostgresDatabase.from_url(url).dbname
        try:
            with closing(self._connect(dbname=name)) as connection:
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                connection.execute("DROP SCHEMA public CASCADE")
                connection.execute("CREATE SCHEMA public")
        except psycopg.Error:
            self.drop_database(url)  # one that cannot be emptied is not lent again
            return
        with self._lock:
            self._idle.append(name)

    def copy_database(self, url: str) -> str:
        """Creates a copy of the database at `url` (nobody may be connected to it)."""
        with self._lock:
            name = f"{DATABASE_PREFIX}{os.getpid()}_{next(self._numbers)}"
            self.created.add(name)
        source = PostgresDatabase.from_url(url).dbname
        with closing(self._connect()) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(source)
                )
            )
        return self.url(name)

    def replace_with_copy(self, url: str, template: str) -> None:
        """Makes the database at `url` a copy of `template` (nobody may be connected to it)."""
        name = PostgresDatabase.from_url(url).dbname
        source = PostgresDatabase.from_url(template).dbname
        with closing(self._connect()) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(source)
                )
            )

    def drop_database(self, url: str) -> None:
        """Drops the database at `url`, closing whatever connections are left on it."""
        name = PostgresDatabase.from_url(url).dbname
        with closing(self._connect()) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        with self._lock:
            self.created.discard(name)
            if name in self._idle:
                self._idle.remove(name)

    def drop_all(self) -> None:
        """Drops every database this process created and has not dropped yet."""
        for name in sorted(self.created):
            self.drop_database(self.url(name))

    def url(self, name: str) -> str:
        """The `--db` URL of database `name` on this server."""
        return self._admin_url.set(database=name).render_as_string(hide_password=False)

    def _connect(self, timeout: int = 10, dbname: str | None = None) -> psycopg.Connection[Any]:
        kwargs = self.admin.connect_kwargs()
        if dbname is not None:
            kwargs["dbname"] = dbname
        return psycopg.connect(**kwargs, connect_timeout=timeout, autocommit=True)


SERVER = PostgresServer()


@contextmanager
def fresh_database_url(backend: str, tmp_path: Path, name: str = "ledger") -> Iterator[str]:
    """Yields a `--db` value naming a new, empty store of `backend`; drops it afterwards."""
    if backend == "sqlite":
        yield str(tmp_path / f"{name}.db")
        return
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}; one of {BACKENDS}")
    url = SERVER.lend_database()
    try:
        yield url
    finally:
        SERVER.give_back(url)


@contextmanager
def copy_of_store(db: str, tmp_path: Path, name: str = "copy") -> Iterator[str]:
    """Yields a `--db` value naming a copy of the store `db`, which nobody may have open."""
    if backend_of(db) == "sqlite":
        copied = tmp_path / f"{name}.db"
        shutil.copyfile(db, copied)
        yield str(copied)
        return
    url = SERVER.copy_database(db)
    try:
        yield url
    finally:
        SERVER.drop_database(url)


def run_sql(db: str, statement: str) -> list[tuple[Any, ...]]:
    """Runs one SQL statement on the store (as the read models reach it) and commits."""
    engine = create_engine(Settings(db=db).read_model_url())
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def backend_of(db: str) -> str:
    """Which store a `--db` value names."""
    return "sqlite" if Settings(db=db).postgres is None else "postgres"


class RawEvents:
    """The stored events table of one store, read and changed behind the ledger's back.

    Statements name the table `stored_events` and the position `{position}`, and take `?`
    parameters, whatever the store: positions are the notification log's, SQLite's rowid or
    PostgreSQL's notification_id. Originator ids come back as UUIDs on both.
    """

    def __init__(self, db: str) -> None:
        self.postgres = Settings(db=db).postgres
        # eventsourcing names the table after the application on PostgreSQL, where several
        # applications may share one database.
        if self.postgres is None:
            self.connection: Any = sqlite3.connect(db)
            self.position, self.table, self.mark = "rowid", "stored_events", "?"
        else:
            self.connection = psycopg.connect(**self.postgres.connect_kwargs())
            self.position, self.table, self.mark = "notification_id", "riskledger_events", "%s"

    def __enter__(self) -> RawEvents:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.connection.commit()
        self.connection.close()

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        text = statement.replace("{position}", self.position).replace("?", self.mark)
        text = text.replace("stored_events", self.table)
        cursor = self.connection.execute(text, params)
        return cursor.fetchall() if cursor.description is not None else []

    def _id(self, originator_id: UUID) -> Any:
        return originator_id if self.postgres is not None else originator_id.hex

    def exists(self) -> bool:
        """Whether the events table was ever created (a ledger was opened on this store)."""
        if self.postgres is None:
            found = self._run("SELECT name FROM sqlite_master WHERE name = 'stored_events'")
        else:
            found = self._run("SELECT to_regclass('stored_events')")
        return bool(found and found[0][0])

    def count(self) -> int:
        """How many events are stored."""
        return self._run("SELECT COUNT(*) FROM stored_events")[0][0]

    def last_position(self) -> int:
        return self._run("SELECT MAX({position}) FROM stored_events")[0][0] or 0

    def rows(self, topic_like: str = "%") -> list[tuple[int, UUID, int, str, bytes]]:
        """(position, originator id, version, topic, state) of every event, in log order."""
        found = self._run(
            "SELECT {position}, originator_id, originator_version, topic, state "
            "FROM stored_events WHERE topic LIKE ? ORDER BY {position}",
            (topic_like,),
        )
        return [
            (position, UUID(str(oid)), version, topic, bytes(state))
            for position, oid, version, topic, state in found
        ]

    def state(self, position: int) -> bytes:
        (state,) = self._run("SELECT state FROM stored_events WHERE {position} = ?", (position,))[0]
        return bytes(state)

    def set_state(self, position: int, state: bytes) -> None:
        """Overwrites the stored bytes of the event at `position`."""
        self._run("UPDATE stored_events SET state = ? WHERE {position} = ?", (state, position))

    def delete(self, position: int) -> None:
        self._run("DELETE FROM stored_events WHERE {position} = ?", (position,))

    def insert(self, originator_id: UUID, version: int, topic: str, state: bytes) -> None:
        """Appends an event at the end of the log, as an older riskledger would have stored it."""
        self._run(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            (self._id(originator_id), version, topic, state),
        )

    def commit(self) -> None:
        self.connection.commit()

    def row(self, position: int) -> tuple[Any, ...]:
        """The stored columns of the event at `position`, as put_back() takes them."""
        return self._run(
            "SELECT originator_id, originator_version, topic, state "
            "FROM stored_events WHERE {position} = ?",
            (position,),
        )[0]

    def put_back(self, position: int, row: tuple[Any, ...]) -> None:
        """Stores `row` (from row()) at `position` again, after it was deleted."""
        self._run(
            "INSERT INTO stored_events "
            "({position}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            (position, self._id(row[0]) if isinstance(row[0], UUID) else row[0], *row[1:]),
        )

    def put_all(self, rows: list[tuple[int, UUID, int, str, bytes]]) -> None:
        """Stores rows as rows() returns them, each at its own position, in one round trip.

        On PostgreSQL the position sequence is then moved past them, so the ledger's next
        event takes the next position, as after an import.
        """
        statement = (
            "INSERT INTO stored_events "
            "({position}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)"
        )
        text = statement.replace("{position}", self.position).replace("?", self.mark)
        values = [
            (position, self._id(oid), version, topic, state)
            for position, oid, version, topic, state in rows
        ]
        self.connection.cursor().executemany(text.replace("stored_events", self.table), values)
        if self.postgres is not None:
            self._run(
                "SELECT setval(pg_get_serial_sequence('stored_events', 'notification_id'), "
                "(SELECT MAX(notification_id) FROM stored_events))"
            )

    def remove_copy(self, position: int) -> None:
        """Undoes insert_copy(): deletes the event at `position` and moves later ones down."""
        self.delete(position)
        self._run(
            "UPDATE stored_events SET {position} = -({position} - 1) WHERE {position} > ?",
            (position,),
        )
        self._run("UPDATE stored_events SET {position} = -{position} WHERE {position} < 0")

    def insert_copy(self, position: int, copied_from: int) -> None:
        """Moves every event from `position` on up by one and puts a copy of another there.

        The copy gets a version no aggregate reaches, so only its position tells it apart.
        """
        # Through negative positions, so no two rows ever share one mid-update.
        self._run(
            "UPDATE stored_events SET {position} = -({position} + 1) WHERE {position} >= ?",
            (position,),
        )
        self._run("UPDATE stored_events SET {position} = -{position} WHERE {position} < 0")
        source = copied_from if copied_from < position else copied_from + 1
        self._run(
            "INSERT INTO stored_events "
            "({position}, originator_id, originator_version, topic, state) "
            "SELECT ?, originator_id, originator_version + 1000000, topic, state "
            "FROM stored_events WHERE {position} = ?",
            (position, source),
        )
