"""Money as integer fen and ratios as integer basis points; parsing and display."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from domain.errors import InvalidInput

FEN_PER_YUAN = 100
WHOLE_BPS = 10_000

_UNITS = {"": 1, "元": 1, "万": 10_000, "万元": 10_000, "亿": 100_000_000, "亿元": 100_000_000}
_AMOUNT = re.compile(
    r"^(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>万元|亿元|万|亿|元)?$",
    re.ASCII,
)
_RATIO = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>%|bps|bp)$", re.ASCII)


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount of renminbi held as a whole number of fen."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError(f"Money holds integer fen, not {type(self.fen).__name__}")

    @classmethod
    def parse(cls, text: str, field: str = "amount") -> Money:
        """Reads `12345.67`, `1,234.5`, `800万`, `1.2亿` (yuan unless a unit says otherwise)."""
        return cls(parse_fen(text, field))

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __str__(self) -> str:
        return format_yuan(self.fen)


def parse_fen(text: str, field: str = "amount", *, allow_zero: bool = False) -> int:
    """Returns the positive amount `text` denotes, in fen; refuses anything inexact or garbled."""
    cleaned = str(text).strip().replace("¥", "").replace("￥", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise InvalidInput(field, f"{text!r} is negative; amounts must be positive")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise InvalidInput(
            field, f"{text!r} is not an amount (write e.g. 12345.67, 1,234.5, 800万 or 1.2亿)"
        )
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidInput(field, f"{text!r} is not an amount") from None
    with localcontext() as exact:
        # The default 28 digits would round long inputs silently; give the product room.
        exact.prec = len(match["number"]) + 12
        fen = number * _UNITS[match["unit"] or ""] * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidInput(field, f"{text!r} is finer than one fen")
    if fen == 0 and not allow_zero:
        raise InvalidInput(field, f"{text!r} is zero; amounts must be positive")
    return int(fen)


def parse_bps(text: str, field: str = "rate") -> int:
    """Returns the ratio `text` denotes (`3.45%`, `40bp`, `40bps`) in whole basis points."""
    cleaned = str(text).strip().replace(" ", "")
    match = _RATIO.match(cleaned)
    if match is None:
        raise InvalidInput(field, f"{text!r} is not a ratio (write e.g. 3.45% or 40bp)")
    number = Decimal(match["number"])
    bps = number * 100 if match["unit"] == "%" else number
    if bps != bps.to_integral_value():
        raise InvalidInput(field, f"{text!r} is finer than one basis point")
    return int(bps)


def format_yuan(fen: int) -> str:
    """Shows fen as yuan with two decimals and thousands separators: 123456 -> '1,234.56'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_wan(fen: int) -> str:
    """Shows fen as 万元 rounded half-up to two decimals: 1234567800 -> '1,234.57'."""
    wan = (Decimal(fen) / (FEN_PER_YUAN * 10_000)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{wan:,}"


def format_bps(bps: int) -> str:
    """Shows basis points as a percentage: 345 -> '3.45%'."""
    return f"{Decimal(bps) / 100:.2f}%"
