"""The fold from events to read-model rows: one handler per event type, no business rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.claim import APPROVED, FILED, RECOVERING, REJECTED, SETTLED, Claim
from domain.classification import is_non_performing
from domain.coverage import covered_fen
from domain.exposure import Exposure, leverage_multiple
from domain.guarantee import GUARANTEE_FEE, ISSUED, PAID_OUT, RELEASED, Guarantee
from domain.loan import ACTIVE, DEFAULTED, PAID_OFF, REGISTERED, Loan
from domain.policy import IN_FORCE, LAPSED, InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product
from domain.terms import ProductTerms
from projections.books import CLASS, STATE, books, claim_books, loan_books, loan_changed, set_state
from projections.dated import utc_naive
from projections.reversals import REVERSAL_HANDLERS
from projections.rows import Rows
from projections.schema import (
    claims,
    covers,
    exposures,
    loans,
    pool_queue,
    pools,
    product_enterprises,
    product_parties,
    product_pools,
    products,
)


def _party(rows: Rows, product: str, party: str) -> dict[str, Any]:
    return rows.ensure(product_parties, product=product, party=party)


def product_defined(rows: Rows, e: Product.Defined) -> None:
    rows.add(
        products,
        product=e.code,
        name=e.terms["name"],
        structure=e.terms["structure"],
        leverage_multiple=leverage_multiple(ProductTerms.from_record(e.terms)),
    )


def terms_revised(rows: Rows, e: Product.TermsRevised) -> None:
    product = rows.need(products, e.terms["code"])
    product["name"] = e.terms["name"]
    product["leverage_multiple"] = leverage_multiple(ProductTerms.from_record(e.terms))


def pool_opened(rows: Rows, e: RiskPool.Opened) -> None:
    rows.add(
        pools, pool_id=e.originator_id.hex, code=e.code, name=e.name, level=e.level, owner=e.owner
    )
    for product in e.products:  # the pool pays its level's share of these products (R3)
        rows.ensure(product_pools, product=product, level=e.level, pool=e.code)


def contribution_received(rows: Rows, e: RiskPool.ContributionReceived) -> None:
    rows.need(pools, e.originator_id.hex)["contributed_fen"] += e.amount_fen


def pool_payment_made(rows: Rows, e: RiskPool.PaymentMade) -> None:
    pool = rows.need(pools, e.originator_id.hex)
    pool["paid_out_fen"] += e.amount_fen
    queued = rows.get(pool_queue, e.originator_id.hex, e.claim.hex)
    if queued is not None and queued["paid_on"] is None:
        queued["paid_on"] = e.effective_date
        pool["queued_fen"] -= queued["amount_fen"]


def pool_leg_queued(rows: Rows, e: RiskPool.LegQueued) -> None:
    waiting = {"payer": e.payer, "amount_fen": e.amount_fen, "queued_on": e.effective_date}
    rows.need(pools, e.originator_id.hex)["queued_fen"] += e.amount_fen
    queued = rows.get(pool_queue, e.originator_id.hex, e.claim.hex)
    if queued is not None:  # paid from the queue, reversed (R13), and queued once more
        queued.update(waiting, paid_on=None)
        return
    rows.add(pool_queue, pool_id=e.originator_id.hex, claim_id=e.claim.hex, **waiting)


def pool_recovery_received(rows: Rows, e: RiskPool.RecoveryReceived) -> None:
    rows.need(pools, e.originator_id.hex)["recovered_fen"] += e.amount_fen


def loan_registered(rows: Rows, e: Loan.Registered) -> None:
    rows.add(
        loans,
        loan_id=e.originator_id.hex,
        bank=e.bank,
        reference=e.reference,
        product=e.product,
        enterprise=e.enterprise,
        principal_fen=e.principal_fen,
        state=REGISTERED,
        registered_on=e.effective_date,
        recorded_at=utc_naive(e.timestamp),
    )
    loan_changed(rows, e.originator_id.hex, STATE, REGISTERED)
    for book in books(rows, e.product, e.bank):
        book["loans"] += 1
        book["registered_fen"] += e.principal_fen
    borrower = rows.ensure(
        product_enterprises, product=e.product, enterprise=e.enterprise, first_on=e.effective_date
    )
    borrower["first_on"] = min(borrower["first_on"] or e.effective_date, e.effective_date)


def loan_disbursed(rows: Rows, e: Loan.Disbursed) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    loan["disbursed_fen"] += e.amount_fen
    set_state(rows, loan, ACTIVE)
    for book in loan_books(rows, loan):
        book["disbursed_fen"] += e.amount_fen
        book["outstanding_fen"] += e.amount_fen
        if is_non_performing(loan["class"]):
            book["npl_fen"] += e.amount_fen


def repayment_received(rows: Rows, e: Loan.RepaymentReceived) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    loan["repaid_fen"] += e.principal_fen
    loan["interest_fen"] += e.interest_fen
    for book in loan_books(rows, loan):
        book["repaid_fen"] += e.principal_fen
        book["interest_fen"] += e.interest_fen
        book["outstanding_fen"] -= e.principal_fen
        if is_non_performing(loan["class"]):
            book["npl_fen"] -= e.principal_fen


def loan_classified(rows: Rows, e: Loan.Classified) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    loan["class"] = e.new_class
    loan["days_past_due"] = e.days_past_due
    loan_changed(rows, loan["loan_id"], CLASS, e.new_class, e.days_past_due)
    was_npl, is_npl = is_non_performing(e.old_class), is_non_performing(e.new_class)
    if was_npl != is_npl:
        sign = 1 if is_npl else -1
        outstanding = loan["disbursed_fen"] - loan["repaid_fen"] - loan["written_off_fen"]
        for book in loan_books(rows, loan):
            book["npl_loans"] += sign
            book["npl_fen"] += sign * outstanding


def loan_paid_off(rows: Rows, e: Loan.PaidOff) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    set_state(rows, loan, PAID_OFF)
    for book in loan_books(rows, loan):
        book["paid_off_loans"] += 1


def loan_written_off(rows: Rows, e: Loan.WrittenOff) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    loan["written_off_fen"] += e.amount_fen
    for book in loan_books(rows, loan):
        book["written_off_fen"] += e.amount_fen
        book["outstanding_fen"] -= e.amount_fen
        if is_non_performing(loan["class"]):
            book["npl_fen"] -= e.amount_fen


def loan_defaulted(rows: Rows, e: Loan.Defaulted) -> None:
    loan = rows.need(loans, e.originator_id.hex)
    set_state(rows, loan, DEFAULTED)
    loan["default_date"] = e.effective_date
    for book in loan_books(rows, loan):
        book["defaulted_loans"] += 1
        book["defaulted_fen"] += e.outstanding_fen


def claim_filed(rows: Rows, e: Claim.Filed) -> None:
    claim = rows.add(
        claims,
        claim_id=e.originator_id.hex,
        loan_id=e.loan.hex,
        product=e.product,
        bank=rows.need(loans, e.loan.hex)["bank"],
        state=FILED,
        loss_base_fen=e.loss_base_fen,
    )
    for book in claim_books(rows, claim):
        book["claims"] += 1


def claim_approved(rows: Rows, e: Claim.Approved) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["state"] = APPROVED
    claim["approved_fen"] = e.amount_fen
    for book in claim_books(rows, claim):
        book["approved_fen"] += e.amount_fen
    for party, burden in e.burdens.items():
        _party(rows, claim["product"], party)["burden_fen"] += burden


def claim_approved_after_recovery(rows: Rows, e: Claim.ApprovedAfterRecovery) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["state"] = RECOVERING
    claim["approved_fen"] = e.amount_fen
    for book in claim_books(rows, claim):
        book["approved_fen"] += e.amount_fen


def claim_recovery_recorded(rows: Rows, e: Claim.RecoveryRecorded) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["recovered_fen"] += e.amount_fen
    for book in claim_books(rows, claim):
        book["recovered_fen"] += e.amount_fen


def claim_recovery_closed(rows: Rows, e: Claim.RecoveryClosed) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["state"] = APPROVED
    for party, burden in e.burdens.items():
        _party(rows, claim["product"], party)["burden_fen"] += burden


def claim_rejected(rows: Rows, e: Claim.Rejected) -> None:
    rows.need(claims, e.originator_id.hex)["state"] = REJECTED


def leg_paid(rows: Rows, e: Claim.LegPaid) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    _party(rows, claim["product"], e.payer)["compensation_paid_fen"] += e.amount_fen
    _party(rows, claim["product"], e.payee)["legs_received_fen"] += e.amount_fen


def claim_settled(rows: Rows, e: Claim.Settled) -> None:
    rows.need(claims, e.originator_id.hex)["state"] = SETTLED


def recovery_shared(rows: Rows, e: Claim.RecoveryShared) -> None:
    claim = rows.need(claims, e.originator_id.hex)
    claim["recovered_fen"] += e.amount_fen
    for book in claim_books(rows, claim):
        book["recovered_fen"] += e.amount_fen
    for party, share in e.shares.items():
        _party(rows, claim["product"], party)["recovery_share_fen"] += share


GUARANTEE = "guarantee"
POLICY = "policy"


def _cover(rows: Rows, e: Any) -> dict[str, Any]:
    return rows.need(covers, e.originator_id.hex)


def guarantee_issued(rows: Rows, e: Guarantee.Issued) -> None:
    rows.add(
        covers,
        cover_id=e.originator_id.hex,
        kind=GUARANTEE,
        loan_id=e.loan.hex,
        product=e.product,
        bank=e.bank,
        loan_reference=e.loan_reference,
        institution=e.guarantor,
        reference=e.contract,
        coverage_bps=e.coverage_bps,
        rate_bps=e.fee_rate_bps,
        covered_fen=covered_fen(e.principal_fen, e.coverage_bps),
        state=ISSUED,
    )


def guarantee_fee_paid(rows: Rows, e: Guarantee.FeePaid) -> None:
    row = _cover(rows, e)
    row["fees_fen" if e.kind == GUARANTEE_FEE else "reguarantee_fees_fen"] += e.amount_fen


def guarantee_payout_made(rows: Rows, e: Guarantee.PayoutMade) -> None:
    row = _cover(rows, e)
    row["payout_fen"] += e.amount_fen
    row["state"] = PAID_OUT


def guarantee_reimbursed(rows: Rows, e: Guarantee.ReimbursementReceived) -> None:
    _cover(rows, e)["reimbursed_fen"] += e.amount_fen


def guarantee_released(rows: Rows, e: Guarantee.Released) -> None:
    _cover(rows, e)["state"] = RELEASED


def policy_issued(rows: Rows, e: InsurancePolicy.Issued) -> None:
    rows.add(
        covers,
        cover_id=e.originator_id.hex,
        kind=POLICY,
        loan_id=e.loan.hex,
        product=e.product,
        bank=e.bank,
        loan_reference=e.loan_reference,
        institution=e.insurer,
        reference=e.number,
        coverage_bps=e.coverage_bps,
        rate_bps=e.premium_rate_bps,
        covered_fen=covered_fen(e.principal_fen, e.coverage_bps),
        state=IN_FORCE,
    )


def premium_paid(rows: Rows, e: InsurancePolicy.PremiumPaid) -> None:
    _cover(rows, e)["fees_fen"] += e.amount_fen


def policy_claim_paid(rows: Rows, e: InsurancePolicy.ClaimPaid) -> None:
    _cover(rows, e)["claims_paid_fen"] += e.amount_fen


def exposure_opened(rows: Rows, e: Exposure.Opened) -> None:
    rows.add(exposures, exposure_id=e.originator_id.hex, product=e.product)


def _exposure(rows: Rows, e: Any) -> dict[str, Any]:
    return rows.need(products, rows.need(exposures, e.originator_id.hex)["product"])


def exposure_covered(rows: Rows, e: Exposure.Covered | Exposure.Restored) -> None:
    _exposure(rows, e)["covered_fen"] += e.principal_fen


def exposure_reduced(rows: Rows, e: Exposure.Reduced) -> None:
    _exposure(rows, e)["covered_fen"] -= e.principal_fen


def exposure_compensated(rows: Rows, e: Exposure.Compensated) -> None:
    product = _exposure(rows, e)
    product["covered_fen"] -= e.remaining_fen
    product["compensated_fen"] += e.compensated_fen


def exposure_written_off(rows: Rows, e: Exposure.WrittenOff) -> None:
    _exposure(rows, e)["covered_fen"] -= e.remaining_fen


def policy_lapsed(rows: Rows, e: InsurancePolicy.Lapsed) -> None:
    _cover(rows, e)["state"] = LAPSED


HANDLERS: dict[type, Callable[[Rows, Any], None]] = {
    Product.Defined: product_defined,
    Product.TermsRevised: terms_revised,
    Exposure.Opened: exposure_opened,
    Exposure.Covered: exposure_covered,
    Exposure.Restored: exposure_covered,
    Exposure.Reduced: exposure_reduced,
    Exposure.Compensated: exposure_compensated,
    Exposure.WrittenOff: exposure_written_off,
    RiskPool.Opened: pool_opened,
    RiskPool.ContributionReceived: contribution_received,
    RiskPool.PaymentMade: pool_payment_made,
    RiskPool.LegQueued: pool_leg_queued,
    RiskPool.RecoveryReceived: pool_recovery_received,
    Loan.Registered: loan_registered,
    Loan.Disbursed: loan_disbursed,
    Loan.RepaymentReceived: repayment_received,
    Loan.PaidOff: loan_paid_off,
    Loan.Classified: loan_classified,
    Loan.Defaulted: loan_defaulted,
    Loan.WrittenOff: loan_written_off,
    Claim.Filed: claim_filed,
    Claim.Approved: claim_approved,
    Claim.ApprovedAfterRecovery: claim_approved_after_recovery,
    Claim.RecoveryRecorded: claim_recovery_recorded,
    Claim.RecoveryClosed: claim_recovery_closed,
    Claim.Rejected: claim_rejected,
    Claim.LegPaid: leg_paid,
    Claim.Settled: claim_settled,
    Claim.RecoveryShared: recovery_shared,
    Guarantee.Issued: guarantee_issued,
    Guarantee.FeePaid: guarantee_fee_paid,
    Guarantee.PayoutMade: guarantee_payout_made,
    Guarantee.ReimbursementReceived: guarantee_reimbursed,
    Guarantee.Released: guarantee_released,
    InsurancePolicy.Issued: policy_issued,
    InsurancePolicy.PremiumPaid: premium_paid,
    InsurancePolicy.ClaimPaid: policy_claim_paid,
    InsurancePolicy.Lapsed: policy_lapsed,
    **REVERSAL_HANDLERS,
}
