"""The demo programme's calendar: its key dates, the LPR history and date arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

AS_OF = date(2026, 6, 30)
INSTITUTIONS_ON = date(2023, 9, 1)
REGISTER_FROM = date(2023, 10, 9)
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


def add_months(day: date, months: int) -> date:
    """Returns the same day `months` later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_weekday(day: date) -> date:
    """Returns `day`, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def lpr_on(day: date) -> int:
    """Returns the one-year LPR in force on `day`, in basis points."""
    rate = LPR_1Y_BPS[0][1]
    for changed, bps in LPR_1Y_BPS:
        if changed <= day:
            rate = bps
    return rate
