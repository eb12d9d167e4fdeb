"""Invariants that every state of the ledger must satisfy, checked by replaying every event.

One pass over the notification log rebuilds every aggregate and posts the journal as it goes
(one read instead of one per aggregate keeps the check after every Gherkin step cheap).
One module per area: pools and their queue, claims and caps, covers, loans, exposure, journal.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from domain.claim import Claim
from domain.claimant_account import ClaimantAccount
from domain.exposure import Exposure
from domain.guarantee import Guarantee
from domain.loan import Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product
from projections.invariants.claims import cap_violations, claim_violations
from projections.invariants.covers import cover_violations
from projections.invariants.exposure import exposure_violations
from projections.invariants.journal import JournalCheck
from projections.invariants.loans import loan_violations, reversal_violations
from projections.invariants.pools import pool_ledger_violations, pool_violations, queue_violations

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


def replay(app: Application[UUID]) -> tuple[list[Aggregate], JournalCheck]:
    """Returns every aggregate, in order of its first event, and the journal posted meanwhile."""
    aggregates: dict[UUID, Aggregate] = {}
    journal = JournalCheck(aggregates)
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE_SIZE)
        for notification in page:
            domain_event = app.mapper.to_domain_event(notification)
            originator = domain_event.originator_id
            aggregates[originator] = domain_event.mutate(aggregates.get(originator))
            journal.post(notification.id, domain_event)
        if len(page) < PAGE_SIZE:
            return list(aggregates.values()), journal
        start = page[-1].id + 1


def check_invariants(app: Application[UUID]) -> list[str]:
    """Returns every invariant the ledger's current state violates; empty when all hold."""
    aggregates, journal = replay(app)
    pools = [a for a in aggregates if isinstance(a, RiskPool)]
    claims = {a.id: a for a in aggregates if isinstance(a, Claim)}
    loans = [a for a in aggregates if isinstance(a, Loan)]
    products = {a.code: a for a in aggregates if isinstance(a, Product)}
    accounts = [a for a in aggregates if isinstance(a, ClaimantAccount)]
    covers = [a for a in aggregates if isinstance(a, Guarantee | InsurancePolicy)]
    violations: list[str] = []
    for pool in pools:
        violations.extend(pool_violations(pool))
        violations.extend(queue_violations(pool, claims))
    for claim in claims.values():
        violations.extend(claim_violations(claim))
    for loan in loans:
        violations.extend(loan_violations(loan, claims))
    violations.extend(pool_ledger_violations(pools, claims.values(), products))
    violations.extend(cap_violations(claims, products, accounts))
    violations.extend(cover_violations(covers, claims))
    violations.extend(reversal_violations(pools, loans, claims.values()))
    exposures = [a for a in aggregates if isinstance(a, Exposure)]
    violations.extend(exposure_violations(exposures, loans))
    violations.extend(journal.violations(pools, loans))
    return violations
