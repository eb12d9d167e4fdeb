"""The invariant checker posts the journal itself: it balances, its pool cash is each pool's
available money, its bank loans each bank's outstanding principal; a posting that goes
missing or lopsided is named, not blessed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from test_reports_match_events import _reverse_one_of_each

from domain.actor import Actor
from domain.loan import Loan
from domain.pool import RiskPool
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.demo.institutions import POOLS
from ledger.settings import Settings
from projections.invariants import check_invariants, replay
from projections.journal import POSTINGS, Posting, account, trial_balance
from projections.runner import ReadModels, open_engine


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo with one repayment, contribution, recovery and pool leg reversed."""
    path = tmp_path_factory.mktemp("journal-invariants") / "demo.db"
    ledger = RiskLedger(Settings(db=str(path), operator="test"))
    try:
        build_demo(ledger, seed=5, loans=30)
        _reverse_one_of_each(ledger)
    finally:
        ledger.close()
    return path


@pytest.fixture
def demo(demo_db: Path) -> Iterator[RiskLedger]:
    ledger = RiskLedger(Settings(db=str(demo_db), operator="test"))
    yield ledger
    ledger.close()


def test_the_checker_posts_the_same_journal_as_the_read_model_and_it_holds(demo):
    _, journal = replay(demo)
    engine = open_engine(demo.settings.read_model_url())
    try:
        ReadModels(demo, engine).catch_up()
        folded = {row["account"]: row["balance_fen"] for row in trial_balance(engine)}
    finally:
        engine.dispose()
    assert {name: fen for name, fen in journal.balances.items() if fen or name in folded} == folded
    assert any(name.startswith("pool:") for name in folded)
    assert check_invariants(demo) == []


def test_a_pool_payment_left_unposted_shows_as_pool_cash_off_the_pool(demo, monkeypatch):
    monkeypatch.delitem(POSTINGS, RiskPool.PaymentMade)
    found = [v for v in check_invariants(demo) if v.startswith("journal:")]
    assert found, "the checker missed the unposted pool payments"
    assert all("'s cash account holds" in v and "available" in v for v in found), found


def test_repayments_left_unposted_show_as_bank_loans_off_the_outstanding(demo, monkeypatch):
    monkeypatch.delitem(POSTINGS, Loan.RepaymentReceived)
    monkeypatch.delitem(POSTINGS, Loan.RepaymentReversed)
    found = [v for v in check_invariants(demo) if v.startswith("journal:")]
    assert found, "the checker missed the unposted repayments"
    assert all("'s loans account holds" in v and "outstanding" in v for v in found), found


def test_a_lopsided_posting_is_named_with_its_position_and_the_total(demo, monkeypatch):
    def one_sided(e: Loan.Disbursed, _directory: object) -> list[Posting]:
        return [Posting(account("bank", "NOWHERE", "loans"), e.amount_fen, e.effective_date)]

    monkeypatch.setitem(POSTINGS, Loan.Disbursed, one_sided)
    found = check_invariants(demo)
    events = demo.recorder.select_notifications(start=1, limit=1_000_000)
    first = next(n for n in events if n.topic.endswith("Loan.Disbursed"))
    assert any(v.startswith(f"journal: event {first.id} (Loan.Disbursed) posts ") for v in found)
    assert any(v.startswith("journal: the accounts total ") for v in found), found


def test_an_event_naming_a_claim_never_filed_cannot_be_posted(demo_db, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copyfile(demo_db, copy)
    ledger = RiskLedger(Settings(db=str(copy), operator="test"))
    try:
        pool = ledger.get_pool(POOLS[0].code)
        pool._recovery_received(
            amount_fen=100,
            claim=UUID(int=99),
            effective_date=date(2026, 6, 30),
            actor=Actor("SZ-KJJ", "test", "cli"),
        )
        ledger.save(pool)
        found = check_invariants(ledger)
    finally:
        ledger.close()
    unfiled = f"(RiskPool.RecoveryReceived) cannot be posted: no Claim {UUID(int=99).hex}"
    assert any(unfiled in v for v in found), found
