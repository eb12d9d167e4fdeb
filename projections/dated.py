"""Dated balance history: every additive figure of the read models, by effective date.

While events are folded, each change an event makes to an additive column (projections/
schema.py marks them) is logged under the event's effective date. The day's changes are
summed into `rl_daily`, and each event's own changes are kept in `rl_movement` with the
time it was recorded. A figure as of a business date D is then the sum of its daily
changes up to D, with no replay; a figure as the ledger knew it at a time T takes away
the changes of the events recorded after T.

Back-dated events count on their own effective date, and a reversal on its own: as of a
date between a mistaken event and its reversal, the mistake still shows, as it did then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from projections.schema import (
    additive_columns,
    daily,
    loans,
    monthly,
    movements,
    pools,
    product_banks,
    product_parties,
    products,
)

# The pseudo-column counting a row into existence: a row exists as of D when it is above 0.
ROWS = "_rows"

Change = tuple[str, str, str, date | None]  # table, row key, column, day (None: the event's)
# Reference rows (a pool, a product) exist in every past report once recorded, whatever
# the date of the command that opened them: contributions are often dated before it.
UNDATED = date.min
UNDATED_BIRTHS = frozenset({"rl_pool", "rl_product"})


def row_key(key: Iterable[Any]) -> str:
    """Returns the text under which a read-model row's history is kept."""
    return json.dumps([str(part) for part in key], ensure_ascii=False, separators=(",", ":"))


def utc_naive(moment: datetime) -> datetime:
    """Returns `moment` in UTC without its zone: how recorded times are stored and compared."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# The tables whose additive figures keep a dated history.
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: additive_columns(table)
    for table in (pools, products, product_banks, product_parties, loans)
}


@dataclass
class EventChanges:
    """What one event changed: its position, dates and the deltas per (table, key, column)."""

    position: int
    effective_date: date
    recorded_at: datetime
    deltas: dict[Change, int]


class History:
    """The dated changes of one batch of events, written in the batch's transaction."""

    def __init__(self) -> None:
        self._daily: dict[tuple[str, str, str, date], int] = {}
        self._movements: list[dict[str, Any]] = []
        self._current: EventChanges | None = None

    def begin(self, position: int, effective_date: date, recorded_at: datetime) -> None:
        self._current = EventChanges(position, effective_date, utc_naive(recorded_at), {})

    def log(self, table: str, key: str, column: str, delta: int, undated: bool) -> None:
        current = self._current
        if current is None:
            raise RuntimeError("a read-model row changed outside an event")
        change = (table, key, column, UNDATED if undated else None)
        current.deltas[change] = current.deltas.get(change, 0) + delta

    def log_birth(self, table: str, key: str) -> None:
        """Logs a row's coming into existence: on the event's date, or on none for a pool's or
        a product's (they exist in every past report once recorded)."""
        self.log(table, key, ROWS, 1, table in UNDATED_BIRTHS)

    def end(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        deltas = {change: delta for change, delta in current.deltas.items() if delta}
        if not deltas:
            return
        for (table, key, column, undated), delta in deltas.items():
            day = (table, key, column, undated or current.effective_date)
            self._daily[day] = self._daily.get(day, 0) + delta
        self._movements.append(
            {
                "position": current.position,
                "effective_date": current.effective_date,
                "recorded_at": current.recorded_at,
                "changes": json.dumps(
                    [
                        [t, k, c, d, *([UNDATED.isoformat()] if undated else [])]
                        for (t, k, c, undated), d in deltas.items()
                    ],
                    ensure_ascii=False,
                ),
            }
        )

    def flush(self, connection: Connection) -> None:
        """Adds the batch's daily sums to `rl_daily` and its events' changes to `rl_movement`."""
        if self._daily:
            months: dict[tuple[str, str, str, date], int] = {}
            for (t, k, c, d), delta in self._daily.items():
                month = (t, k, c, d.replace(day=1))
                months[month] = months.get(month, 0) + delta
            _add(connection, daily, daily.c.effective_date, self._daily)
            _add(connection, monthly, monthly.c.month, months)
        if self._movements:
            connection.execute(insert(movements), self._movements)
        self._daily.clear()
        self._movements.clear()


def _add(
    connection: Connection,
    table: Table,
    day: Any,
    deltas: dict[tuple[str, str, str, date], int],
) -> None:
    """Adds each delta to its (table, key, column, day) row of `table`, creating it if new."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tbl, table.c.key, table.c.col, day],
        set_={"delta": table.c.delta + statement.excluded.delta},
    )
    connection.execute(
        statement,
        [
            {"tbl": t, "key": k, "col": c, day.name: d, "delta": delta}
            for (t, k, c, d), delta in deltas.items()
        ],
    )


@dataclass(frozen=True)
class Moment:
    """When a report looks at the ledger: a business date, and what was recorded by a time.

    `as_of` None means every effective date; `known_at` None means everything recorded.
    """

    as_of: date | None = None
    known_at: datetime | None = None

    @property
    def is_now(self) -> bool:
        return self.as_of is None and self.known_at is None


Figures = dict[str, dict[str, int]]  # row key -> column -> value


def figures(
    connection: Connection, table: Table, moment: Moment, keys: Iterable[str] | None = None
) -> Figures:
    """Returns each row's additive figures (and `_rows`) of `table` at `moment`.

    Sums the daily changes up to the business date, then takes away those of events
    recorded after `known_at`; `keys` limits the rows read.
    """
    wanted = None if keys is None else set(keys)
    found: Figures = {}
    for key, column, total in _sums(connection, table, moment.as_of, wanted):
        row = found.setdefault(key, {})
        row[column] = row.get(column, 0) + int(total)
    for key, column, _, delta in _recorded_after(connection, table, moment):
        if wanted is None or key in wanted:
            row = found.setdefault(key, {})
            row[column] = row.get(column, 0) - delta
    return found


def _sums(
    connection: Connection, table: Table, as_of: date | None, keys: set[str] | None
) -> Iterator[tuple[str, str, int]]:
    """Yields (key, column, sum) of `table`'s changes up to `as_of`: the whole months before
    its month from `rl_monthly`, the days of its month from `rl_daily`."""
    first = None if as_of is None else as_of.replace(day=1)
    months = (
        select(monthly.c.key, monthly.c.col, func.sum(monthly.c.delta))
        .where(monthly.c.tbl == table.name)
        .group_by(monthly.c.key, monthly.c.col)
    )
    if first is not None:
        months = months.where(monthly.c.month < first)
    if keys is not None:
        months = months.where(monthly.c.key.in_(keys))
    yield from connection.execute(months)
    if first is None:
        return
    days = (
        select(daily.c.key, daily.c.col, func.sum(daily.c.delta))
        .where(daily.c.tbl == table.name)
        .where(daily.c.effective_date >= first, daily.c.effective_date <= as_of)
        .group_by(daily.c.key, daily.c.col)
    )
    if keys is not None:
        days = days.where(daily.c.key.in_(keys))
    yield from connection.execute(days)


def _recorded_after(
    connection: Connection, table: Table, moment: Moment
) -> Iterator[tuple[str, str, date, int]]:
    """Yields (key, column, day, delta) of `table`'s changes, up to the business date, made by
    events recorded after `moment.known_at` (nothing when it is None)."""
    if moment.known_at is None:
        return
    later = select(movements.c.effective_date, movements.c.changes).where(
        movements.c.recorded_at > utc_naive(moment.known_at)
    )
    for effective, text in connection.execute(later):
        for name, key, column, delta, *undated in json.loads(text):
            day = date.fromisoformat(undated[0]) if undated else effective
            if name == table.name and (moment.as_of is None or day <= moment.as_of):
                yield key, column, day, delta


def existing(found: Figures, key: str) -> dict[str, int] | None:
    """Returns the figures of the row under `key` when it existed at the moment, else None.

    A row exists once the event that made it is effective, or once any figure of it is: a
    back-dated event may give a row figures before the date of the event that made it.
    """
    row = found.get(key)
    if row is None or not (row.get(ROWS, 0) > 0 or any(row.values())):
        return None
    return row


def ordered_by_date(
    connection: Connection, table: Table, moment: Moment, keys: set[str] | None = None
) -> list[tuple[str, str, date, int]]:
    """Returns (key, column, effective date, delta) of `table`'s changes, oldest day first.

    Used by reports that cumulate the changes day by day; a `known_at` takes away the
    changes of the events recorded after it; `keys` limits the rows read.
    """
    query = (
        select(daily.c.key, daily.c.col, daily.c.effective_date, daily.c.delta)
        .where(daily.c.tbl == table.name)
        .order_by(daily.c.effective_date)
    )
    if moment.as_of is not None:
        query = query.where(daily.c.effective_date <= moment.as_of)
    if keys is not None:
        query = query.where(daily.c.key.in_(keys))
    changes = [(k, c, d, int(delta)) for k, c, d, delta in connection.execute(query)]
    later = [
        (k, c, d, -delta)
        for k, c, d, delta in _recorded_after(connection, table, moment)
        if keys is None or k in keys
    ]
    if later:
        changes = sorted(changes + later, key=lambda change: change[2])
    return changes
