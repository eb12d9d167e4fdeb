"""Product terms: who shares losses and how much, and the limits a loan must respect.

Terms come from a TOML file (read by the ledger) as a plain mapping;
`domain.terms_parsing.parse_terms` checks the whole mapping and reports every problem with
its key path. Amounts are written as text (`"500万"`), ratios as text (`"5%"`, `"40bp"`),
shares as whole basis points.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.money import WHOLE_BPS

POOL_PARTIES = ("pool.province", "pool.city", "pool.county")
PARTIES = (*POOL_PARTIES, "guarantor", "reguarantor", "insurer", "bank")
STRUCTURES = ("direct", "guaranteed", "insured")
SETTLEMENT_MODES = ("advance", "after_recovery")
# The party that must carry a share under each structure, besides the bank.
_STRUCTURE_PARTY = {"direct": None, "guaranteed": "guarantor", "insured": "insurer"}

Shares = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Tier:
    """Shares that apply to enterprises with annual revenue below a bound (None: no bound)."""

    below_revenue_fen: int | None
    shares: Shares


@dataclass(frozen=True, slots=True)
class Limits:
    """What a loan under the product may be (R2); None means no limit."""

    max_principal_fen: int | None = None
    max_enterprise_outstanding_fen: int | None = None
    max_term_months: int | None = None
    max_rate_bps: int | None = None
    lpr_spread_bps: int | None = None
    max_guarantee_fee_bps: int | None = None
    max_reguarantee_fee_bps: int | None = None
    max_premium_bps: int | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Bounds on the share of principal a guarantee or policy may cover, loan by loan (R16)."""

    min_bps: int = 0
    max_bps: int = WHOLE_BPS


@dataclass(frozen=True, slots=True)
class Bonus:
    """Basis points moved from the bank's share to the pools for flagged loans (R8)."""

    first_loan_bps: int = 0
    pure_credit_bps: int = 0


@dataclass(frozen=True, slots=True)
class Caps:
    """Caps on what the government side (the pools) pays; the excess goes to `residual_party`."""

    per_claim_fen: int | None = None
    per_claim_share_bps: int | None = None
    cumulative_share_bps: int | None = None
    residual_party: str = "bank"


@dataclass(frozen=True, slots=True)
class Suspension:
    """Circuit-breaker thresholds (R4); None means the product never stops on that figure."""

    npl_suspend_bps: int = 500
    npl_resume_bps: int = 300
    max_compensation_rate_bps: int | None = None
    max_overdue_ratio_bps: int | None = None


@dataclass(frozen=True, slots=True)
class Classification:
    """Upper bounds of days past due for 关注, 次级 and 可疑 (R5); beyond is 损失."""

    special_mention_days: int = 90
    substandard_days: int = 270
    doubtful_days: int = 360


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """One version of a product's terms; amounts in fen, ratios and shares in basis points."""

    code: str
    name: str
    structure: str
    effective_from: date
    shares: Shares
    settlement: str = "advance"
    default_days: int = 90
    claim_window_days: int = 180
    covers_interest: bool = False
    qualifications: tuple[str, ...] = ()
    leverage_multiple: int | None = 10
    tiers: tuple[Tier, ...] = ()
    limits: Limits = field(default_factory=Limits)
    coverage: Coverage = field(default_factory=Coverage)
    bonus: Bonus = field(default_factory=Bonus)
    caps: Caps = field(default_factory=Caps)
    suspension: Suspension = field(default_factory=Suspension)
    classification: Classification = field(default_factory=Classification)

    @property
    def max_principal_fen(self) -> int | None:
        return self.limits.max_principal_fen

    @property
    def max_term_months(self) -> int | None:
        return self.limits.max_term_months

    @property
    def claimant(self) -> str:
        """Who files claims: the guarantor after its 代偿 for guaranteed products, else the bank."""
        return "guarantor" if self.structure == "guaranteed" else "bank"

    def shares_for(self, annual_revenue_fen: int | None) -> Shares:
        """Returns the shares for an enterprise of this revenue: its tier's, else the default."""
        if self.tiers and annual_revenue_fen is not None:
            for tier in self.tiers:
                if tier.below_revenue_fen is None or annual_revenue_fen < tier.below_revenue_fen:
                    return tier.shares
        return self.shares

    def to_record(self) -> dict[str, Any]:
        """Returns the terms as plain JSON-safe values, for storing in an event."""
        record = dataclasses.asdict(self)
        record["effective_from"] = self.effective_from.isoformat()
        record["shares"] = dict(self.shares)
        record["qualifications"] = list(self.qualifications)
        record["tiers"] = [
            {"below_revenue_fen": tier.below_revenue_fen, "shares": dict(tier.shares)}
            for tier in self.tiers
        ]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ProductTerms:
        """Rebuilds terms stored by `to_record` (older records lack the newer sections)."""
        # Records of the first version kept the two limits at the top level.
        limits = record.get("limits") or {
            "max_principal_fen": record.get("max_principal_fen"),
            "max_term_months": record.get("max_term_months"),
        }
        return cls(
            code=record["code"],
            name=record["name"],
            structure=record["structure"],
            effective_from=date.fromisoformat(record["effective_from"]),
            shares=tuple(record["shares"].items()),
            settlement=record["settlement"],
            default_days=record["default_days"],
            claim_window_days=record["claim_window_days"],
            covers_interest=record.get("covers_interest", False),
            qualifications=tuple(record.get("qualifications", ())),
            leverage_multiple=record.get("leverage_multiple", 10),
            tiers=tuple(
                Tier(tier["below_revenue_fen"], tuple(tier["shares"].items()))
                for tier in record.get("tiers", ())
            ),
            limits=Limits(**limits),
            coverage=Coverage(**record.get("coverage", {})),
            bonus=Bonus(**record.get("bonus", {})),
            caps=Caps(**record.get("caps", {})),
            suspension=Suspension(**record.get("suspension", {})),
            classification=Classification(**record.get("classification", {})),
        )
