"""The fold of reversals (R13): each undoes, row by row, what the event it reverses added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.claim import APPROVED, RECOVERING, Claim
from domain.classification import is_non_performing
from domain.guarantee import Guarantee
from domain.loan import ACTIVE, Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from projections.books import claim_books, loan_books, set_state
from projections.rows import Rows
from projections.schema import claims, covers, loans, pools, product_parties


def contribution_reversed(rows: Rows, e: RiskPool.ContributionReversed) -> None:
    rows.need(pools, e.originator_id.hex)["contributed_fen"] -= e.amount_fen


def pool_payment_reversed(rows: Rows, e: RiskPool.PaymentReversed) -> None:
    rows.need(pools, e.originator_id.hex)["paid_out_fen"] -= e.amount_fen


def pool_recovery_reversed(rows: Rows, e: RiskPool.RecoveryReversed) -> None:
    rows.need(pools, e.originator_id.hex)["recovered_fen"] -= e.amount_fen


def repayment_reversed(rows: Rows, e: Loan.RepaymentReversed) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    loan["repaid_fen"] -= e.principal_fen
    loan["interest_fen"] -= e.interest_fen
    for book in loan_books(rows, loan):
        book["repaid_fen"] -= e.principal_fen
        book["interest_fen"] -= e.interest_fen
        book["outstanding_fen"] += e.principal_fen
        if is_non_performing(loan["class"]):
            book["npl_fen"] += e.principal_fen


def loan_reactivated(rows: Rows, e: Loan.Reactivated) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    set_state(rows, loan, ACTIVE)
    for book in loan_books(rows, loan):
        book["paid_off_loans"] -= 1


def claim_recovery_reversed(rows: Rows, e: Claim.RecoveryReversed) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["recovered_fen"] -= e.amount_fen
    for book in claim_books(rows, claim):
        book["recovered_fen"] -= e.amount_fen
    if claim["state"] == RECOVERING:  # recorded before the split: no party was given a share
        return
    for party, share in e.shares.items():
        rows.need(product_parties, claim["product"], party)["recovery_share_fen"] -= share


def leg_payment_reversed(rows: Rows, e: Claim.LegPaymentReversed) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["state"] = APPROVED  # a leg is unpaid again, so the claim is no longer settled
    rows.need(product_parties, claim["product"], e.payer)["compensation_paid_fen"] -= e.amount_fen
    rows.need(product_parties, claim["product"], e.payee)["legs_received_fen"] -= e.amount_fen


def reimbursement_reversed(rows: Rows, e: Guarantee.ReimbursementReversed) -> None:
    rows.need(covers, e.originator_id.hex)["reimbursed_fen"] -= e.amount_fen


def policy_claim_payment_reversed(rows: Rows, e: InsurancePolicy.ClaimPaymentReversed) -> None:
    rows.need(covers, e.originator_id.hex)["claims_paid_fen"] -= e.amount_fen


REVERSAL_HANDLERS: dict[type, Callable[[Rows, Any], None]] = {
    RiskPool.ContributionReversed: contribution_reversed,
    RiskPool.PaymentReversed: pool_payment_reversed,
    RiskPool.RecoveryReversed: pool_recovery_reversed,
    Loan.RepaymentReversed: repayment_reversed,
    Loan.Reactivated: loan_reactivated,
    Claim.RecoveryReversed: claim_recovery_reversed,
    Claim.LegPaymentReversed: leg_payment_reversed,
    Guarantee.ReimbursementReversed: reimbursement_reversed,
    InsurancePolicy.ClaimPaymentReversed: policy_claim_payment_reversed,
}
