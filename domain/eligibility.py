"""Who may borrow under a product, and on what terms (R1, R2): pure verdicts, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import RuleViolation
from domain.money import format_bps, format_yuan
from domain.terms import ProductTerms


@dataclass(frozen=True, slots=True)
class Applicant:
    """What the rules need to know about the borrower on the loan's start date."""

    uscc: str
    holds_qualification: bool
    blacklisted_because: str | None
    outstanding_under_product_fen: int


def registration_violations(
    terms: ProductTerms,
    applicant: Applicant,
    *,
    principal_fen: int,
    annual_rate_bps: int,
    start_date: date,
    lpr_bps: int | None,
) -> list[RuleViolation]:
    """Returns every rule a new loan would break (empty when it may be registered)."""
    violations: list[RuleViolation] = []
    if terms.qualifications and not applicant.holds_qualification:
        violations.append(
            RuleViolation(
                "R1",
                "uscc",
                f"{applicant.uscc} holds none of {', '.join(terms.qualifications)} on {start_date}",
            )
        )
    if applicant.blacklisted_because is not None:
        violations.append(
            RuleViolation(
                "R1",
                "uscc",
                f"{applicant.uscc} is blacklisted on {start_date}: {applicant.blacklisted_because}",
            )
        )
    cap = terms.limits.max_enterprise_outstanding_fen
    owed = applicant.outstanding_under_product_fen + principal_fen
    if cap is not None and owed > cap:
        violations.append(
            RuleViolation(
                "R2",
                "principal",
                f"{applicant.uscc} would owe {format_yuan(owed)} under {terms.code}, "
                f"above the per-enterprise cap of {format_yuan(cap)}",
            )
        )
    rate_cap = rate_cap_bps(terms, lpr_bps)
    if terms.limits.lpr_spread_bps is not None and lpr_bps is None:
        violations.append(
            RuleViolation("R2", "rate", f"no 1-year LPR is recorded on or before {start_date}")
        )
    elif rate_cap is not None and annual_rate_bps > rate_cap:
        violations.append(
            RuleViolation(
                "R2",
                "rate",
                f"{format_bps(annual_rate_bps)} is above {terms.code}'s cap "
                f"of {format_bps(rate_cap)}",
            )
        )
    return violations


def rate_cap_bps(terms: ProductTerms, lpr_bps: int | None) -> int | None:
    """The highest annual rate allowed: absolute, or the LPR in force plus the spread."""
    if terms.limits.max_rate_bps is not None:
        return terms.limits.max_rate_bps
    if terms.limits.lpr_spread_bps is not None and lpr_bps is not None:
        return lpr_bps + terms.limits.lpr_spread_bps
    return None
