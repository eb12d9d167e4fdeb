"""A claim filed again under its reference (R7, R14): the same filing is answered as the first;
another date or another filer is a conflict naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.actor import Actor
from domain.errors import Conflict
from ledger.app import RiskLedger, Session
from ledger.settings import Settings
from ledger.terms_file import load_terms

PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
USCC = "91320505MA1ABCDE09"
START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 9, 1)


class InMemory(Settings):
    def event_store_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def ledger() -> RiskLedger:
    """科创贷 (guaranteed, JSDB guarantees K1) and 科技保 (insured, B1), both loans in default,
    JSDB's claim on K1 and ICBC's on B1 filed on the default day."""
    ledger = RiskLedger(InMemory(operator="pytest"))

    def programme(s: Session) -> None:
        for code, kind, level in [
            ("KJJ", "operator", None),
            ("KS-FIN", "pool_owner", "county"),
            ("ICBC", "bank", None),
            ("JSDB", "guarantor", None),
            ("JSZDB", "reguarantor", None),
            ("ZJDB", "guarantor", None),
            ("PICC", "insurer", None),
        ]:
            s.add_institution(
                code=code,
                kind=kind,
                name=code,
                region="苏州",
                level=level,
                effective_date=START,
                actor=MANAGER,
            )
        s.add_enterprise(
            uscc=USCC, name="某科技", region="苏州", effective_date=START, actor=MANAGER
        )
        for name in ("kechuangdai", "kejibao"):
            s.define_product(terms=load_terms(PRODUCTS / f"{name}.toml"), actor=MANAGER)
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
            amount_fen=10_000_000_00,
            funder="KS-FIN",
            ref="F1",
            effective_date=START,
            actor=MANAGER,
        )
        for loan, product in (("K1", "KCD"), ("B1", "KJB")):
            s.register_loan(
                bank="ICBC",
                reference=loan,
                uscc=USCC,
                product=product,
                principal_fen=5_000_000_00,
                annual_rate_bps=400,
                term_months=12,
                start_date=START,
                actor=CLERK,
            )
            s.disburse(
                bank="ICBC",
                reference=loan,
                amount_fen=5_000_000_00,
                value_date=START,
                ref=f"{loan}-D",
                actor=CLERK,
            )
        s.issue_guarantee(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            contract="DB-001",
            coverage_bps=8000,
            fee_rate_bps=100,
            reguarantor="JSZDB",
            issued_on=START,
            actor=MANAGER,
        )
        s.issue_policy(
            insurer="PICC",
            bank="ICBC",
            reference="B1",
            number="P-001",
            coverage_bps=7000,
            premium_rate_bps=200,
            issued_on=START,
            actor=MANAGER,
        )
        for loan in ("K1", "B1"):
            s.declare_default(
                bank="ICBC", reference=loan, default_date=DEFAULT_DAY, reason="破产", actor=CLERK
            )
        s.make_guarantee_payout(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=None,
            ref="DC1",
            effective_date=DEFAULT_DAY,
            actor=MANAGER,
        )
        s.file_claim(
            bank="ICBC",
            reference="K1",
            ref="C1",
            filed_on=DEFAULT_DAY,
            actor=MANAGER,
            guarantor="JSDB",
        )
        s.file_claim(bank="ICBC", reference="B1", ref="C1", filed_on=DEFAULT_DAY, actor=CLERK)

    ledger.transact(programme)
    return ledger


def _file(ledger: RiskLedger, loan: str, day: date = DEFAULT_DAY, guarantor: str | None = None):
    return ledger.transact(
        lambda s: s.file_claim(
            bank="ICBC", reference=loan, ref="C1", filed_on=day, actor=CLERK, guarantor=guarantor
        )
    )


def test_the_same_filing_again_finds_the_first_claim(ledger):
    written = ledger.event_count()
    first_k1 = ledger.get_loan("ICBC", "K1").open_claim
    first_b1 = ledger.get_loan("ICBC", "B1").open_claim

    assert _file(ledger, "K1", guarantor="JSDB") == (first_k1, False)
    assert _file(ledger, "B1") == (first_b1, False)
    assert ledger.event_count() == written


@pytest.mark.parametrize(
    ("loan", "changes", "field"),
    [
        ("K1", {"guarantor": "ZJDB"}, "guarantor"),
        ("K1", {"guarantor": None}, "guarantor"),
        ("K1", {"guarantor": "JSDB", "day": date(2024, 9, 2)}, "date"),
        ("B1", {"guarantor": "JSDB"}, "guarantor"),
        ("B1", {"day": date(2024, 9, 2)}, "date"),
    ],
)
def test_a_filing_again_with_another_filer_or_date_is_a_conflict(ledger, loan, changes, field):
    written = ledger.event_count()

    with pytest.raises(Conflict) as refused:
        _file(ledger, loan, **changes)

    assert refused.value.field == field, str(refused.value)
    assert ledger.event_count() == written
