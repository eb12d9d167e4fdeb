"""Guarantees and policies in the application: atomic with the claims and pools they touch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.guarantee import Guarantee
from domain.policy import InsurancePolicy
from ledger.app import RiskLedger, Session
from ledger.settings import Settings
from ledger.terms_file import load_terms
from projections.invariants import check_invariants
from projections.runner import ReadModels, open_engine
from projections.schema import covers

PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
MANAGER = Actor("KJJ", "alice", "cli")
GUARANTOR = Actor("JSDB", "carol", "cli")
START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 12, 1)
USCC = "91320505MA1ABCDE09"


def test_the_example_terms_are_the_designs_kechuangdai_and_kejibao():
    kechuangdai = load_terms(PRODUCTS / "kechuangdai.toml")
    assert (kechuangdai.structure, dict(kechuangdai.shares)) == (
        "guaranteed",
        {"guarantor": 4000, "reguarantor": 3000, "bank": 2000, "pool.county": 1000},
    )
    assert kechuangdai.limits.max_guarantee_fee_bps == 100
    assert kechuangdai.limits.max_enterprise_outstanding_fen == 20_000_000_00
    kejibao = load_terms(PRODUCTS / "kejibao.toml")
    assert (kejibao.structure, dict(kejibao.shares)) == ("insured", {"insurer": 7000, "bank": 3000})
    assert kejibao.limits.max_premium_bps == 270
    assert kejibao.suspension.max_overdue_ratio_bps == 1000


@pytest.fixture
def ledger(db_url: str) -> RiskLedger:
    """A ledger running 科创贷 with a county pool holding 10万, and loan K1 of 500万 in default.

    At the usual 10× a pool that bears 10% of each loss can never run short on its product
    alone (R3); here the county levers its pool 50×, so one loss outruns it (R10).
    """
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    terms = replace(load_terms(PRODUCTS / "kechuangdai.toml"), leverage_multiple=50)

    def programme(s: Session) -> None:
        for code, kind, level in [
            ("KJJ", "operator", None),
            ("KS-FIN", "pool_owner", "county"),
            ("ICBC", "bank", None),
            ("JSDB", "guarantor", None),
            ("JSZDB", "reguarantor", None),
        ]:
            s.add_institution(
                code=code,
                kind=kind,
                name=code,
                region="昆山",
                level=level,
                effective_date=START,
                actor=MANAGER,
            )
        s.add_enterprise(
            uscc=USCC, name="某科技", region="昆山", effective_date=START, actor=MANAGER
        )
        s.define_product(terms=terms, actor=MANAGER)
        s.open_pool(
            code="KS-POOL",
            name="县池",
            owner="KS-FIN",
            level="county",
            products=["KCD"],
            effective_date=START,
            actor=MANAGER,
        )
        s.fund_pool(
            pool="KS-POOL",
            amount_fen=100_000_00,
            funder="KS-FIN",
            ref="F1",
            effective_date=START,
            actor=MANAGER,
        )
        s.register_loan(
            bank="ICBC",
            reference="K1",
            uscc=USCC,
            product="KCD",
            principal_fen=5_000_000_00,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            actor=MANAGER,
        )
        s.disburse(
            bank="ICBC",
            reference="K1",
            amount_fen=5_000_000_00,
            value_date=START,
            ref="D1",
            actor=MANAGER,
        )
        s.issue_guarantee(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            contract="DB-001",
            coverage_bps=8000,
            fee_rate_bps=100,
            reguarantor="JSZDB",
            reguarantee_fee_bps=50,
            issued_on=START,
            actor=GUARANTOR,
        )
        s.declare_default(
            bank="ICBC", reference="K1", default_date=DEFAULT_DAY, reason="破产", actor=MANAGER
        )

    ledger.transact(programme)
    return ledger


def _guarantee(ledger: RiskLedger) -> Guarantee:
    found = Session(ledger).guarantee_on(ledger.get_loan("ICBC", "K1").id)
    assert found is not None
    return found


def _claim_with_legs_paid(ledger: RiskLedger) -> dict[str, int]:
    """Makes the 代偿, files, approves in full and pays the legs; returns the legs paid."""
    ledger.transact(
        lambda s: s.make_guarantee_payout(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=None,
            ref="DC1",
            effective_date=DEFAULT_DAY,
            actor=GUARANTOR,
        )
    )
    ledger.transact(
        lambda s: s.file_claim(
            bank="ICBC",
            reference="K1",
            ref="C1",
            filed_on=DEFAULT_DAY,
            actor=GUARANTOR,
            guarantor="JSDB",
        )
    )
    ledger.transact(
        lambda s: s.approve_claim(
            bank="ICBC", reference="K1", amount_fen=None, effective_date=DEFAULT_DAY, actor=MANAGER
        )
    )
    return ledger.transact(
        lambda s: s.pay_legs(
            bank="ICBC", reference="K1", parties=None, effective_date=DEFAULT_DAY, actor=MANAGER
        )
    )


def test_a_pool_leg_queued_for_funds_reimburses_the_guarantor_when_paid(ledger):
    paid = _claim_with_legs_paid(ledger)
    # The county pool holds 10万 against a 50万 leg: it waits; the re-guarantor pays.
    assert paid == {"reguarantor": 1_500_000_00}
    assert _guarantee(ledger).reimbursed == {"reguarantor": 1_500_000_00}
    assert check_invariants(ledger) == []

    ledger.transact(
        lambda s: s.fund_pool(
            pool="KS-POOL",
            amount_fen=400_000_00,
            funder="KS-FIN",
            ref="F2",
            effective_date=date(2025, 1, 5),
            actor=MANAGER,
        )
    )
    assert _guarantee(ledger).reimbursed == {
        "reguarantor": 1_500_000_00,
        "pool.county": 500_000_00,
    }
    assert ledger.get_pool("KS-POOL").available_fen == 0
    assert check_invariants(ledger) == []


def test_a_refused_approval_writes_neither_the_claim_nor_the_guarantee(ledger):
    ledger.transact(
        lambda s: s.make_guarantee_payout(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=3_000_000_00,
            ref="DC1",
            effective_date=DEFAULT_DAY,
            actor=GUARANTOR,
        )
    )
    ledger.transact(
        lambda s: s.file_claim(
            bank="ICBC",
            reference="K1",
            ref="C1",
            filed_on=DEFAULT_DAY,
            actor=GUARANTOR,
            guarantor="JSDB",
        )
    )
    before = ledger.event_count()
    with pytest.raises(RuleViolation) as error:
        ledger.transact(
            lambda s: s.approve_claim(
                bank="ICBC",
                reference="K1",
                amount_fen=None,
                effective_date=DEFAULT_DAY,
                actor=MANAGER,
            )
        )
    assert (error.value.rule, error.value.field) == ("R9", "amount")
    assert ledger.event_count() == before


def test_a_policy_is_found_by_its_loan_and_a_guarantee_is_not_a_policy(ledger):
    loan = ledger.get_loan("ICBC", "K1")
    session = Session(ledger)
    assert session.policy_on(loan.id) is None
    assert isinstance(session.guarantee_on(loan.id), Guarantee)
    assert InsurancePolicy.create_id(loan.id) != Guarantee.create_id(loan.id)


def test_the_cover_read_model_folds_fees_payout_and_reimbursements(ledger):
    # The fee first: a guarantee that made its 代偿 takes no more fees.
    ledger.transact(
        lambda s: s.pay_guarantee_fee(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=40_000_00,
            ref="F1",
            paid_on=START,
            actor=GUARANTOR,
        )
    )
    _claim_with_legs_paid(ledger)
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()

    def rows() -> list[dict]:
        with models.engine.connect() as connection:
            return [dict(row) for row in connection.execute(select(covers)).mappings()]

    folded = rows()
    guarantee = _guarantee(ledger)
    assert folded == [
        {
            "cover_id": guarantee.id.hex,
            "kind": "guarantee",
            "loan_id": guarantee.loan.hex,
            "product": "KCD",
            "bank": "ICBC",
            "loan_reference": "K1",
            "institution": "JSDB",
            "reference": "DB-001",
            "coverage_bps": 8000,
            "rate_bps": 100,
            "covered_fen": guarantee.guaranteed_fen,
            "fees_fen": 40_000_00,
            "reguarantee_fees_fen": 0,
            "payout_fen": 4_000_000_00,
            "reimbursed_fen": guarantee.reimbursed_fen,
            "claims_paid_fen": 0,
            "state": "paid_out",
        }
    ]
    models.rebuild()
    assert rows() == folded
