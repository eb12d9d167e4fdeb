"""Invariants of loans: balances, open claims, and reversals of recorded money events (R13)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from domain.claim import Claim
from domain.loan import PAID_OFF, Loan
from domain.money import format_yuan
from domain.pool import RiskPool


def loan_violations(loan: Loan, claims: dict[UUID, Claim]) -> list[str]:
    """A loan's outstanding and disbursed stay within its principal; its open claim is its own."""
    name = f"{loan.bank} loan {loan.reference}"
    found: list[str] = []
    if not 0 <= loan.outstanding_fen <= loan.principal_fen:
        found.append(
            f"{name}: outstanding {format_yuan(loan.outstanding_fen)} is outside 0 to the "
            f"principal {format_yuan(loan.principal_fen)}"
        )
    if loan.disbursed_fen > loan.principal_fen:
        found.append(
            f"{name}: disbursed {format_yuan(loan.disbursed_fen)} exceeds the principal "
            f"{format_yuan(loan.principal_fen)}"
        )
    if loan.open_claim is not None:
        claim = claims.get(loan.open_claim)
        if claim is None or claim.loan != loan.id:
            found.append(f"{name}: its open claim {loan.open_claim} is not a claim on this loan")
    return found


def reversal_violations(
    pools: list[RiskPool], loans: list[Loan], claims: Iterable[Claim]
) -> list[str]:
    """A reversal undoes exactly one recorded money event, never more than it was (R13)."""
    found: list[str] = []
    for pool in pools:
        name = f"pool {pool.code}"
        unknown = sorted(set(pool.reversals) - set(pool.contributions))
        if unknown:
            found.append(f"{name}: reverses contributions it never received: {unknown} (R13)")
        standing = sum(f for ref, f in pool.contributions.items() if ref not in pool.reversals)
        if pool.contributed_fen != standing:
            found.append(
                f"{name}: contributed {format_yuan(pool.contributed_fen)}, but its contributions "
                f"less those reversed total {format_yuan(standing)} (R13)"
            )
        by_claim = pool.recovered_by_claim.values()
        if any(fen < 0 for fen in by_claim) or sum(by_claim) != pool.recovered_fen:
            found.append(f"{name}: gave back more recoveries on a claim than it received (R13)")
    for loan in loans:
        name = f"{loan.bank} loan {loan.reference}"
        unknown = sorted(set(loan.reversals) - set(loan.repayments_by_ref))
        if unknown:
            found.append(f"{name}: reverses repayments it never received: {unknown} (R13)")
        standing = [r for ref, r in loan.repayments_by_ref.items() if ref not in loan.reversals]
        repaid = (sum(r.principal_fen for r in standing), sum(r.interest_fen for r in standing))
        if (loan.principal_repaid_fen, loan.interest_repaid_fen) != repaid:
            found.append(
                f"{name}: repaid {format_yuan(loan.principal_repaid_fen)} principal and "
                f"{format_yuan(loan.interest_repaid_fen)} interest, but its repayments less those "
                f"reversed come to {format_yuan(repaid[0])} and {format_yuan(repaid[1])} (R13)"
            )
        if loan.state == PAID_OFF and loan.outstanding_fen != 0:
            found.append(f"{name}: paid off with {format_yuan(loan.outstanding_fen)} outstanding")
    for claim in claims:
        name = f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}"
        unknown = sorted(set(claim.reversals) - set(claim.recoveries))
        if unknown:
            found.append(f"{name}: reverses recoveries it never recorded: {unknown} (R13)")
        standing = [
            sum(parts.values())
            for ref, parts in claim.recoveries.items()
            if ref not in claim.reversals
        ]
        if claim.recovered_fen != sum(standing):
            found.append(
                f"{name}: recovered {format_yuan(claim.recovered_fen)}, but its recoveries less "
                f"those reversed total {format_yuan(sum(standing))} (R13)"
            )
        unknown = sorted({done.party for done in claim.leg_reversals.values()} - set(claim.legs))
        if unknown:
            found.append(f"{name}: reverses legs nobody owes: {unknown} (R13)")
    return found
