"""A batch's working set of read-model rows: loaded once, changed in memory, written back once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select

Row = dict[str, Any]


class Rows:
    """Read-model rows touched by one batch of events, flushed in the batch's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._loaded: dict[tuple[str, tuple[Any, ...]], Row | None] = {}
        self._new: dict[str, dict[tuple[Any, ...], Row]] = {}
        self._changed: dict[str, dict[tuple[Any, ...], Row]] = {}
        self._tables: dict[str, Table] = {}

    @staticmethod
    def _key_columns(table: Table) -> list[str]:
        return [column.name for column in table.primary_key.columns]

    def get(self, table: Table, *key: Any) -> Row | None:
        """Returns the row with primary key `key` for changing, or None when there is none."""
        cache_key = (table.name, key)
        if cache_key not in self._loaded:
            condition = and_(
                *(
                    table.c[name] == value
                    for name, value in zip(self._key_columns(table), key, strict=True)
                )
            )
            found = self._connection.execute(select(table).where(condition)).mappings().first()
            self._loaded[cache_key] = dict(found) if found is not None else None
            if found is not None:
                self._tables[table.name] = table
                self._changed.setdefault(table.name, {})
        row = self._loaded[cache_key]
        if row is not None and key not in self._new.get(table.name, {}):
            self._changed[table.name][key] = row
        return row

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
        self._loaded[(table.name, key)] = row
        self._tables[table.name] = table
        self._new.setdefault(table.name, {})[key] = row
        return row

    def ensure(self, table: Table, **values: Any) -> Row:
        """Returns the row with the key in `values`, adding it from `values` when missing."""
        key = tuple(values[name] for name in self._key_columns(table))
        return self.get(table, *key) or self.add(table, **values)

    def flush(self) -> None:
        """Writes every new and changed row in as few statements as the database allows."""
        for name, rows in self._new.items():
            if rows:
                self._connection.execute(self._tables[name].insert(), list(rows.values()))
        for name, rows in self._changed.items():
            if not rows:
                continue
            table = self._tables[name]
            keys = self._key_columns(table)
            statement = (
                table.update()
                .where(and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys)))
                .values(
                    {
                        c.name: bindparam(f"new_{c.name}")
                        for c in table.columns
                        if c.name not in keys
                    }
                )
            )
            params = [
                {
                    **{f"key_{k}": row[k] for k in keys},
                    **{f"new_{c}": v for c, v in row.items() if c not in keys},
                }
                for row in rows.values()
            ]
            self._connection.execute(statement, params)
        self._new.clear()
        for rows in self._changed.values():
            rows.clear()
