"""The demo programme's calendar: its key dates, the LPR history and date arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

AS_OF = date(2026, 6, 30)
INSTITUTIONS_ON = date(2023, 9, 1)
# The enterprise register (企业库) opened with a first batch in the autumn of 2023.
REGISTER_FROM = date(2023, 10, 9)
FIRST_BATCH_UNTIL = date(2023, 12, 29)
REGISTER_UNTIL = date(2025, 11, 28)
POOLS_OPEN_ON = date(2024, 1, 2)
FIRST_START = date(2024, 1, 15)
LAST_START = date(2025, 12, 31)
# The one-year Loan Prime Rate as published, from each change date.
LPR_1Y_BPS = (
    (date(2023, 8, 21), 345),
    (date(2024, 7, 22), 335),
    (date(2024, 10, 21), 310),
    (date(2025, 5, 20), 300),
)


def next_weekday(day: date) -> date:
    """Returns `day`, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def month_end(day: date) -> date:
    """Returns the last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(first: date, last: date) -> list[date]:
    """Returns every month end from `first`'s month through `last` (inclusive)."""
    ends = []
    day = month_end(first)
    while day <= last:
        ends.append(day)
        day = month_end(day + timedelta(days=1))
    return ends


def lpr_on(day: date) -> int:
    """Returns the one-year LPR in force on `day`, in basis points."""
    rate = LPR_1Y_BPS[0][1]
    for changed, bps in LPR_1Y_BPS:
        if changed <= day:
            rate = bps
    return rate
