"""The demo programme: seeded and repeatable, valid by every rule, and only for an empty ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.actor import Actor
from domain.enterprise import Enterprise
from domain.errors import RuleViolation
from domain.ids import enterprise_id, pool_id
from domain.pool import RiskPool
from domain.uscc import validate_uscc
from ledger.app import RiskLedger
from ledger.demo import DemoSummary, build_demo, plan_demo
from ledger.demo.dates import AS_OF
from ledger.demo.enterprises import DISTRICTS
from ledger.demo.institutions import POOLS, demo_terms
from ledger.settings import Settings
from projections.invariants import check_invariants, originator_ids

SMALL = 300
POOL_CODES = [pool.code for pool in POOLS]


def _open(path: Path) -> RiskLedger:
    return RiskLedger(Settings(db=str(path), operator="test"))


def _pool_balances(ledger: RiskLedger) -> dict[str, tuple[int, int, int, int]]:
    balances = {}
    for code in POOL_CODES:
        pool = ledger.get_pool(code)
        balances[code] = (
            pool.contributed_fen,
            pool.paid_out_fen,
            pool.recovered_fen,
            pool.available_fen,
        )
    return balances


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RiskLedger, DemoSummary]]:
    ledger = _open(tmp_path_factory.mktemp("demo") / "demo.db")
    yield ledger, build_demo(ledger, loans=SMALL)
    ledger.close()


def test_the_same_seed_builds_the_same_ledger(built, tmp_path):
    ledger, summary = built
    again = _open(tmp_path / "again.db")
    try:
        repeat = build_demo(again, loans=SMALL)
        assert repeat == summary
        assert again.event_count() == ledger.event_count() == summary.events
        assert _pool_balances(again) == _pool_balances(ledger)
    finally:
        again.close()


def test_another_seed_builds_another_programme():
    assert plan_demo(seed=7, loans=SMALL).loans != plan_demo(loans=SMALL).loans


def test_the_summary_counts_what_the_ledger_holds(built):
    ledger, summary = built
    assert summary.loans == SMALL
    assert summary.events == ledger.event_count() > 0
    assert summary.claims_filed == summary.defaults
    assert summary.claims_approved + summary.claims_rejected == summary.claims_filed
    assert summary.claims_rejected >= 1
    assert 0 < summary.loans_paid_off < summary.loans


def test_every_enterprise_is_registered_under_a_valid_suzhou_uscc(built):
    ledger, summary = built
    plan = plan_demo(loans=SMALL)
    suzhou = {code for code, *_ in DISTRICTS}
    assert len(plan.enterprises) == summary.enterprises
    for planned in plan.enterprises:
        enterprise = ledger.repository.get(enterprise_id(planned.uscc))
        assert isinstance(enterprise, Enterprise)
        assert validate_uscc(enterprise.uscc) == enterprise.uscc
        assert enterprise.uscc[:2] == "91"
        assert enterprise.uscc[2:8] in suzhou
    assert len({e.name for e in plan.enterprises}) == len(plan.enterprises)


def test_pool_balances_never_go_below_zero_in_recorded_or_business_order(built):
    ledger, _ = built
    signs = {
        RiskPool.ContributionReceived: 1,
        RiskPool.PaymentMade: -1,
        RiskPool.RecoveryReceived: 1,
    }
    for code in POOL_CODES:
        moves = [
            (event.effective_date, position, signs[type(event)] * event.amount_fen)
            for position, event in enumerate(ledger.events.get(pool_id(code)))
            if type(event) in signs
        ]
        for order in (moves, sorted(moves)):
            balance = 0
            for day, _, fen in order:
                balance += fen
                assert balance >= 0, f"{code} below zero on {day}"
    assert ledger.get_pool("SZ-RCP").paid_out_fen > 0
    assert ledger.get_pool("KS-RCP").paid_out_fen == 0  # it covers no product yet


def test_every_aggregate_moves_forward_in_business_time_up_to_the_as_of_date(built):
    ledger, _ = built
    for originator in originator_ids(ledger):
        days = [event.effective_date for event in ledger.events.get(originator)]
        assert days == sorted(days)
        assert days[-1] <= AS_OF


def test_the_built_ledger_breaks_no_invariant(built):
    ledger, _ = built
    assert check_invariants(ledger) == []


def test_the_full_size_plan_looks_like_a_city_programme():
    plan = plan_demo()
    caps = {terms.code: terms.max_principal_fen for terms in demo_terms()}
    assert len(plan.loans) == 2400
    assert len(plan.enterprises) >= 1200
    assert 0.02 <= plan.defaults / len(plan.loans) <= 0.05
    assert plan.count("approve_claim") + plan.count("reject_claim") == plan.defaults
    assert plan.count("reject_claim") in (1, 2)
    recovered = {s.args["reference"] for s in plan.steps if s.command == "record_recovery"}
    assert 0.2 <= len(recovered) / plan.count("approve_claim") <= 0.4
    for loan in plan.loans:
        assert date(2024, 1, 1) <= loan.start_date <= date(2025, 12, 31)
        assert loan.principal_fen <= caps[loan.product]
        assert loan.principal_fen % 1_000_000 == 0  # whole 万元
        assert 300 <= loan.annual_rate_bps <= 480
        assert loan.term_months in (12, 24, 36)
    assert max(step.day for step in plan.steps) <= AS_OF
    assert [s.day for s in plan.steps] == sorted(s.day for s in plan.steps)


def test_progress_is_reported_until_every_step_is_recorded(tmp_path):
    ledger = _open(tmp_path / "small.db")
    calls: list[tuple[str, int, int]] = []
    try:
        build_demo(ledger, seed=1, loans=20, progress=lambda *call: calls.append(call))
    finally:
        ledger.close()
    recording = [call for call in calls if call[0] == "recording"]
    assert recording[0][1] == 0
    assert recording[-1][1] == recording[-1][2] > 0


def test_a_database_that_holds_events_is_refused_and_left_as_it_was(tmp_path):
    ledger = _open(tmp_path / "used.db")
    try:
        ledger.transact(
            lambda s: s.add_institution(
                code="SZ-KJJ",
                kind="operator",
                name="苏州市科学技术局",
                region="苏州市",
                level=None,
                effective_date=date(2024, 1, 2),
                actor=Actor("SZ-KJJ", "zhou.min", "cli"),
            )
        )
        with pytest.raises(RuleViolation) as refused:
            build_demo(ledger, loans=SMALL)
        assert (refused.value.rule, refused.value.field) == ("demo", "db")
        assert "already holds 1 events" in refused.value.reason
        assert ledger.event_count() == 1
    finally:
        ledger.close()
