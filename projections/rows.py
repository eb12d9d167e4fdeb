"""The read-model rows a fold works on: loaded once, changed in memory, written back per batch.

Rows stay cached from one batch to the next while one runner folds a stretch of the log
(nothing else writes the read models meanwhile: the tracking position guards that), so a
pool or a product is read from the database once per catch-up, not once per batch. Only
rows changed since the last flush are written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select

from projections.dated import HISTORY_COLUMNS, History, row_key

Key = tuple[Any, ...]
# Past this many cached rows the cache starts afresh: memory stays bounded on any ledger.
CACHE_LIMIT = 200_000


class Row(dict[str, Any]):
    """A read-model row that tells its `Rows` when it changes."""

    __slots__ = ("_dirty", "_key", "_table")

    def __init__(self, values: dict[str, Any], table: str, key: Key, dirty: set[Any]) -> None:
        super().__init__(values)
        self._table, self._key, self._dirty = table, key, dirty

    def __setitem__(self, column: str, value: Any) -> None:
        if dict.get(self, column, self) != value:
            self._dirty.add((self._table, self._key))
        super().__setitem__(column, value)

    def update(self, *args: Any, **values: Any) -> None:  # type: ignore[override]
        for column, value in dict(*args, **values).items():
            self[column] = value


class TrackedRow(Row):
    """A row whose additive columns keep a dated history: it logs each change it is given."""

    __slots__ = ("_additive", "_history", "_history_key")

    def __init__(
        self, values: dict[str, Any], table: str, key: Key, dirty: set[Any], history: History
    ) -> None:
        super().__init__(values, table, key, dirty)
        self._additive = HISTORY_COLUMNS[table]
        self._history = history
        self._history_key = row_key(key)

    def __setitem__(self, column: str, value: Any) -> None:
        if column in self._additive:
            delta = value - dict.get(self, column, 0)
            if delta:
                self._history.log(self._table, self._history_key, column, delta, False)
        super().__setitem__(column, value)

    def born(self) -> None:
        """Logs the row's coming into existence and the additive values it started with."""
        self._history.log_birth(self._table, self._history_key)
        for column in self._additive:
            if dict.get(self, column):
                self._history.log(self._table, self._history_key, column, self[column], False)


class Rows:
    """Read-model rows touched while folding, written back in each batch's transaction."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection
        self._tables: dict[str, Table] = {}
        self._rows: dict[str, dict[Key, Row | None]] = {}
        self._new: set[tuple[str, Key]] = set()
        # True while every row in the tables is in the cache (a fold into empty tables):
        # a key the cache lacks is then absent, with no query to ask.
        self._complete = False
        self._dirty: set[tuple[str, Key]] = set()
        self.history = History()
        # The event being folded: handlers that keep a row per event read these.
        self.position = 0
        self.effective_date: date | None = None
        self.recorded_at: datetime | None = None

    def bind(self, connection: Connection) -> None:
        """Folds the next batch in `connection`'s transaction."""
        self._connection = connection

    def forget(self) -> None:
        """Drops every cached row: another writer may have changed them."""
        self._rows.clear()
        self._complete = False

    def start_empty(self) -> None:
        """Says the tables hold no rows yet, so a key not cached is a key not there."""
        self._rows.clear()
        self._complete = True

    def begin(self, position: int, effective_date: date, recorded_at: datetime) -> None:
        """Starts folding the event at `position`: the changes that follow are its own."""
        self.position, self.effective_date = position, effective_date
        self.recorded_at = recorded_at
        self.history.begin(position, effective_date, recorded_at)

    def end(self) -> None:
        """Ends folding the current event."""
        self.history.end()

    def _row(self, table: Table, key: Key, values: dict[str, Any]) -> Row:
        if table.name in HISTORY_COLUMNS:
            return TrackedRow(values, table.name, key, self._dirty, self.history)
        return Row(values, table.name, key, self._dirty)

    @staticmethod
    def _key_columns(table: Table) -> list[str]:
        return [column.name for column in table.primary_key.columns]

    def _cached(self, table: Table) -> dict[Key, Row | None]:
        self._tables.setdefault(table.name, table)
        return self._rows.setdefault(table.name, {})

    def get(self, table: Table, *key: Any) -> Row | None:
        """Returns the row with primary key `key` for changing, or None when there is none."""
        cached = self._cached(table)
        if key not in cached:
            if self._complete:
                return None
            assert self._connection is not None, "bind a connection before folding"
            columns = self._key_columns(table)
            condition = and_(*(table.c[c] == v for c, v in zip(columns, key, strict=True)))
            found = self._connection.execute(select(table).where(condition)).mappings().first()
            cached[key] = self._row(table, key, dict(found)) if found is not None else None
        return cached[key]

    def need(self, table: Table, *key: Any) -> Row:
        """Returns the row with primary key `key`; a missing one means the log is inconsistent."""
        row = self.get(table, *key)
        if row is None:
            raise LookupError(f"{table.name} has no row {key}; the event log is out of order")
        return row

    def add(self, table: Table, **values: Any) -> Row:
        """Adds a new row, with every column not given at its default."""
        start: dict[str, Any] = {
            column.name: column.default.arg if column.default is not None else None
            for column in table.columns
        }
        start.update(values)
        key = tuple(start[name] for name in self._key_columns(table))
        row = self._row(table, key, start)
        if isinstance(row, TrackedRow):
            row.born()
        self._cached(table)[key] = row
        self._new.add((table.name, key))
        return row

    def ensure(self, table: Table, **values: Any) -> Row:
        """Returns the row with the key in `values`, adding it from `values` when missing."""
        key = tuple(values[name] for name in self._key_columns(table))
        return self.get(table, *key) or self.add(table, **values)

    def flush(self) -> None:
        """Writes the new rows and the changed ones, one statement per table and kind."""
        assert self._connection is not None, "bind a connection before flushing"
        self.history.flush(self._connection)
        for name, table in self._tables.items():
            cached = self._rows.get(name, {})
            new = [cached[key] for (table_name, key) in self._new if table_name == name]
            if new:
                self._connection.execute(table.insert(), new)
            changed = [
                row
                for (table_name, key) in self._dirty
                if table_name == name
                and (table_name, key) not in self._new
                and (row := cached.get(key)) is not None
            ]
            if changed:
                self._update(table, changed)
        self._new.clear()
        self._dirty.clear()
        if sum(len(rows) for rows in self._rows.values()) > CACHE_LIMIT:
            self.forget()

    def _update(self, table: Table, changed: list[Row]) -> None:
        assert self._connection is not None
        keys = self._key_columns(table)
        values = [c.name for c in table.columns if c.name not in keys]
        statement = (
            table.update()
            .where(and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys)))
            .values({v: bindparam(f"new_{v}") for v in values})
        )
        self._connection.execute(
            statement,
            [
                {**{f"key_{k}": row[k] for k in keys}, **{f"new_{v}": row[v] for v in values}}
                for row in changed
            ],
        )
