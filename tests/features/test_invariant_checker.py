"""The invariant checker run after every step finds a broken ledger, not only blesses a sound one.

Each test tampers with one aggregate by triggering its event directly, as a buggy command
that skipped the domain's checks would, and expects the checker to name the damage.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.ids import (
    claimant_account_id,
    enterprise_id,
    exposure_id,
    institution_id,
    loan_id,
    pool_id,
    product_id,
)
from domain.money import parse_bps
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger
from ledger.settings import Settings
from projections import invariants
from projections.invariants import check_invariants, originator_ids

from .programme import FUND_MANAGER, TERMS_FROM, Programme, pool_code, uscc_for

DAY = date(2024, 9, 25)


@pytest.fixture
def filed(tmp_path) -> Programme:
    """A 苏科贷 loan of 1,000,000.00 in default, with the bank's claim filed."""
    programme = Programme(RiskLedger(Settings(db=str(tmp_path / "l.db"), operator="bdd")))
    terms = parse_terms(
        {
            "code": "苏科贷",
            "name": "苏科贷",
            "structure": "direct",
            "effective_from": TERMS_FROM,
            "shares": {"pool.city": parse_bps("70%"), "bank": parse_bps("30%")},
        }
    )

    def programme_opened(session) -> None:
        session.add_institution(
            code="SZ-FIN",
            kind="pool_owner",
            name="苏州市财政局",
            region="苏州",
            level="city",
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )
        session.define_product(terms=terms, actor=FUND_MANAGER)
        session.open_pool(
            code=pool_code("苏科贷", "city pool"),
            name="市级资金池",
            owner="SZ-FIN",
            level="city",
            products=["苏科贷"],
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )

    programme.run(programme_opened)
    programme.run(programme.contribution("苏科贷", "city pool", "SZ-FIN", 2_000_000_00, DAY, "c"))
    start = date(2024, 2, 1)
    programme.run(programme.registration("ICBC", "L1", 1_000_000_00, "某科技", "苏科贷", start))
    programme.run(programme.disbursement("ICBC", "L1", 1_000_000_00, start, "D1"))
    programme.run(programme.default("ICBC", "L1", date(2024, 9, 1), "overdue"))
    programme.run(programme.filing("ICBC", "L1", date(2024, 9, 10), "C1"))
    assert check_invariants(programme.ledger) == []
    return programme


@pytest.fixture
def settled(filed) -> Programme:
    """The same claim approved in full and the city pool's leg of 700,000.00 paid."""
    filed.run(filed.approval("L1", None, date(2024, 9, 20)))
    filed.run(filed.leg_payment("L1", None, DAY))
    assert check_invariants(filed.ledger) == []
    return filed


def violations_after(programme: Programme, tamper) -> list[str]:
    """Returns what the checker reports once `tamper` changed an aggregate and it was saved."""
    programme.ledger.save(tamper(programme))
    return check_invariants(programme.ledger)


def test_reports_a_pool_below_zero_and_a_payment_no_leg_explains(settled):
    def overdraw(programme):
        pool = programme.ledger.get_pool(pool_code("苏科贷", "city pool"))
        pool._payment_made(
            amount_fen=5_000_000_00, claim=pool.id, payee="ICBC", effective_date=DAY, actor=None
        )
        return pool

    found = violations_after(settled, overdraw)
    assert any("available -3,700,000.00 is below zero (R10)" in v for v in found), found
    assert any("paid out 5,700,000.00, but the pool legs paid total 700,000.00" in v for v in found)


def test_reports_burdens_that_miss_the_approved_loss_and_legs_that_miss_the_burdens(filed):
    def miscount(programme):
        claim = programme.claim("L1")
        claim._approved(
            amount_fen=1_000_000_00,
            burdens={"pool.city": 700_000_00, "bank": 299_999_99},
            legs={"pool.city": 700_000_00, "bank": 299_999_99},
            effective_date=DAY,
            actor=None,
        )
        return claim

    found = violations_after(filed, miscount)
    assert any("burdens sum to 999,999.99, not the approved 1,000,000.00" in v for v in found)
    assert any("are not the other parties' burdens" in v for v in found), found


def test_reports_a_recovery_beyond_a_partys_burden(settled):
    def overshare(programme):
        claim = programme.claim("L1")
        claim._recovery_shared(
            amount_fen=1_000_000_00,
            shares={"pool.city": 1_000_000_00, "bank": 0},
            ref="X",
            effective_date=DAY,
            actor=None,
        )
        return claim

    found = violations_after(settled, overshare)
    assert any(
        "pool.city recovered 1,000,000.00, outside 0 to its burden 700,000.00" in v for v in found
    ), found
    assert any("received 0.00 of recoveries" in v for v in found), found


def test_reports_a_loan_repaid_beyond_its_outstanding(settled):
    def overpay(programme):
        loan = programme.ledger.get_loan("ICBC", "L1")
        loan._repaid(
            principal_fen=1_000_000_01, interest_fen=0, effective_date=DAY, ref="X", actor=None
        )
        return loan

    found = violations_after(settled, overpay)
    assert found == [
        "ICBC loan L1: outstanding -0.01 is outside 0 to the principal 1,000,000.00"
    ], found


def test_reads_every_aggregate_across_pages_of_notifications(settled, monkeypatch):
    whole = originator_ids(settled.ledger)
    monkeypatch.setattr(invariants, "PAGE_SIZE", 3)
    assert originator_ids(settled.ledger) == whole
    assert set(whole) == {
        institution_id("SZ-FIN"),
        product_id("苏科贷"),
        pool_id(pool_code("苏科贷", "city pool")),
        institution_id("ICBC"),
        enterprise_id(uscc_for("某科技")),
        loan_id("ICBC", "L1"),
        settled.claim("L1").id,
        claimant_account_id("苏科贷", "ICBC"),
        exposure_id("苏科贷"),
    }
