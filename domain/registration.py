"""What a loan may be when a bank registers it under a product (R2, R8, R12)."""

from __future__ import annotations

from domain.errors import InvalidInput, RuleViolation
from domain.money import format_yuan
from domain.schedule import MAX_TERM_MONTHS, check_schedule
from domain.terms import ProductTerms


def check_registration(
    terms: ProductTerms,
    *,
    reference: str,
    principal_fen: int,
    annual_rate_bps: int,
    term_months: int,
    annual_revenue_fen: int | None,
    schedule: str,
    interest_every_months: int,
) -> None:
    """Raises the first way the loan breaks its product's limits or is malformed (R2, R8, R12)."""
    if annual_revenue_fen is not None and annual_revenue_fen < 0:
        raise InvalidInput("revenue", "an annual revenue cannot be negative")
    if terms.tiers and annual_revenue_fen is None:
        raise RuleViolation(
            "R8",
            "revenue",
            f"{terms.code} shares losses by the enterprise's annual revenue; give it",
        )
    if not reference.strip():
        raise InvalidInput("reference", "the bank's loan reference is required")
    if principal_fen <= 0:
        raise InvalidInput("principal", "must be positive")
    if not 0 < annual_rate_bps < 10_000:
        raise InvalidInput("rate", "an annual rate must be above 0% and below 100%")
    if term_months <= 0:
        raise InvalidInput("term", "must be at least one month")
    if term_months > MAX_TERM_MONTHS:
        # Beyond 30 years no programme lends, and due dates would leave the calendar.
        raise InvalidInput(
            "term", f"{term_months} months is longer than the {MAX_TERM_MONTHS} a loan may run"
        )
    check_schedule(schedule, interest_every_months)
    if terms.max_principal_fen is not None and principal_fen > terms.max_principal_fen:
        raise RuleViolation(
            "R2",
            "principal",
            f"{format_yuan(principal_fen)} exceeds {terms.code}'s per-loan cap "
            f"of {format_yuan(terms.max_principal_fen)}",
        )
    if terms.max_term_months is not None and term_months > terms.max_term_months:
        raise RuleViolation(
            "R2",
            "term",
            f"{term_months} months exceeds {terms.code}'s maximum of {terms.max_term_months}",
        )
