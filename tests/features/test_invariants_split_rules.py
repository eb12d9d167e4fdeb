"""The invariant checker finds broken caps (R8), queues (R10) and claimant accounts.

Each test tampers with one aggregate by triggering its event directly, as a buggy command
that skipped the domain's checks would, and expects the checker to name the damage.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.claimant_account import ClaimantAccount
from domain.ids import claimant_account_id
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger
from ledger.settings import Settings
from projections.invariants import check_invariants

from .programme import FUND_MANAGER, TERMS_FROM, Programme, pool_code

DAY = date(2024, 9, 25)
POOL = pool_code("通科贷", "city pool")


@pytest.fixture
def approved(tmp_path) -> Programme:
    """A 通科贷 claim of 1,000,000.00 approved: the pool bears at most 600,000.00 a claim."""
    programme = Programme(RiskLedger(Settings(db=str(tmp_path / "l.db"), operator="bdd")))
    terms = parse_terms(
        {
            "code": "通科贷",
            "name": "通科贷",
            "structure": "direct",
            "effective_from": TERMS_FROM,
            "shares": {"pool.city": 8000, "bank": 2000},
            "caps": {"per_claim": "60万"},
        }
    )

    def programme_opened(session) -> None:
        session.add_institution(
            code="NT-FIN",
            kind="pool_owner",
            name="南通市财政局",
            region="南通",
            level="city",
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )
        session.define_product(terms=terms, actor=FUND_MANAGER)
        session.open_pool(
            code=POOL,
            name="市级资金池",
            owner="NT-FIN",
            level="city",
            products=["通科贷"],
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )

    programme.run(programme_opened)
    programme.run(programme.contribution("通科贷", "city pool", "NT-FIN", 500_000_00, DAY, "c"))
    start = date(2024, 2, 1)
    programme.run(programme.registration("ICBC", "L1", 1_000_000_00, "某科技", "通科贷", start))
    programme.run(programme.disbursement("ICBC", "L1", 1_000_000_00, start, "D1"))
    programme.run(programme.default("ICBC", "L1", date(2024, 9, 1), "overdue"))
    programme.run(programme.filing("ICBC", "L1", date(2024, 9, 10), "C1"))
    programme.run(programme.approval("L1", None, date(2024, 9, 20)))
    assert programme.claim("L1").burdens == {"pool.city": 600_000_00, "bank": 400_000_00}
    assert check_invariants(programme.ledger) == []
    return programme


def violations_after(programme: Programme, tamper) -> list[str]:
    programme.ledger.save(tamper(programme))
    return check_invariants(programme.ledger)


def test_reports_pools_bearing_more_than_the_per_claim_cap(approved):
    def overburden(programme):
        claim = programme.claim("L1")
        claim._recovery_closed(
            unrecovered_fen=1_000_000_00,
            burdens={"pool.city": 800_000_00, "bank": 200_000_00},
            legs={"pool.city": 800_000_00},
            payees={"pool.city": "bank"},
            effective_date=DAY,
            actor=None,
        )
        return claim

    found = violations_after(approved, overburden)
    assert any("bear 800,000.00, above the per-claim cap 600,000.00" in v for v in found), found
    assert any("account miscounts claim C1" in v for v in found), found


def test_reports_a_leg_that_waits_while_the_pool_holds_its_funds(approved):
    def queue_affordable(programme):
        pool = programme.ledger.get_pool(POOL)
        pool._leg_queued(
            claim=programme.claim("L1").id,
            payer="pool.city",
            payee="ICBC",
            amount_fen=600_000_00,
            effective_date=DAY,
            actor=None,
        )
        pool._contribution_received(
            amount_fen=100_000_00, funder="NT-FIN", ref="x", effective_date=DAY, actor=None
        )
        return pool

    found = violations_after(approved, queue_affordable)
    assert found == [f"pool {POOL}: holds the funds for its oldest queued leg, unpaid (R10)"]


def test_reports_a_queued_leg_that_was_already_paid(approved):
    approved.run(approved.contribution("通科贷", "city pool", "NT-FIN", 100_000_00, DAY, "c2"))
    approved.run(approved.leg_payment("L1", None, DAY))

    def queue_paid(programme):
        pool = programme.ledger.get_pool(POOL)
        pool._leg_queued(
            claim=programme.claim("L1").id,
            payer="pool.city",
            payee="ICBC",
            amount_fen=600_000_00,
            effective_date=DAY,
            actor=None,
        )
        return pool

    found = violations_after(approved, queue_paid)
    assert any("it was paid, yet it still waits (R10)" in v for v in found), found


def test_reports_an_account_that_counts_a_claim_the_ledger_lacks(approved):
    def count_ghost(programme):
        account = programme.ledger.repository.get(claimant_account_id("通科贷", "ICBC"))
        assert isinstance(account, ClaimantAccount)
        account._claim_counted(
            claim=claimant_account_id("ghost", "claim"),
            loss_fen=1,
            pool_burden_fen=1,
            effective_date=DAY,
            actor=None,
        )
        return account

    found = violations_after(approved, count_ghost)
    assert any("ICBC's account counts an unknown claim" in v for v in found), found
