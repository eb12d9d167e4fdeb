"""Unified social credit codes (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

from domain.errors import InvalidInput

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {ch: i for i, ch in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """Returns the 18th character that GB 32100-2015 computes from the first 17."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_uscc(text: str, field: str = "uscc") -> str:
    """Returns the code upper-cased when it is a well-formed USCC; raises InvalidInput otherwise."""
    code = str(text).strip().upper()
    if len(code) != 18:
        raise InvalidInput(field, f"{text!r} has {len(code)} characters; a USCC has 18")
    bad = [ch for ch in code if ch not in _VALUES]
    if bad:
        raise InvalidInput(field, f"{text!r} contains {bad[0]!r}, not allowed in a USCC")
    if not code[2:8].isdigit():
        raise InvalidInput(field, f"{text!r}: characters 3-8 must be the region code digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput(
            field, f"{text!r} fails the check character: expected {expected!r}, got {code[17]!r}"
        )
    return code
