"""Invariants that every state of the ledger must satisfy, checked by reading every aggregate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from domain.claim import APPROVED, SETTLED, Claim
from domain.loan import Loan
from domain.money import format_yuan
from domain.pool import RiskPool
from domain.product import Product
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
    violations: list[str] = []
    for pool in pools:
        violations.extend(_pool_violations(pool))
    for claim in claims.values():
        violations.extend(_claim_violations(claim))
    for loan in loans:
        violations.extend(_loan_violations(loan, claims))
    violations.extend(_pool_ledger_violations(pools, claims.values(), products))
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
    burden_total = sum(claim.burdens.values())
    if burden_total != claim.approved_fen:
        found.append(
            f"{name}: burdens sum to {format_yuan(burden_total)}, "
            f"not the approved {format_yuan(claim.approved_fen)} (R8)"
        )
    found.extend(
        f"{name}: {party}'s burden {format_yuan(fen)} is negative (R8)"
        for party, fen in claim.burdens.items()
        if fen < 0
    )
    # A party whose burden rounds to nothing has no leg to pay.
    expected_legs = {
        party: fen for party, fen in claim.burdens.items() if party != claim.claimant and fen > 0
    }
    if claim.legs != expected_legs:
        found.append(
            f"{name}: legs {claim.legs} are not the other parties' burdens {expected_legs} (R9)"
        )
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
    if shared != claim.recovered_fen:
        found.append(
            f"{name}: recoveries shared back total {format_yuan(shared)}, "
            f"not the {format_yuan(claim.recovered_fen)} recovered (R11)"
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
