"""Reading a product's terms from a plain mapping, reporting every problem with its key path.

Amounts are written as text (`"500万"`), ratios as text (`"5%"`, `"40bp"`), shares as whole
basis points.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.errors import DomainError, InvalidTerms
from domain.money import WHOLE_BPS, parse_bps, parse_fen
from domain.terms import (
    _STRUCTURE_PARTY,
    PARTIES,
    POOL_PARTIES,
    SETTLEMENT_MODES,
    STRUCTURES,
    Bonus,
    Caps,
    Classification,
    Coverage,
    Limits,
    ProductTerms,
    Shares,
    Suspension,
    Tier,
)


class _Reader:
    """Reads one terms mapping, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, key: str, reason: str) -> None:
        self.problems.append((key, reason))

    def table(self, data: Mapping[str, Any], key: str, known: set[str]) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.problem(key, "must be a table")
            return {}
        for name in sorted(set(value) - known):
            self.problem(f"{key}.{name}", "is not a known term")
        return value

    def whole(self, data: Mapping[str, Any], key: str, path: str, default: int | None) -> Any:
        value = data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            self.problem(path, f"must be a positive whole number, not {value!r}")
            return default
        return value

    def amount(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(path, f'write amounts as text, e.g. "500万", not {value!r}')
            return None
        try:
            return parse_fen(value, path)
        except DomainError as error:
            self.problem(error.field, error.reason)
            return None

    def ratio(self, data: Mapping[str, Any], key: str, path: str, default: int | None) -> Any:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(path, f'write ratios as text, e.g. "5%" or "40bp", not {value!r}')
            return default
        try:
            bps = parse_bps(value, path)
        except DomainError as error:
            self.problem(error.field, error.reason)
            return default
        if bps > WHOLE_BPS:
            self.problem(path, f"{value} is more than 100%")
            return default
        return bps

    def shares(self, raw: Any, path: str) -> Shares:
        if not isinstance(raw, Mapping):
            self.problem(path, "must be a table of party = basis points")
            return ()
        shares: list[tuple[str, int]] = []
        well_formed = True
        for party, bps in raw.items():
            if party not in PARTIES:
                self.problem(f"{path}.{party}", f"unknown party; use {', '.join(PARTIES)}")
                well_formed = False
            elif not isinstance(bps, int) or isinstance(bps, bool) or bps < 0:
                self.problem(f"{path}.{party}", f"must be whole basis points >= 0, not {bps!r}")
                well_formed = False
            else:
                shares.append((party, bps))
        total = sum(bps for _, bps in shares)
        if well_formed and total != WHOLE_BPS:
            self.problem(path, f"sum to {total} bps; they must sum to {WHOLE_BPS}")
        if "bank" not in raw:
            self.problem(f"{path}.bank", "the bank's share is required (it may be 0)")
        return tuple(shares)


_TOP = {
    "code",
    "name",
    "structure",
    "effective_from",
    "settlement",
    "default_days",
    "claim_window_days",
    "covers_interest",
    "eligibility",
    "limits",
    "coverage",
    "leverage",
    "shares",
    "tiers",
    "bonus",
    "caps",
    "suspension",
    "classification",
}


def parse_terms(data: Mapping[str, Any]) -> ProductTerms:
    """Returns the terms `data` describes; raises InvalidTerms listing every problem found."""
    read = _Reader()
    for key in sorted(set(data) - _TOP):
        read.problem(key, "is not a known term")

    def text(key: str) -> Any:
        value = data.get(key)
        if value is None:
            read.problem(key, "is required")
        elif not isinstance(value, str) or not value.strip():
            read.problem(key, f"must be text, not {value!r}")
            return None
        return value

    code, name, structure = text("code"), text("name"), text("structure")
    if structure is not None and structure not in STRUCTURES:
        read.problem("structure", f"{structure!r} is not one of {', '.join(STRUCTURES)}")
        structure = None
    effective_from = data.get("effective_from")
    if effective_from is None:
        read.problem("effective_from", "is required")
    elif isinstance(effective_from, datetime) or not isinstance(effective_from, date):
        read.problem("effective_from", f"must be a date like 2024-01-01, not {effective_from}")
        effective_from = None
    settlement = data.get("settlement", "advance")
    if settlement not in SETTLEMENT_MODES:
        read.problem("settlement", f"{settlement!r} is not one of {', '.join(SETTLEMENT_MODES)}")
    covers_interest = data.get("covers_interest", False)
    if not isinstance(covers_interest, bool):
        read.problem("covers_interest", "must be true or false")

    eligibility = read.table(data, "eligibility", {"qualifications"})
    qualifications = eligibility.get("qualifications", [])
    if not isinstance(qualifications, list) or not all(isinstance(q, str) for q in qualifications):
        read.problem("eligibility.qualifications", "must be a list of qualification names")
        qualifications = []

    raw_limits = read.table(
        data,
        "limits",
        {
            "max_principal",
            "max_enterprise_outstanding",
            "max_term_months",
            "max_rate",
            "lpr_spread",
            "max_guarantee_fee",
            "max_reguarantee_fee",
            "max_premium",
        },
    )
    limits = Limits(
        max_principal_fen=read.amount(raw_limits, "max_principal", "limits.max_principal"),
        max_enterprise_outstanding_fen=read.amount(
            raw_limits, "max_enterprise_outstanding", "limits.max_enterprise_outstanding"
        ),
        max_term_months=read.whole(raw_limits, "max_term_months", "limits.max_term_months", None),
        max_rate_bps=read.ratio(raw_limits, "max_rate", "limits.max_rate", None),
        lpr_spread_bps=read.ratio(raw_limits, "lpr_spread", "limits.lpr_spread", None),
        max_guarantee_fee_bps=read.ratio(
            raw_limits,
            "max_guarantee_fee",
            "limits.max_guarantee_fee",
            100 if structure == "guaranteed" else None,
        ),
        max_reguarantee_fee_bps=read.ratio(
            raw_limits,
            "max_reguarantee_fee",
            "limits.max_reguarantee_fee",
            50 if structure == "guaranteed" else None,
        ),
        max_premium_bps=read.ratio(
            raw_limits, "max_premium", "limits.max_premium", 270 if structure == "insured" else None
        ),
    )
    if limits.max_rate_bps is not None and limits.lpr_spread_bps is not None:
        read.problem("limits.lpr_spread", "give either max_rate or lpr_spread, not both")

    raw_coverage = read.table(data, "coverage", {"min", "max"})
    coverage = Coverage(
        min_bps=read.ratio(raw_coverage, "min", "coverage.min", 0),
        max_bps=read.ratio(raw_coverage, "max", "coverage.max", WHOLE_BPS),
    )
    if coverage.min_bps > coverage.max_bps:
        read.problem("coverage.min", "is above coverage.max")

    raw_leverage = read.table(data, "leverage", {"multiple"})
    leverage_multiple = read.whole(raw_leverage, "multiple", "leverage.multiple", 10)

    shares = read.shares(data["shares"], "shares") if "shares" in data else ()
    tiers: list[Tier] = []
    raw_tiers = data.get("tiers", [])
    if not isinstance(raw_tiers, list):
        read.problem("tiers", "must be an array of tables ([[tiers]])")
        raw_tiers = []
    for index, raw_tier in enumerate(raw_tiers):
        path = f"tiers[{index}]"
        if not isinstance(raw_tier, Mapping):
            read.problem(path, "must be a table")
            continue
        for name in sorted(set(raw_tier) - {"below_revenue", "shares"}):
            read.problem(f"{path}.{name}", "is not a known term")
        bound = read.amount(raw_tier, "below_revenue", f"{path}.below_revenue")
        last = index == len(raw_tiers) - 1
        if bound is None and not last:
            read.problem(f"{path}.below_revenue", "every tier but the last needs a bound")
        previous = tiers[-1].below_revenue_fen if tiers else None
        if bound is not None and previous is not None and bound <= previous:
            read.problem(f"{path}.below_revenue", "tier bounds must increase")
        tiers.append(Tier(bound, read.shares(raw_tier.get("shares"), f"{path}.shares")))
    if not shares and not tiers:
        read.problem("shares", "is required (or [[tiers]] with shares each)")
    if not shares and tiers:
        shares = tiers[-1].shares

    party = _STRUCTURE_PARTY.get(structure or "")
    for path, tier_shares in [
        ("shares", shares),
        *((f"tiers[{i}].shares", t.shares) for i, t in enumerate(tiers)),
    ]:
        present = {p for p, _ in tier_shares}
        if party is not None and tier_shares and party not in present:
            read.problem(path, f"a {structure} product needs the {party}'s share")

    raw_bonus = read.table(data, "bonus", {"first_loan", "pure_credit"})
    bonus = Bonus(
        first_loan_bps=read.ratio(raw_bonus, "first_loan", "bonus.first_loan", 0),
        pure_credit_bps=read.ratio(raw_bonus, "pure_credit", "bonus.pure_credit", 0),
    )

    raw_caps = read.table(
        data, "caps", {"per_claim", "per_claim_share", "cumulative_share", "residual_party"}
    )
    residual = raw_caps.get("residual_party", "bank")
    if residual not in PARTIES or residual in POOL_PARTIES:
        read.problem("caps.residual_party", f"{residual!r} cannot take what the pools' caps remove")
        residual = "bank"
    elif residual != "bank":  # every shares table must name the bank already
        # What a cap removes becomes the residual party's burden, and a leg only a party of
        # the split pays: one without a share would owe a leg nobody can pay (R8, R9).
        lacking = [
            path
            for path, split in [
                *([("shares", shares)] if "shares" in data else []),
                *((f"tiers[{i}].shares", t.shares) for i, t in enumerate(tiers)),
            ]
            if split and residual not in dict(split)
        ]
        if lacking:
            read.problem(
                "caps.residual_party",
                f"{residual!r} has no share in {', '.join(lacking)}; the residual party must "
                "be one of the parties sharing the loss",
            )
            residual = "bank"
    caps = Caps(
        per_claim_fen=read.amount(raw_caps, "per_claim", "caps.per_claim"),
        per_claim_share_bps=read.ratio(raw_caps, "per_claim_share", "caps.per_claim_share", None),
        cumulative_share_bps=read.ratio(
            raw_caps, "cumulative_share", "caps.cumulative_share", None
        ),
        residual_party=residual,
    )

    raw_suspension = read.table(
        data,
        "suspension",
        {"npl_suspend", "npl_resume", "max_compensation_rate", "max_overdue_ratio"},
    )
    suspension = Suspension(
        npl_suspend_bps=read.ratio(raw_suspension, "npl_suspend", "suspension.npl_suspend", 500),
        npl_resume_bps=read.ratio(raw_suspension, "npl_resume", "suspension.npl_resume", 300),
        max_compensation_rate_bps=read.ratio(
            raw_suspension, "max_compensation_rate", "suspension.max_compensation_rate", None
        ),
        max_overdue_ratio_bps=read.ratio(
            raw_suspension, "max_overdue_ratio", "suspension.max_overdue_ratio", None
        ),
    )
    if suspension.npl_resume_bps > suspension.npl_suspend_bps:
        read.problem("suspension.npl_resume", "must not be above suspension.npl_suspend")

    raw_classes = read.table(
        data, "classification", {"special_mention_days", "substandard_days", "doubtful_days"}
    )
    classification = Classification(
        special_mention_days=read.whole(
            raw_classes, "special_mention_days", "classification.special_mention_days", 90
        ),
        substandard_days=read.whole(
            raw_classes, "substandard_days", "classification.substandard_days", 270
        ),
        doubtful_days=read.whole(raw_classes, "doubtful_days", "classification.doubtful_days", 360),
    )
    bounds = (
        classification.special_mention_days,
        classification.substandard_days,
        classification.doubtful_days,
    )
    if list(bounds) != sorted(set(bounds)):
        read.problem("classification", "the day bounds must strictly increase")

    default_days = read.whole(data, "default_days", "default_days", 90)
    claim_window_days = read.whole(data, "claim_window_days", "claim_window_days", 180)
    if read.problems:
        raise InvalidTerms(read.problems)
    return ProductTerms(
        code=code,
        name=name,
        structure=structure,
        effective_from=effective_from,
        shares=shares,
        settlement=settlement,
        default_days=default_days,
        claim_window_days=claim_window_days,
        covers_interest=covers_interest,
        qualifications=tuple(qualifications),
        leverage_multiple=leverage_multiple,
        tiers=tuple(tiers),
        limits=limits,
        coverage=coverage,
        bonus=bonus,
        caps=caps,
        suspension=suspension,
        classification=classification,
    )
