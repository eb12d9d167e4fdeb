"""Invariants of risk pools: balances, the queue, the legs and recoveries they carry (R9-R11)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from domain.claim import Claim
from domain.money import format_yuan
from domain.pool import RiskPool
from domain.product import Product
from domain.terms import POOL_PARTIES


def pool_violations(pool: RiskPool) -> list[str]:
    """A pool's figures are never negative and available = contributed - paid out + recovered."""
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


def queue_violations(pool: RiskPool, claims: dict[UUID, Claim]) -> list[str]:
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


def pool_ledger_violations(
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
