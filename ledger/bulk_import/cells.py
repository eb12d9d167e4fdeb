"""Reading one cell of a bank's file as the ledger value it stands for.

A cell arrives as the file gives it: text from a CSV, and from a spreadsheet text, a whole
or decimal number, or a date. Amounts become integer fen without touching a float (a
spreadsheet's decimal is read by its shortest exact decimal text, as typed), ratios whole
basis points, dates `date`. Each reader raises `CellError` saying why a value is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from domain.money import FEN_PER_YUAN, WHOLE_BPS

# How many yuan (the ledger's major unit) one unit of the file's amounts is worth. `dollars`
# are the major unit of a non-RMB book: the ledger keeps one currency, so a dollar book's
# cents land in the fen fields one for one.
AMOUNT_UNITS = {"yuan": Decimal(1), "wan": Decimal(10_000), "dollars": Decimal(1)}
# Suffixes a yuan amount may carry in its text, as `parse_fen` reads them.
_SUFFIXES = (
    ("万元", 10_000),
    ("亿元", 100_000_000),
    ("万", 10_000),
    ("亿", 100_000_000),
    ("元", 1),
)
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
RATE_UNITS = ("percent", "fraction", "bps")
DAYS = "days"


class CellError(Exception):
    """A cell that cannot be read as its field: `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_blank(value: Any) -> bool:
    """True for a cell with nothing in it (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def decimal_of(value: Any) -> Decimal:
    """Returns the decimal a number cell or a numeric text holds, exactly as written."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: what was typed.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = str(value).strip().replace(" ", "")
    if not _NUMBER.match(text):
        raise CellError(f"{value!r} is not a number")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise CellError(f"{value!r} is not a number") from None


def text_of(value: Any) -> str:
    """Returns a cell as text; a whole number stored as a decimal (1000014003.0) loses '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _exact_fen(number: Decimal, per_unit: Decimal, original: Any) -> int:
    with localcontext() as exact:
        exact.prec = 60
        fen = number * per_unit * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise CellError(f"{original!r} is finer than one fen")
    return int(fen)


def amount_fen(value: Any, unit: str) -> int:
    """Returns the amount a cell holds, in fen (or cents), refusing negative or inexact ones.

    `yuan` text may carry a suffix (`800万`, `1.2亿`), `dollars` text a `$`; every unit
    accepts thousands separators.
    """
    per_unit = AMOUNT_UNITS[unit]
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
            raise CellError(f"{value!r} is negative; amounts are never below zero")
        if unit == "dollars":
            text = text.removeprefix("$").removeprefix("US$")
        else:
            text = text.removeprefix("¥").removeprefix("￥")
        if unit == "yuan":
            for suffix, multiple in _SUFFIXES:
                if text.endswith(suffix):
                    text, per_unit = text.removesuffix(suffix), Decimal(multiple)
                    break
        number = decimal_of(text)
    else:
        number = decimal_of(value)
        if number < 0:
            raise CellError(f"{value!r} is negative; amounts are never below zero")
    return _exact_fen(number, per_unit, value)


def rate_bps(value: Any, unit: str) -> int:
    """Returns an annual rate in whole basis points: text may say `4.35%` or `40bp`; a bare
    number is read in `unit` (percent: 4.35, fraction: 0.0435, bps: 435)."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        for suffix, to_bps in (("%", Decimal(100)), ("bps", Decimal(1)), ("bp", Decimal(1))):
            if text.endswith(suffix):
                return _whole_bps(decimal_of(text.removesuffix(suffix)) * to_bps, value)
    number = decimal_of(value)
    scale = {"percent": Decimal(100), "fraction": Decimal(WHOLE_BPS), "bps": Decimal(1)}[unit]
    return _whole_bps(number * scale, value)


def _whole_bps(bps: Decimal, original: Any) -> int:
    if bps != bps.to_integral_value():
        raise CellError(f"{original!r} is finer than one basis point")
    return int(bps)


def whole_number(value: Any) -> int:
    """Returns a whole number (a term in months, say); `12.0` from a spreadsheet is 12."""
    number = decimal_of(value)
    if number != number.to_integral_value():
        raise CellError(f"{value!r} is not a whole number")
    return int(number)


def day_of(
    value: Any,
    formats: Sequence[str],
    *,
    epoch: date | None = None,
    century_from: int | None = None,
) -> date:
    """Returns the date a cell holds: a spreadsheet date, text in one of `formats` (strptime
    codes), or with the format `days` a count of days since `epoch`.

    A two-digit year (`%y`) lands in the hundred years from `century_from` when given
    (1940: `28-Feb-97` is 1997, `3-Jan-05` 2005).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    for form in formats:
        if form == DAYS:
            if epoch is None:  # the mapping reader requires an epoch with `days`
                raise CellError("day numbers need an epoch")
            try:
                count = whole_number(value)
            except CellError:
                continue
            try:
                return epoch + timedelta(days=count)
            except OverflowError:
                raise CellError(f"{value!r} days from {epoch} is beyond the calendar") from None
        try:
            parsed = datetime.strptime(text, form).date()
        except ValueError:
            continue
        if century_from is not None and "%y" in form:
            year = century_from + (parsed.year - century_from) % 100
            try:
                parsed = parsed.replace(year=year)
            except ValueError:  # 29 February of a century year that is not a leap year
                raise CellError(f"{value!r} falls on no day in {year}") from None
        return parsed
    shown = ", ".join("day numbers" if form == DAYS else form for form in formats)
    raise CellError(f"{value!r} is not a date in the mapped formats ({shown})")


def flag(value: Any, true_values: Sequence[str], false_values: Sequence[str]) -> bool:
    """Returns a yes/no cell as a bool, by the mapping's lists of what means yes and no."""
    text = "" if value is None else text_of(value)
    if text in true_values:
        return True
    if text in false_values:
        return False
    raise CellError(
        f"{value!r} is neither yes ({', '.join(true_values)}) nor no "
        f"({', '.join(repr(v) for v in false_values)})"
    )
