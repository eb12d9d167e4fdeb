"""The double-entry journal: every money event balanced, pool cash equal to the pool report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace
from uuid import UUID

import pytest
from backends import fresh_database_url
from hypothesis import given
from hypothesis import strategies as st
from test_reports_match_events import _reverse_one_of_each

from domain.claim import Claim
from domain.guarantee import GUARANTEE_FEE, REGUARANTEE_FEE, Guarantee
from domain.loan import Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.terms import POOL_PARTIES
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.journal import POSTINGS, postings, trial_balance
from projections.reports import pool_balances
from projections.runner import ReadModels, open_engine

POOL, CLAIM, LOAN, COVER = (UUID(int=n) for n in (1, 2, 3, 4))
DAY = date(2025, 3, 1)


class FakeDirectory:
    """Every id resolves to a fixed cast: bank B, borrower U, pool P, guarantor G ..."""

    def loan(self, loan_hex: str) -> tuple[str, str]:
        return "B", "U"

    def loan_of_claim(self, claim_hex: str) -> str:
        return LOAN.hex

    def pool_code(self, pool_hex: str) -> str:
        return "P"

    def cover(self, cover_hex: str) -> tuple[str, str]:
        return LOAN.hex, "G"

    def party(self, key: str, role: str) -> str:
        return {"claimant": "bank", "payee": "G", "funder": "F", "kind": "guarantor"}.get(
            role, role.upper()
        )


fen = st.integers(min_value=0, max_value=10**13)
parties = st.sampled_from(("bank", "guarantor", "reguarantor", "insurer", *POOL_PARTIES))


def _event(**fields: object) -> SimpleNamespace:
    return SimpleNamespace(originator_id=POOL, claim=CLAIM, effective_date=DAY, **fields)


@given(
    amount=fen,
    principal=fen,
    interest=fen,
    payer=parties,
    payee=st.sampled_from(("bank", "guarantor")),
    shares=st.dictionaries(parties, fen, max_size=6),
    kind=st.sampled_from((GUARANTEE_FEE, REGUARANTEE_FEE)),
)
def test_every_money_event_posts_balanced_lines(
    amount: int,
    principal: int,
    interest: int,
    payer: str,
    payee: str,
    shares: dict[str, int],
    kind: str,
) -> None:
    event = _event(
        amount_fen=amount,
        principal_fen=principal,
        interest_fen=interest,
        funder="F",
        ref="r1",
        payer=payer,
        payee=payee,
        shares=shares,
        kind=kind,
    )
    for event_type, make in POSTINGS.items():
        lines = make(event, FakeDirectory())
        assert sum(line.amount_fen for line in lines) == 0, event_type
        assert all(line.amount_fen != 0 and line.effective_date == DAY for line in lines)


def test_a_reversal_posts_the_opposite_of_what_it_reverses() -> None:
    pairs = [
        (RiskPool.ContributionReceived, RiskPool.ContributionReversed),
        (RiskPool.PaymentMade, RiskPool.PaymentReversed),
        (RiskPool.RecoveryReceived, RiskPool.RecoveryReversed),
        (Loan.RepaymentReceived, Loan.RepaymentReversed),
        (Claim.LegPaid, Claim.LegPaymentReversed),
        (Claim.RecoveryShared, Claim.RecoveryReversed),
    ]
    event = _event(
        amount_fen=700,
        principal_fen=500,
        interest_fen=30,
        funder="F",
        ref="r1",
        payer="insurer",
        payee="bank",
        shares={"bank": 100, "pool.city": 600},
    )
    for made, undone in pairs:
        forward = {(p.account, p.amount_fen) for p in POSTINGS[made](event, FakeDirectory())}
        back = {(p.account, -p.amount_fen) for p in POSTINGS[undone](event, FakeDirectory())}
        assert forward == back and forward, made


def test_events_that_move_no_money_post_nothing() -> None:
    for quiet in (RiskPool.LegQueued, InsurancePolicy.ClaimPaid, Guarantee.ReimbursementReceived):
        assert postings(quiet.__new__(quiet), FakeDirectory()) == []
    pool_leg = _event(amount_fen=5, payer="pool.city", payee="bank")
    daichang = _event(amount_fen=5, payer="guarantor", payee="bank")
    assert POSTINGS[Claim.LegPaid](pool_leg, FakeDirectory()) == []
    assert POSTINGS[Claim.LegPaid](daichang, FakeDirectory()) == []


@pytest.fixture(scope="module")
def demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RiskLedger]:
    with fresh_database_url(backend, tmp_path_factory.mktemp("journal"), "demo") as db:
        ledger = RiskLedger(Settings(db=db))
        build_demo(ledger, seed=7, loans=120)
        yield ledger
        ledger.close()


def _balances(ledger: RiskLedger) -> dict[str, int]:
    engine = open_engine(ledger.settings.read_model_url())
    try:
        ReadModels(ledger, engine).catch_up()
        return {row["account"]: row["balance_fen"] for row in trial_balance(engine)}
    finally:
        engine.dispose()


def _check(ledger: RiskLedger) -> dict[str, int]:
    balances = _balances(ledger)
    assert sum(balances.values()) == 0
    engine = open_engine(ledger.settings.read_model_url())
    try:
        for pool in pool_balances(engine):
            assert balances[f"pool:{pool['pool']}:cash"] == pool["available_fen"], pool["pool"]
    finally:
        engine.dispose()
    return balances


def test_the_demo_trial_balance_totals_zero_and_pool_cash_is_the_pool_balance(
    demo: RiskLedger,
) -> None:
    balances = _check(demo)
    kinds = {name.split(":")[0] for name in balances}
    assert {"pool", "funder", "bank", "borrower", "guarantor", "insurer"} <= kinds


def test_reversals_keep_the_journal_balanced(demo: RiskLedger) -> None:
    assert _reverse_one_of_each(demo) == {"repayment", "contribution", "recovery", "leg"}
    _check(demo)


def test_a_rebuild_gives_identical_balances(demo: RiskLedger) -> None:
    before = _balances(demo)
    engine = open_engine(demo.settings.read_model_url())
    try:
        ReadModels(demo, engine).rebuild()
    finally:
        engine.dispose()
    assert _balances(demo) == before
