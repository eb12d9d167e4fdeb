"""Keeps the read models up to date from the notification log, counting each event once.

The rows a batch of events changes and the new tracking position are written in one
transaction, and the position only moves forward from where this runner read it: a
second runner racing over the same batch fails its update and rolls its rows back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from domain.exposure import Exposure
from domain.pool import RiskPool
from domain.product import Product
from ledger.settings import TIMEZONE
from projections.dated import Moment
from projections.handlers import HANDLERS
from projections.journal import fold as fold_journal
from projections.rows import Rows
from projections.schema import metadata, schema, tracking

NAME = "read_models"
OPENINGS = (RiskPool.Opened, Product.Defined, Exposure.Opened)
BATCH = 1000
# The key of the PostgreSQL advisory lock that serializes creating the tables ("rlsc").
SCHEMA_LOCK = 0x726C7363


def effective_date_of(domain_event: Any) -> date:
    """Returns the business date an event takes effect: its own, else the day it was recorded."""
    effective: date | None = getattr(domain_event, "effective_date", None)
    if effective is not None:
        return effective
    return domain_event.timestamp.astimezone(TIMEZONE).date()


def fold_event(rows: Rows, position: int, domain_event: Any) -> None:
    """Folds one event into the read models' rows and their dated history."""
    rows.begin(position, effective_date_of(domain_event), domain_event.timestamp)
    handler = HANDLERS.get(type(domain_event))
    if handler is not None:
        handler(rows, domain_event)
    fold_journal(rows, domain_event)  # after the rows it reads from
    rows.end()


class ProjectionRaceError(RuntimeError):
    """Another runner advanced the read models while this one was folding the same events."""


def open_engine(url: str, options: Mapping[str, Any] | None = None) -> Engine:
    """Returns an engine on the read-model database, creating the tables if needed.

    `url` is a SQLite or a PostgreSQL (postgresql+psycopg://) URL; `options` are extra
    create_engine() keywords, such as the PostgreSQL pool's size and recycling.
    """
    if not url.startswith("sqlite"):
        engine = create_engine(url, **(options or {}))
        _match_schema(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": 30}, **(options or {}))

    @event.listens_for(engine, "connect")
    def _wal(connection: object, _record: object) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    _match_schema(engine)
    return engine


def lock_schema(connection: Connection) -> None:
    """On PostgreSQL, waits until no other process is creating or dropping these tables.

    Two processes opening a new database at once would otherwise both try to create the
    same tables and one would fail; SQLite's single writer lock already serializes them.
    The lock is held until the caller's transaction ends.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


def schema_fingerprint() -> str:
    """A digest of every read-model table's columns: it changes whenever the shape does."""
    shape = sorted(
        (table.name, column.name, str(column.type))
        for table in metadata.sorted_tables
        for column in table.columns
    )
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:16]


def _match_schema(engine: Engine) -> None:
    """Creates the tables; drops and recreates them when they were made by another version.

    Read models are disposable: tables of an older shape are dropped, and the next catch-up
    refolds every event into the new ones.
    """
    wanted = schema_fingerprint()
    if _recorded_fingerprint(engine) == wanted:
        return  # made by this version: no need to look for each table (a query each)
    with engine.begin() as connection:
        lock_schema(connection)
        metadata.create_all(connection)
        found = connection.execute(select(schema.c.fingerprint)).scalar()
        if found == wanted:
            return
        if found is not None:
            metadata.drop_all(connection)
            metadata.create_all(connection)
        connection.execute(schema.insert(), {"fingerprint": wanted})


def _recorded_fingerprint(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(schema.name):
            return None
        return connection.execute(select(schema.c.fingerprint)).scalar()


class ReadModels:
    """The read models of one ledger and the runner that folds events into them."""

    def __init__(self, app: Application, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    def position(self) -> int:
        """The position of the last event folded into the read models (0 before any)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(tracking.c.position).where(tracking.c.projection == NAME)
            ).scalar()
        return found or 0

    def lag(self) -> int:
        """How many recorded events the read models have not folded yet."""
        return (self.app.recorder.max_notification_id() or 0) - self.position()

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Folds every event recorded since the last position; returns how many it folded."""
        folded = 0
        last = self.app.recorder.max_notification_id() or 0
        rows, end = Rows(), None
        while True:
            start = self.position()
            if start == 0:  # nothing folded yet: the tables are empty
                rows.start_empty()
            elif start != end:  # another runner moved on: cached rows are stale
                rows.forget()
            notifications = self.app.recorder.select_notifications(
                start=start, limit=BATCH, inclusive_of_start=False
            )
            if not notifications:
                return folded
            try:
                with self.engine.begin() as connection:
                    rows.bind(connection)
                    for notification in notifications:
                        domain_event = self.app.mapper.to_domain_event(notification)
                        fold_event(rows, notification.id, domain_event)
                    rows.flush()
                    end = notifications[-1].id
                    self._advance(connection, start, end)
            except IntegrityError as error:
                # A runner that folded the same batch first inserted the same rows (or the
                # first position): this batch was rolled back whole, as after any race.
                if self.position() != start:
                    raise ProjectionRaceError(
                        f"the read models moved past {start} while folding to "
                        f"{notifications[-1].id}"
                    ) from error
                raise
            folded += len(notifications)
            if progress is not None:
                progress(notifications[-1].id, last)

    @staticmethod
    def _advance(connection: Connection, start: int, end: int) -> None:
        if start == 0:
            exists = connection.execute(
                select(tracking.c.position).where(tracking.c.projection == NAME)
            ).scalar()
            if exists is None:
                connection.execute(tracking.insert(), {"projection": NAME, "position": end})
                return
        moved = connection.execute(
            update(tracking)
            .where(tracking.c.projection == NAME, tracking.c.position == start)
            .values(position=end)
        )
        if moved.rowcount != 1:
            raise ProjectionRaceError(f"the read models moved past {start} while folding to {end}")

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drops and refolds every read model from the first event; returns the events folded."""
        metadata.drop_all(self.engine)
        _match_schema(self.engine)
        return self.catch_up(progress)


def replay(app: Application, engine: Engine, moment: Moment) -> int:
    """Folds into `engine`'s empty read models only the events `moment` sees: effective by its
    business date and recorded by its time, in recorded order. Returns how many it folded.

    This is the slow, obviously right answer the dated history must agree with: it reads
    the whole log.
    """
    known_at = moment.known_at
    folded = 0
    with engine.begin() as connection:
        rows = Rows(connection)
        rows.start_empty()
        start = 0
        while notifications := app.recorder.select_notifications(
            start=start, limit=BATCH, inclusive_of_start=False
        ):
            for notification in notifications:
                domain_event = app.mapper.to_domain_event(notification)
                # Opening a pool, a product or an exposure carries no figure of any date:
                # contributions and loans may well be dated before the command opening them.
                dated = not isinstance(domain_event, OPENINGS)
                if dated and moment.as_of and effective_date_of(domain_event) > moment.as_of:
                    continue
                if known_at is not None and domain_event.timestamp > known_at:
                    continue
                fold_event(rows, notification.id, domain_event)
                folded += 1
            start = notifications[-1].id
        rows.flush()
    return folded
