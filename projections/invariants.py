"""Invariants that every state of the ledger must satisfy, checked by reading every aggregate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from domain.claim import APPROVED, RECOVERING, SETTLED, Claim
from domain.claimant_account import ClaimantAccount
from domain.coverage import covered_fen
from domain.exposure import Exposure
from domain.guarantee import Guarantee
from domain.legs import GUARANTOR, Leg, plan_legs, settles_burdens
from domain.loan import PAID_OFF, Loan
from domain.money import WHOLE_BPS, format_yuan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product
from domain.split import pools_burden_fen
from domain.terms import POOL_PARTIES

PAGE_SIZE = 500


def originator_ids(app: Application[UUID]) -> list[UUID]:
    """Returns the id of every aggregate that has an event, in order of its first event."""
    seen: dict[UUID, None] = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE_SIZE)
        for notification in page:
            seen.setdefault(notification.originator_id, None)
        if len(page) < PAGE_SIZE:
            return list(seen)
        start = page[-1].id + 1


def check_invariants(app: Application[UUID]) -> list[str]:
    """Returns every invariant the ledger's current state violates; empty when all hold."""
    aggregates: list[Aggregate] = [app.repository.get(i) for i in originator_ids(app)]
    pools = [a for a in aggregates if isinstance(a, RiskPool)]
    claims = {a.id: a for a in aggregates if isinstance(a, Claim)}
    loans = [a for a in aggregates if isinstance(a, Loan)]
    products = {a.code: a for a in aggregates if isinstance(a, Product)}
    accounts = [a for a in aggregates if isinstance(a, ClaimantAccount)]
    covers = [a for a in aggregates if isinstance(a, Guarantee | InsurancePolicy)]
    violations: list[str] = []
    for pool in pools:
        violations.extend(_pool_violations(pool))
        violations.extend(_queue_violations(pool, claims))
    for claim in claims.values():
        violations.extend(_claim_violations(claim))
    for loan in loans:
        violations.extend(_loan_violations(loan, claims))
    violations.extend(_pool_ledger_violations(pools, claims.values(), products))
    violations.extend(_cap_violations(claims, products, accounts))
    violations.extend(_cover_violations(covers, claims))
    violations.extend(_reversal_violations(pools, loans, claims.values()))
    exposures = [a for a in aggregates if isinstance(a, Exposure)]
    violations.extend(_exposure_violations(exposures, loans))
    return violations


def _pool_violations(pool: RiskPool) -> list[str]:
    name = f"pool {pool.code}"
    found: list[str] = []
    for label, fen in (
        ("contributed", pool.contributed_fen),
        ("paid out", pool.paid_out_fen),
        ("recovered", pool.recovered_fen),
    ):
        if fen < 0:
            found.append(f"{name}: {label} {format_yuan(fen)} is negative")
    if pool.available_fen < 0:
        found.append(f"{name}: available {format_yuan(pool.available_fen)} is below zero (R10)")
    expected = pool.contributed_fen - pool.paid_out_fen + pool.recovered_fen
    if pool.available_fen != expected:
        found.append(
            f"{name}: available {format_yuan(pool.available_fen)} is not contributed - "
            f"paid out + recovered = {format_yuan(expected)}"
        )
    return found


def _claim_violations(claim: Claim) -> list[str]:
    name = f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}"
    if claim.state == RECOVERING:
        # Approved after recovery (R11): recoveries reduce the loss; nothing is split yet.
        if claim.burdens or claim.legs or claim.recovered_by_party:
            return [f"{name}: {claim.state}, yet it has burdens, legs or shared recoveries"]
        if not 0 <= claim.recovered_fen <= claim.approved_fen:
            return [f"{name}: recovered {format_yuan(claim.recovered_fen)} is outside the loss"]
        return []
    if claim.state not in (APPROVED, SETTLED):
        if claim.burdens or claim.legs_paid or claim.recovered_fen:
            return [f"{name}: {claim.state}, yet it has burdens, paid legs or recoveries"]
        return []
    found: list[str] = []
    if claim.approved_fen > claim.loss_base_fen:
        found.append(
            f"{name}: approved {format_yuan(claim.approved_fen)} exceeds the loss base "
            f"{format_yuan(claim.loss_base_fen)} (R7)"
        )
    # The loss split: the approved amount, less recoveries made before an after-recovery split.
    split = claim.approved_fen - claim.recovered_before_split_fen
    burden_total = sum(claim.burdens.values())
    if burden_total != split or claim.shared_loss_fen != split:
        early = claim.recovered_before_split_fen
        less = f" less {format_yuan(early)} recovered before the split" if early else ""
        found.append(
            f"{name}: burdens sum to {format_yuan(burden_total)}, "
            f"not the approved {format_yuan(claim.approved_fen)}{less} (R8)"
        )
    found.extend(
        f"{name}: {party}'s burden {format_yuan(fen)} is negative (R8)"
        for party, fen in claim.burdens.items()
        if fen < 0
    )
    # The domain plans the legs; the claimant tells a guaranteed claim from the others.
    structure = "guaranteed" if claim.claimant == GUARANTOR else "direct"
    planned = plan_legs(structure, claim.burdens, claim.claimant)
    expected_legs = {leg.payer: leg.amount_fen for leg in planned}
    expected_payees = {leg.payer: leg.payee for leg in planned}
    if (claim.legs, claim.payees) != (expected_legs, expected_payees):
        found.append(
            f"{name}: legs {claim.legs} to {claim.payees} are not the other parties' burdens "
            f"as planned, {expected_legs} to {expected_payees} (R9)"
        )
    legs = [Leg(payer, claim.payees.get(payer, ""), fen) for payer, fen in claim.legs.items()]
    if not settles_burdens(burden_total, claim.burdens, legs):
        found.append(f"{name}: its legs do not leave every party bearing its burden (R9)")
    unknown_paid = sorted(set(claim.legs_paid) - set(claim.legs))
    if unknown_paid:
        found.append(f"{name}: legs paid by {', '.join(unknown_paid)}, who owe none (R9)")
    all_paid = set(claim.legs) <= set(claim.legs_paid)
    if all_paid != (claim.state == SETTLED):
        found.append(f"{name}: {claim.state}, but all legs paid is {all_paid} (R9)")
    found.extend(_recovery_violations(name, claim))
    return found


def _recovery_violations(name: str, claim: Claim) -> list[str]:
    found: list[str] = []
    if claim.recovered_fen > claim.approved_fen:
        found.append(
            f"{name}: recovered {format_yuan(claim.recovered_fen)} exceeds the loss "
            f"{format_yuan(claim.approved_fen)} (R11)"
        )
    shared = sum(claim.recovered_by_party.values())
    if shared != claim.recovered_fen - claim.recovered_before_split_fen:
        found.append(
            f"{name}: recoveries shared back total {format_yuan(shared)}, not the "
            f"{format_yuan(claim.recovered_fen - claim.recovered_before_split_fen)} "
            "recovered after the split (R11)"
        )
    for party, fen in claim.recovered_by_party.items():
        burden = claim.burdens.get(party, 0)
        if not 0 <= fen <= burden:
            found.append(
                f"{name}: {party} recovered {format_yuan(fen)}, outside 0 to its burden "
                f"{format_yuan(burden)} (R11)"
            )
    return found


def _loan_violations(loan: Loan, claims: dict[UUID, Claim]) -> list[str]:
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


def _pool_ledger_violations(
    pools: list[RiskPool], claims: Iterable[Claim], products: dict[str, Product]
) -> list[str]:
    """Pools pay exactly the paid pool legs and take back exactly the pools' recoveries."""
    paid: dict[str, int] = defaultdict(int)
    recovered: dict[str, int] = defaultdict(int)
    found: list[str] = []
    for claim in claims:
        product = products.get(claim.product)
        pool_parties = [p for p in claim.burdens if p in POOL_PARTIES]
        for party in pool_parties:
            leg_paid = claim.legs[party] if party in claim.legs_paid else 0
            recovery = claim.recovered_by_party.get(party, 0)
            pool_code = None if product is None else product.pools.get(party.removeprefix("pool."))
            if pool_code is None:
                if leg_paid or recovery:
                    found.append(
                        f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}: "
                        f"{party} paid or recovered, but {claim.product} has no such pool"
                    )
                continue
            paid[pool_code] += leg_paid
            recovered[pool_code] += recovery
    for pool in pools:
        if pool.paid_out_fen != paid[pool.code]:
            found.append(
                f"pool {pool.code}: paid out {format_yuan(pool.paid_out_fen)}, but the pool "
                f"legs paid total {format_yuan(paid[pool.code])} (R9)"
            )
        if pool.recovered_fen != recovered[pool.code]:
            found.append(
                f"pool {pool.code}: received {format_yuan(pool.recovered_fen)} of recoveries, "
                f"but its share of them totals {format_yuan(recovered[pool.code])} (R11)"
            )
    return found


def _queue_violations(pool: RiskPool, claims: dict[UUID, Claim]) -> list[str]:
    """A queued leg is an unpaid pool leg of an approved claim, never one the pool paid (R10)."""
    found: list[str] = []
    for leg in pool.queue.values():
        name = f"pool {pool.code}: queued leg of {leg.payer} on claim {leg.claim}"
        claim = claims.get(leg.claim)
        if claim is None or claim.legs.get(leg.payer) != leg.amount_fen:
            found.append(f"{name}: not a leg of {format_yuan(leg.amount_fen)} on that claim")
        elif leg.payer in claim.legs_paid or leg.claim in pool.claims_paid:
            found.append(f"{name}: it was paid, yet it still waits (R10)")
    if pool.queue and pool.payable_queue():
        found.append(f"pool {pool.code}: holds the funds for its oldest queued leg, unpaid (R10)")
    return found


def _cap_violations(
    claims: dict[UUID, Claim], products: dict[str, Product], accounts: list[ClaimantAccount]
) -> list[str]:
    """The pools bear no more than the per-claim and cumulative caps allow (R8)."""
    found: list[str] = []
    for claim in claims.values():
        product = products.get(claim.product)
        if product is None or not claim.burdens:
            continue
        caps = product.terms_version(claim.terms_version).caps
        pools_fen = pools_burden_fen(claim.burdens)
        limits = [caps.per_claim_fen] if caps.per_claim_fen is not None else []
        if caps.per_claim_share_bps is not None:
            limits.append(claim.shared_loss_fen * caps.per_claim_share_bps // WHOLE_BPS)
        if limits and pools_fen > min(limits):
            found.append(
                f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}: the pools "
                f"bear {format_yuan(pools_fen)}, above the per-claim cap {format_yuan(min(limits))}"
            )
    for account in accounts:
        losses = pool_burdens = 0
        for claim_id, (loss, pools_fen) in account.claims.items():
            claim = claims.get(claim_id)
            product = products.get(account.product)
            if claim is None or product is None:
                found.append(f"{account.claimant}'s account counts an unknown claim {claim_id}")
                continue
            if (loss, pools_fen) != (claim.shared_loss_fen, pools_burden_fen(claim.burdens)):
                found.append(f"{account.claimant}'s account miscounts claim {claim.reference}")
            share = product.terms_version(claim.terms_version).caps.cumulative_share_bps
            losses += loss
            if share is not None:
                allowed = max(0, (losses * share // WHOLE_BPS) - pool_burdens)
                if pools_fen > allowed:
                    found.append(
                        f"{account.claimant} under {account.product}: the pools bear "
                        f"{format_yuan(pools_fen)} of claim {claim.reference}, above the "
                        f"{format_yuan(allowed)} the cumulative cap leaves (R8)"
                    )
            pool_burdens += pools_fen
    return found


def _cover_violations(
    covers: list[Guarantee | InsurancePolicy], claims: dict[UUID, Claim]
) -> list[str]:
    """Guarantees and policies stay within their cover and caps, and match the claims' legs."""
    found: list[str] = []
    paid_legs: dict[UUID, list[tuple[str, str, int]]] = defaultdict(list)
    for claim in claims.values():
        for payer in claim.legs_paid:
            paid_legs[claim.loan].append((payer, claim.payees.get(payer, ""), claim.legs[payer]))
    for cover in covers:
        legs = paid_legs[cover.loan]
        if isinstance(cover, Guarantee):
            name = f"guarantee {cover.contract} on {cover.bank} loan {cover.loan_reference}"
            fees = [
                (cover.fees_paid_fen, cover.fee_allowance_fen),
                (cover.reguarantee_fees_paid_fen, cover.reguarantee_fee_allowance_fen),
            ]
            within_cover = cover.paid_out_fen <= cover.covered_loss_fen(cover.loss_base_fen)
            received: dict[str, int] = defaultdict(int)
            for payer, payee, fen in legs:
                received[payer] += fen if payee == GUARANTOR else 0
                if payer == GUARANTOR and fen > cover.paid_out_fen:
                    found.append(f"{name}: its leg {format_yuan(fen)} exceeds its 代偿 (R9)")
            if {p: f for p, f in received.items() if f} != cover.reimbursed:
                found.append(f"{name}: reimbursed {cover.reimbursed}, legs paid {received} (R9)")
        else:
            name = f"policy {cover.number} on {cover.bank} loan {cover.loan_reference}"
            fees = [(cover.premiums_paid_fen, cover.premium_allowance_fen)]
            loss_bases = [c.loss_base_fen for c in claims.values() if c.loan == cover.loan]
            covered = max((covered_fen(base, cover.coverage_bps) for base in loss_bases), default=0)
            within_cover = cover.claims_paid_fen <= covered
            insurer_legs = sum(fen for payer, _, fen in legs if payer == "insurer")
            if insurer_legs != cover.claims_paid_fen:
                found.append(
                    f"{name}: claims paid {format_yuan(cover.claims_paid_fen)}, but the "
                    f"insurer's legs paid total {format_yuan(insurer_legs)} (R9)"
                )
        if not within_cover:
            found.append(f"{name}: pays more than it covers (R16)")
        if any(paid > allowed for paid, allowed in fees):
            found.append(f"{name}: fees or premiums above what the rate allows (R17)")
    return found


def _reversal_violations(
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


def _exposure_violations(exposures: list[Exposure], loans: list[Loan]) -> list[str]:
    """A product's covered outstanding is its loans' principal not repaid, leaving out loans
    whose claim was approved or that were written off; what it ever covered is their whole
    principal (R3)."""
    found: list[str] = []
    for exposure in exposures:
        mine = [loan for loan in loans if loan.product == exposure.product]
        expected = sum(
            loan.principal_fen - loan.principal_repaid_fen
            for loan in mine
            if loan.id.hex not in exposure.compensations and loan.written_off_on is None
        )
        name = f"exposure of {exposure.product}"
        if exposure.covered_fen != expected:
            found.append(
                f"{name}: covers {format_yuan(exposure.covered_fen)}, but its loans leave "
                f"{format_yuan(expected)} of principal outstanding or undrawn (R3)"
            )
        registered = sum(loan.principal_fen for loan in mine)
        if exposure.registered_fen != registered:
            found.append(
                f"{name}: covered {format_yuan(exposure.registered_fen)} in all, but its loans' "
                f"principal is {format_yuan(registered)} (R3)"
            )
    return found
