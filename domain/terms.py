"""Product terms: who shares losses and how much, and the limits a loan must respect.

Terms come from a TOML file (read by the ledger) as a plain mapping; `parse_terms` checks
the whole mapping and reports every problem with its key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.errors import DomainError, InvalidTerms
from domain.money import WHOLE_BPS, parse_fen

POOL_PARTIES = ("pool.province", "pool.city", "pool.county")
PARTIES = (*POOL_PARTIES, "guarantor", "reguarantor", "insurer", "bank")
STRUCTURES = ("direct",)
SETTLEMENT_MODES = ("advance",)
_TOP_KEYS = {
    "code",
    "name",
    "structure",
    "effective_from",
    "settlement",
    "default_days",
    "claim_window_days",
    "shares",
    "limits",
}
_LIMIT_KEYS = {"max_principal", "max_term_months"}


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """One version of a product's terms; amounts in fen, shares in basis points."""

    code: str
    name: str
    structure: str
    effective_from: date
    shares: tuple[tuple[str, int], ...]
    settlement: str = "advance"
    default_days: int = 90
    claim_window_days: int = 180
    max_principal_fen: int | None = None
    max_term_months: int | None = None

    def to_record(self) -> dict[str, Any]:
        """Returns the terms as plain JSON-safe values, for storing in an event."""
        return {
            "code": self.code,
            "name": self.name,
            "structure": self.structure,
            "effective_from": self.effective_from.isoformat(),
            "shares": dict(self.shares),
            "settlement": self.settlement,
            "default_days": self.default_days,
            "claim_window_days": self.claim_window_days,
            "max_principal_fen": self.max_principal_fen,
            "max_term_months": self.max_term_months,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ProductTerms:
        """Rebuilds terms stored by `to_record`."""
        return cls(
            code=record["code"],
            name=record["name"],
            structure=record["structure"],
            effective_from=date.fromisoformat(record["effective_from"]),
            shares=tuple(record["shares"].items()),
            settlement=record["settlement"],
            default_days=record["default_days"],
            claim_window_days=record["claim_window_days"],
            max_principal_fen=record["max_principal_fen"],
            max_term_months=record["max_term_months"],
        )


def parse_terms(data: Mapping[str, Any]) -> ProductTerms:
    """Returns the terms `data` describes; raises InvalidTerms listing every problem found."""
    problems: list[tuple[str, str]] = []

    def need(key: str, kind: type, where: Mapping[str, Any] = data, prefix: str = "") -> Any:
        value = where.get(key)
        if value is None:
            problems.append((prefix + key, "is required"))
        elif not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            problems.append((prefix + key, f"must be a {kind.__name__}, not {value!r}"))
            return None
        return value

    def positive_int(key: str, default: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            problems.append((key, f"must be a positive whole number, not {value!r}"))
            return default
        return value

    for key in sorted(set(data) - _TOP_KEYS):
        problems.append((key, "is not a known term"))
    code = need("code", str)
    name = need("name", str)
    structure = need("structure", str)
    if structure is not None and structure not in STRUCTURES:
        problems.append(("structure", f"{structure!r} is not one of {', '.join(STRUCTURES)}"))
    effective_from = need("effective_from", date)
    if isinstance(effective_from, datetime):  # TOML date-times are dates to isinstance
        problems.append(("effective_from", f"must be a date without a time, not {effective_from}"))
        effective_from = None
    settlement = data.get("settlement", "advance")
    if settlement not in SETTLEMENT_MODES:
        problems.append(("settlement", f"{settlement!r} is not one of {SETTLEMENT_MODES}"))
    default_days = positive_int("default_days", 90)
    claim_window_days = positive_int("claim_window_days", 180)

    shares: list[tuple[str, int]] = []
    raw_shares = need("shares", dict)
    if raw_shares is not None:
        for party, bps in raw_shares.items():
            if party not in PARTIES:
                problems.append((f"shares.{party}", f"unknown party; use {', '.join(PARTIES)}"))
            elif not isinstance(bps, int) or isinstance(bps, bool) or bps < 0:
                problems.append(
                    (f"shares.{party}", f"must be whole basis points >= 0, not {bps!r}")
                )
            else:
                shares.append((party, bps))
        total = sum(bps for _, bps in shares)
        if len(shares) == len(raw_shares) and total != WHOLE_BPS:
            problems.append(("shares", f"sum to {total} bps; they must sum to {WHOLE_BPS}"))
        if structure == "direct" and "bank" not in raw_shares:
            problems.append(("shares.bank", "a direct product needs the bank's share"))

    max_principal_fen: int | None = None
    max_term_months: int | None = None
    limits = data.get("limits", {})
    if not isinstance(limits, dict):
        problems.append(("limits", "must be a table"))
        limits = {}
    for key in sorted(set(limits) - _LIMIT_KEYS):
        problems.append((f"limits.{key}", "is not a known limit"))
    if "max_principal" in limits:
        raw = limits["max_principal"]
        if not isinstance(raw, str):
            problems.append(("limits.max_principal", 'write amounts as text, e.g. "500万"'))
        else:
            try:
                max_principal_fen = parse_fen(raw, "limits.max_principal")
            except DomainError as error:
                problems.append((error.field, error.reason))
    if "max_term_months" in limits:
        raw = limits["max_term_months"]
        if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
            problems.append(("limits.max_term_months", f"must be a positive number, not {raw!r}"))
        else:
            max_term_months = raw

    if problems:
        raise InvalidTerms(problems)
    return ProductTerms(
        code=code,
        name=name,
        structure=structure,
        effective_from=effective_from,
        shares=tuple(shares),
        settlement=settlement,
        default_days=default_days,
        claim_window_days=claim_window_days,
        max_principal_fen=max_principal_fen,
        max_term_months=max_term_months,
    )
