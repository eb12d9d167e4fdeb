"""Where the ledger lives: one `--db` value names a SQLite file or a PostgreSQL database.

The events (the `eventsourcing` recorder), the read models and the audit chain all live in
that one database. On PostgreSQL the event store and the read models each keep a pool of
connections, both sized by the same settings: eventsourcing's own POSTGRES_* variables,
read from the environment, with riskledger's defaults below (README "Running on
PostgreSQL"). The connection itself comes from the URL alone, so a stray POSTGRES_HOST in
a shell can never send a ledger's events to one database and its read models to another.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from domain.errors import DomainError, InvalidInput

POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
# The read models reach PostgreSQL through psycopg 3, the driver the event store uses.
READ_MODEL_DRIVER = "postgresql+psycopg"
FIELD = "--db"

# Each pool setting: its environment variable and riskledger's default. A command line
# process uses one connection at a time; a long-running one (scheduler, API worker) may
# borrow up to POOL_SIZE + MAX_OVERFLOW at once.
POOL_DEFAULTS: dict[str, str] = {
    "POSTGRES_POOL_SIZE": "2",
    "POSTGRES_MAX_OVERFLOW": "8",
    "POSTGRES_CONN_MAX_AGE": "1800",
    "POSTGRES_CONNECT_TIMEOUT": "10",
    "POSTGRES_PRE_PING": "n",
    "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5",
    "POSTGRES_LOCK_TIMEOUT": "0",
}
YES = ("y", "yes", "t", "true", "on", "1")
NO = ("n", "no", "f", "false", "off", "0")


class StoreUnavailable(DomainError):
    """The database named by --db cannot be reached; nothing was read or written."""


def is_url(db: str) -> bool:
    """Whether `db` is a URL (only postgresql:// ones are served) rather than a file path."""
    return "://" in db


@dataclass(frozen=True)
class PostgresDatabase:
    """The parts of a postgresql:// URL; an empty part means libpq's default."""

    dbname: str
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, db: str) -> PostgresDatabase:
        """Parses a postgresql:// (or postgresql+psycopg://) URL; refuses anything else."""
        try:
            url = make_url(db)
        except ArgumentError:
            raise InvalidInput(FIELD, f"{redact(db)!r} is not a PostgreSQL URL") from None
        if url.drivername not in POSTGRES_SCHEMES:
            raise InvalidInput(
                FIELD, f"{url.drivername}:// is not supported; use postgresql:// or a SQLite path"
            )
        if not url.database:
            raise InvalidInput(FIELD, "name the database: postgresql://USER@HOST:PORT/DBNAME")
        if url.query:
            raise InvalidInput(
                FIELD,
                f"URL parameters ({', '.join(url.query)}) are not read; "
                "set libpq's PG* environment variables (PGSSLMODE …) instead",
            )
        return cls(
            dbname=url.database,
            host=url.host or "",
            port=url.port or 5432,
            user=url.username or "",
            password=url.password or "",
        )

    def event_store_env(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The `eventsourcing.postgres` environment: this database, pooled as configured."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "CREATE_TABLE": "y",
            **PoolSettings.from_environ(environ).event_store_env(),
        }

    def sqlalchemy_url(self) -> URL:
        """The read models' URL: the same database, through psycopg 3."""
        return URL.create(
            READ_MODEL_DRIVER,
            username=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port,
            database=self.dbname,
        )

    def connect_kwargs(self) -> dict[str, Any]:
        """psycopg.connect() keyword arguments for this database."""
        return {
            "dbname": self.dbname,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
        }

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return self.sqlalchemy_url().set(drivername="postgresql").render_as_string()

    def missing_tables(self, tables: Sequence[str], schema: str, timeout: int) -> list[str]:
        """Returns which of `tables` (in `schema`) the database lacks, in one short connection.

        Raises StoreUnavailable, with libpq's reason, when the database refuses the login:
        the event store's pool would otherwise keep retrying a refused or missing database
        for the whole connect timeout and then report only that it timed out.
        """
        import psycopg  # only PostgreSQL ledgers need the driver loaded
        from psycopg import sql

        try:
            with psycopg.connect(
                **self.connect_kwargs(), connect_timeout=max(timeout, 1), autocommit=True
            ) as connection:
                names = [sql.Identifier(schema, table).as_string(connection) for table in tables]
                found = connection.execute(
                    "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL",
                    (names,),
                ).fetchall()
        except psycopg.Error as error:
            # libpq says where it tried, then "failed: " and why: keep the why, on one line.
            first_line = (str(error).strip().splitlines() or ["no reason given"])[0]
            reason = " ".join(first_line.rpartition("failed: ")[2].split())
            raise StoreUnavailable(
                FIELD, f"cannot connect to {self.describe()}: {reason}"
            ) from None
        missing = {name for (name,) in found}
        return [table for table, name in zip(tables, names, strict=True) if name in missing]


def redact(db: str) -> str:
    """`db` with any password in it replaced by ***, for messages."""
    try:
        return make_url(db).render_as_string() if "://" in db else db
    except ArgumentError:
        return db.split("@")[-1]


@dataclass(frozen=True)
class PoolSettings:
    """How both PostgreSQL pools (events and read models) connect and recycle connections."""

    size: int
    max_overflow: int
    max_age_seconds: float
    connect_timeout: int
    pre_ping: bool
    idle_in_transaction_timeout: int
    lock_timeout: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> PoolSettings:
        """Reads the POSTGRES_* variables, each falling back to riskledger's default."""
        found = os.environ if environ is None else environ

        def value(name: str) -> str:
            return (found.get(name) or POOL_DEFAULTS[name]).strip()

        return cls(
            size=_whole(value, "POSTGRES_POOL_SIZE", minimum=1),
            max_overflow=_whole(value, "POSTGRES_MAX_OVERFLOW", minimum=0),
            max_age_seconds=float(_whole(value, "POSTGRES_CONN_MAX_AGE", minimum=1)),
            connect_timeout=_whole(value, "POSTGRES_CONNECT_TIMEOUT", minimum=1),
            pre_ping=_flag(value("POSTGRES_PRE_PING"), "POSTGRES_PRE_PING"),
            idle_in_transaction_timeout=_whole(
                value, "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT", minimum=0
            ),
            lock_timeout=_whole(value, "POSTGRES_LOCK_TIMEOUT", minimum=0),
        )

    def event_store_env(self) -> dict[str, str]:
        """These settings under the names `eventsourcing.postgres` reads."""
        return {
            "POSTGRES_POOL_SIZE": str(self.size),
            "POSTGRES_MAX_OVERFLOW": str(self.max_overflow),
            "POSTGRES_CONN_MAX_AGE": str(self.max_age_seconds),
            "POSTGRES_CONNECT_TIMEOUT": str(self.connect_timeout),
            "POSTGRES_PRE_PING": "y" if self.pre_ping else "n",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": str(self.idle_in_transaction_timeout),
            "POSTGRES_LOCK_TIMEOUT": str(self.lock_timeout),
        }

    def engine_options(self) -> dict[str, Any]:
        """create_engine() keyword arguments giving the read models' pool the same shape."""
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_recycle": int(self.max_age_seconds),
            "pool_pre_ping": self.pre_ping,
            "pool_timeout": self.connect_timeout,
            "connect_args": {"connect_timeout": self.connect_timeout},
        }


def _whole(value: Callable[[str], str], name: str, *, minimum: int) -> int:
    text = value(name)
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(name, f"{text!r} is not a whole number") from None
    if number < minimum:
        raise InvalidInput(name, f"{number} is below the least allowed, {minimum}")
    return number


def _flag(text: str, name: str) -> bool:
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise InvalidInput(name, f"{text!r} is not yes or no")
