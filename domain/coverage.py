"""What a guarantee or policy covers of a loan (R16) and what its fee or premium may be (R17).

Shared by `Guarantee` and `InsurancePolicy`. The covered part of an amount is rounded up
to the fen: a cover of the whole non-bank share must reach the largest non-bank total any
exact split of that amount can produce.
"""

from __future__ import annotations

from domain.errors import InvalidInput, RuleViolation
from domain.loan import ACTIVE, REGISTERED
from domain.money import WHOLE_BPS, format_bps, format_yuan
from domain.terms import ProductTerms, Shares

MONTHS_PER_YEAR = 12


def covered_fen(amount_fen: int, coverage_bps: int) -> int:
    """Returns the part of `amount_fen` that `coverage_bps` covers, rounded up to the fen."""
    return -(-amount_fen * coverage_bps // WHOLE_BPS)


def rate_allowance_fen(base_fen: int, annual_rate_bps: int, term_months: int) -> int:
    """Returns what an annual rate on `base_fen` comes to over the term, rounded half up."""
    denominator = WHOLE_BPS * MONTHS_PER_YEAR
    return (2 * base_fen * annual_rate_bps * term_months + denominator) // (2 * denominator)


def share_tables(terms: ProductTerms) -> list[Shares]:
    """Returns every table of shares the product may apply: the default and each tier's."""
    return [terms.shares, *(tier.shares for tier in terms.tiers)]


def guarantor_side_bps(terms: ProductTerms, *, first_loan: bool, pure_credit: bool) -> int:
    """Returns the most of a loss the product can put on everyone but the bank, for such a loan.

    A first-loan or pure-credit bonus moves bank bps to the pools (R8), which widens the
    guarantor's side; the widest tier counts.
    """
    bonus = (terms.bonus.first_loan_bps if first_loan else 0) + (
        terms.bonus.pure_credit_bps if pure_credit else 0
    )
    widest = 0
    for shares in share_tables(terms):
        bank = dict(shares).get("bank", 0)
        widest = max(widest, WHOLE_BPS - max(0, bank - bonus))
    return widest


def party_share_bps(terms: ProductTerms, party: str) -> int:
    """Returns the largest share `party` has in any of the product's tables of shares."""
    return max(dict(shares).get(party, 0) for shares in share_tables(terms))


def check_coverage(terms: ProductTerms, coverage_bps: int, needed_bps: int, who: str) -> None:
    """Raises unless the coverage is within the product's bounds and carries `who`'s side (R16)."""
    if not 0 < coverage_bps <= WHOLE_BPS:
        raise InvalidInput("coverage", "must be above 0% and at most 100%")
    low, high = terms.coverage.min_bps, terms.coverage.max_bps
    if not low <= coverage_bps <= high:
        raise RuleViolation(
            "R16",
            "coverage",
            f"{format_bps(coverage_bps)} is outside {terms.code}'s bounds "
            f"{format_bps(low)} to {format_bps(high)}",
        )
    if coverage_bps < needed_bps:
        raise RuleViolation(
            "R16",
            "coverage",
            f"{format_bps(coverage_bps)} is less than the {format_bps(needed_bps)} of each loss "
            f"that {terms.code} puts on the {who}'s side",
        )


def check_rate(rate_bps: int, cap_bps: int | None, *, field: str, what: str, code: str) -> None:
    """Raises unless the annual rate is positive and within the product's cap (R17)."""
    if not 0 < rate_bps < WHOLE_BPS:
        raise InvalidInput(field, f"a {what} rate must be above 0% and below 100%")
    if cap_bps is not None and rate_bps > cap_bps:
        raise RuleViolation(
            "R17",
            field,
            f"a {what} rate of {format_bps(rate_bps)} exceeds {code}'s cap of "
            f"{format_bps(cap_bps)} a year",
        )


def check_within_allowance(
    paid_fen: int, amount_fen: int, allowance_fen: int, *, what: str, basis: str
) -> None:
    """Raises unless `amount_fen` is positive and keeps what was paid within the allowance (R17)."""
    if amount_fen <= 0:
        raise InvalidInput("amount", f"a {what} must be positive")
    if paid_fen + amount_fen > allowance_fen:
        raise RuleViolation(
            "R17",
            "amount",
            f"{what}s would total {format_yuan(paid_fen + amount_fen)}, more than the "
            f"{format_yuan(allowance_fen)} {basis}",
        )


def allowance_basis(rate_bps: int, base_fen: int, term_months: int, *, base: str) -> str:
    """Returns how an allowance follows from its rate, for the refusal that cites it (R17)."""
    return (
        f"that {format_bps(rate_bps)} a year on the {base} {format_yuan(base_fen)} "
        f"allows over {term_months} months"
    )


def check_loan_takes_cover(
    terms: ProductTerms,
    *,
    loan_reference: str,
    loan_state: str,
    structure: str,
    cover: str,
    verb: str,
) -> None:
    """Raises unless the loan's product has the `structure` whose loans take a `cover`, and the
    loan is still running (registered or active) (R9)."""
    if terms.structure != structure:
        raise RuleViolation(
            "R9",
            "loan",
            f"{loan_reference} is under {terms.code} ({terms.structure}); "
            f"only loans of {structure} products take a {cover}",
        )
    if loan_state not in (REGISTERED, ACTIVE):
        raise RuleViolation("lifecycle", "loan", f"a {loan_state} loan cannot be {verb}")


def check_take_back(amount_fen: int, paid_fen: int, *, paid: str) -> None:
    """Raises unless `amount_fen` is positive and no more than the `paid_fen` it takes back (R13).

    `paid` says who paid it, e.g. "pool.city reimbursed" or "policy P-1 paid".
    """
    if not 0 < amount_fen <= paid_fen:
        raise InvalidInput(
            "amount",
            f"{paid} {format_yuan(paid_fen)}, not {format_yuan(amount_fen)} to take back",
        )
