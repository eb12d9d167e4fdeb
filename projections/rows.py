"""A batch's working set of read-model rows: loaded once, changed in memory, written back once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select

from projections.dated import HISTORY_COLUMNS, History, TrackedRow, row_key

Row = dict[str, Any]
Key = tuple[Any, ...]


class Rows:
    """Read-model rows touched by one batch of events, flushed in the batch's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._tables: dict[str, Table] = {}
        self._rows: dict[str, dict[Key, Row | None]] = {}
        self._as_loaded: dict[str, dict[Key, Row]] = {}
        self._new: dict[str, set[Key]] = {}
        self.history = History()
        # The event being folded: handlers that keep a row per event read these.
        self.position = 0
        self.effective_date: date | None = None
        self.recorded_at: datetime | None = None

    def begin(self, position: int, effective_date: date, recorded_at: datetime) -> None:
        """Starts folding the event at `position`: the changes that follow are its own."""
        self.position, self.effective_date, self.recorded_at = (
            position,
            effective_date,
            recorded_at,
        )
        self.history.begin(position, effective_date, recorded_at)

    def end(self) -> None:
        """Ends folding the current event."""
        self.history.end()

    def _tracked(self, table: Table, key: Key, values: Row) -> Row:
        if table.name not in HISTORY_COLUMNS:
            return values
        return TrackedRow(values, table, row_key(key), self.history.log)

    @staticmethod
    def _key_columns(table: Table) -> list[str]:
        return [column.name for column in table.primary_key.columns]

    def _cached(self, table: Table) -> dict[Key, Row | None]:
        if table.name not in self._tables:
            self._tables[table.name] = table
            self._rows[table.name] = {}
            self._as_loaded[table.name] = {}
            self._new[table.name] = set()
        return self._rows[table.name]

    def get(self, table: Table, *key: Any) -> Row | None:
        """Returns the row with primary key `key` for changing, or None when there is none."""
        cached = self._cached(table)
        if key not in cached:
            columns = self._key_columns(table)
            condition = and_(*(table.c[c] == v for c, v in zip(columns, key, strict=True)))
            found = self._connection.execute(select(table).where(condition)).mappings().first()
            cached[key] = self._tracked(table, key, dict(found)) if found is not None else None
            if found is not None:
                self._as_loaded[table.name][key] = dict(found)
        return cached[key]

    def need(self, table: Table, *key: Any) -> Row:
        """Returns the row with primary key `key`; a missing one means the log is inconsistent."""
        row = self.get(table, *key)
        if row is None:
            raise LookupError(f"{table.name} has no row {key}; the event log is out of order")
        return row

    def add(self, table: Table, **values: Any) -> Row:
        """Adds a new row, with every column not given at its default."""
        row: Row = {
            column.name: column.default.arg if column.default is not None else None
            for column in table.columns
        }
        row.update(values)
        key = tuple(row[name] for name in self._key_columns(table))
        row = self._tracked(table, key, row)
        if isinstance(row, TrackedRow):
            row.born()
        self._cached(table)[key] = row
        self._new[table.name].add(key)
        return row

    def ensure(self, table: Table, **values: Any) -> Row:
        """Returns the row with the key in `values`, adding it from `values` when missing."""
        key = tuple(values[name] for name in self._key_columns(table))
        return self.get(table, *key) or self.add(table, **values)

    def flush(self) -> None:
        """Writes the new rows and the changed ones, one statement per table and kind."""
        self.history.flush(self._connection)
        for name, table in self._tables.items():
            rows, new = self._rows[name], self._new[name]
            if new:
                self._connection.execute(table.insert(), [rows[key] for key in new])
            changed = [
                row
                for key, loaded in self._as_loaded[name].items()
                if (row := rows[key]) is not None and row != loaded
            ]
            if changed:
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
                        {
                            **{f"key_{k}": row[k] for k in keys},
                            **{f"new_{v}": row[v] for v in values},
                        }
                        for row in changed
                    ],
                )
            rows.clear()
            new.clear()
            self._as_loaded[name].clear()
