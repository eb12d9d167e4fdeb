"""The demo programme: four products run under every rule, seeded and repeatable, and only
ever built into an empty ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from backends import only_on

from domain.actor import Actor
from domain.classification import NORMAL
from domain.enterprise import Enterprise
from domain.errors import RuleViolation
from domain.guarantee import Guarantee
from domain.ids import enterprise_id, pool_id
from domain.loan import DEFAULTED, PAID_OFF, Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product
from domain.schedule import build_schedule
from domain.terms import PARTIES
from domain.uscc import validate_uscc
from ledger.app import RiskLedger
from ledger.demo import DemoSummary, build_demo, plan_demo
from ledger.demo.dates import AS_OF, lpr_on
from ledger.demo.enterprises import DISTRICTS
from ledger.demo.institutions import CLOSE_OF_BUSINESS, POOLS, demo_terms
from ledger.settings import Settings
from projections.invariants import check_invariants, originator_ids
from projections.reports import product_statistics
from projections.runner import ReadModels, open_engine

SMALL = 300
POOL_CODES = [pool.code for pool in POOLS]
PRODUCTS = {"SKD", "TKD", "KCD", "KJB"}


def _open(db: str) -> RiskLedger:
    return RiskLedger(Settings(db=db, operator="test"))


# Every aggregate of a built demo, loaded once per ledger: the tests only read them.
_LOADED: WeakKeyDictionary[RiskLedger, list[Any]] = WeakKeyDictionary()


def _all(ledger: RiskLedger, kind: type) -> list[Any]:
    if ledger not in _LOADED:
        _LOADED[ledger] = [ledger.repository.get(i) for i in originator_ids(ledger)]
    return [aggregate for aggregate in _LOADED[ledger] if isinstance(aggregate, kind)]


def _history(ledger: RiskLedger) -> list[tuple[Any, ...]]:
    """Every stored event but for the moment it was recorded: what the demo decided."""
    history = []
    for notification in ledger.recorder.select_notifications(start=1, limit=1_000_000):
        event = ledger.mapper.to_domain_event(notification)
        state = {k: v for k, v in event.__dict__.items() if k != "timestamp"}
        history.append((notification.topic, event.originator_id, repr(sorted(state.items()))))
    return history


# What the built programme holds is the planner's doing, whatever store records it: the
# tests of its content read one SQLite build. The tests that give `db_url` (building into
# the store, refusing a used one) run on SQLite and on PostgreSQL.
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RiskLedger, DemoSummary]]:
    ledger = _open(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    yield ledger, build_demo(ledger, loans=SMALL)
    ledger.close()


# Determinism is the planner's: the second build, like the first, is on SQLite.
@only_on("sqlite")
def test_the_same_seed_builds_the_same_ledger(built, db_url):
    ledger, summary = built
    again = _open(db_url)
    try:
        assert build_demo(again, loans=SMALL) == summary
        assert again.event_count() == ledger.event_count() == summary.events
        assert _history(again) == _history(ledger)
    finally:
        again.close()


def test_another_seed_builds_another_programme():
    assert plan_demo(seed=7, loans=SMALL).loans != plan_demo(loans=SMALL).loans


def test_all_four_products_lend_and_every_party_kind_bears_a_burden(built, tmp_path):
    ledger, summary = built
    assert set(summary.loans_by_product) == PRODUCTS
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()
    burdens: dict[str, int] = {}
    for row in product_statistics(models.engine):
        for party, fen in row["burden_fen"].items():
            burdens[party] = burdens.get(party, 0) + fen
    # Pools by level (province, city, county), guarantor, re-guarantor, insurer and bank.
    assert set(burdens) == set(PARTIES)
    assert all(fen > 0 for fen in burdens.values()), burdens


def test_the_summary_counts_what_the_ledger_holds(built):
    ledger, summary = built
    loans = _all(ledger, Loan)
    assert summary.loans == len(loans) == sum(summary.loans_by_product.values())
    assert summary.loans + summary.loans_refused == SMALL
    assert summary.events == ledger.event_count() > 0
    assert summary.defaults == sum(1 for loan in loans if loan.state == DEFAULTED)
    assert summary.loans_paid_off == sum(1 for loan in loans if loan.state == PAID_OFF)
    assert 0.02 <= summary.defaults / summary.loans <= 0.05
    assert summary.claims_approved + summary.claims_rejected <= summary.claims_filed
    assert summary.claims_filed <= summary.defaults
    assert summary.claims_rejected == 1
    assert 0 < summary.write_offs <= summary.claims_settled + summary.claims_rejected
    assert summary.business_days_closed == 30  # every month end, January 2024 to June 2026


def test_healthy_loans_pay_their_schedule_to_the_fen_and_never_fall_past_due(built):
    ledger, _ = built
    for loan in _all(ledger, Loan):
        if loan.default_date is not None:
            continue
        assert loan.classification == NORMAL
        assert loan.days_past_due(AS_OF) == 0, loan.reference
        if loan.state == PAID_OFF:
            schedule = build_schedule(
                principal_fen=loan.principal_fen,
                annual_rate_bps=loan.annual_rate_bps,
                term_months=loan.term_months,
                start_date=loan.start_date,
                kind=loan.schedule_kind,
                interest_every_months=loan.interest_every_months,
            )
            assert loan.interest_repaid_fen == sum(i.interest_fen for i in schedule)
            assert [r.value_date for r in loan.repayments] == [i.due_date for i in schedule]


def test_defaults_come_from_the_close_of_business_or_their_bank(built):
    ledger, summary = built
    defaults = [
        event
        for loan in _all(ledger, Loan)
        for event in ledger.events.get(loan.id)
        if isinstance(event, Loan.Defaulted)
    ]
    by_close = [event for event in defaults if event.actor == CLOSE_OF_BUSINESS]
    assert len(defaults) == summary.defaults
    assert len(defaults) - len(by_close) == summary.defaults_declared > 0
    # The close of business finds a loan 90 days past due at a month end; it defaults then.
    assert by_close and all(event.reason == "逾期90天" for event in by_close)
    blacklisted = [e for e in _all(ledger, Enterprise) if e.blacklist]
    assert 0 < len(blacklisted) <= summary.defaults_declared


def test_every_guaranteed_loan_is_guaranteed_and_every_insured_loan_insured(built):
    ledger, _ = built
    terms = {t.code: t for t in demo_terms()}
    loans = {loan.id: loan for loan in _all(ledger, Loan)}
    guarantees = {g.loan: g for g in _all(ledger, Guarantee)}
    policies = {p.loan: p for p in _all(ledger, InsurancePolicy)}
    for loan in loans.values():
        if loan.product == "KCD":
            guarantee = guarantees[loan.id]
            assert guarantee.coverage_bps >= terms["KCD"].coverage.min_bps
            assert 0 < guarantee.fees_paid_fen <= guarantee.fee_allowance_fen
            assert guarantee.reguarantee_fees_paid_fen > 0
        elif loan.product == "KJB":
            assert (
                0 < policies[loan.id].premiums_paid_fen <= policies[loan.id].premium_allowance_fen
            )
        else:
            assert loan.id not in guarantees and loan.id not in policies
    assert any(g.paid_out_fen for g in guarantees.values())  # a 代偿 was made
    assert any(p.claims_paid_fen for p in policies.values())  # the insurer paid its leg


def test_no_bank_registers_a_loan_while_suspended_under_its_product(built):
    ledger, summary = built
    assert summary.bank_suspensions > 0 and summary.loans_rerouted > 0
    products = {p.code: p for p in _all(ledger, Product)}
    for loan in _all(ledger, Loan):
        suspended, stopped = products[loan.product].breakers_on(loan.start_date)
        # A close of business that suspends a bank does so at the end of its day.
        earlier = {bank for bank, b in suspended.items() if b.day < loan.start_date}
        assert loan.bank not in earlier
        assert stopped is None or stopped.day >= loan.start_date


def test_a_loan_a_stopped_product_refuses_is_not_made_and_its_steps_are_skipped(db_url):
    ledger = _open(db_url)
    try:
        # In this small programme 科技保's overdue ratio stops it (R4) while loans are planned.
        summary = build_demo(ledger, seed=5, loans=40)
        assert summary.product_stops > 0 and summary.loans_refused > 0, "pick another seed"
        assert summary.loans + summary.loans_refused == 40
        assert check_invariants(ledger) == []
    finally:
        ledger.close()


def test_loans_keep_to_the_lpr_cap_and_their_borrowers_qualify(built):
    ledger, _ = built
    terms = {t.code: t for t in demo_terms()}
    enterprises = {e.uscc: e for e in _all(ledger, Enterprise)}
    for loan in _all(ledger, Loan):
        product = terms[loan.product]
        if product.limits.lpr_spread_bps is not None:
            assert loan.annual_rate_bps <= lpr_on(loan.start_date) + product.limits.lpr_spread_bps
        if product.qualifications:
            assert enterprises[loan.enterprise].holds(product.qualifications, loan.start_date)
    lapsing = [q for e in enterprises.values() for q in e.qualifications if q.valid_to < AS_OF]
    assert lapsing, "some qualifications lapse during the demo"


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
        assert ledger.get_pool(code).paid_out_fen > 0


def test_every_aggregate_moves_forward_in_business_time_up_to_the_as_of_date(built):
    ledger, _ = built
    for originator in originator_ids(ledger):
        # The LPR history's opening event carries no business date.
        days = [
            event.effective_date
            for event in ledger.events.get(originator)
            if hasattr(event, "effective_date")
        ]
        assert days == sorted(days)
        assert days[-1] <= AS_OF


def test_the_built_ledger_breaks_no_invariant(built):
    ledger, _ = built
    assert check_invariants(ledger) == []


def test_the_full_size_plan_looks_like_a_city_programme():
    plan = plan_demo()
    terms = {t.code: t for t in demo_terms()}
    assert len(plan.loans) == 2400
    assert {loan.product for loan in plan.loans} == PRODUCTS
    assert len(plan.enterprises) >= 1200
    assert 0.02 <= len(plan.defaults) / len(plan.loans) <= 0.05
    assert plan.count("reject_claim") == 2
    recovered = {s.loan for s in plan.steps if s.command == "record_recovery"}
    assert 0.2 <= len(recovered) / plan.count("approve_claim") <= 0.45
    for loan in plan.loans:
        assert date(2024, 1, 1) <= loan.start_date <= date(2025, 12, 31)
        cap = terms[loan.product].max_principal_fen
        assert cap is None or loan.principal_fen <= cap
        assert loan.principal_fen % 1_000_000 == 0  # whole 万元
        assert 300 <= loan.annual_rate_bps <= 520
        assert loan.term_months in (12, 24, 36)
    assert max(step.day for step in plan.steps) <= AS_OF
    assert [s.day for s in plan.steps] == sorted(s.day for s in plan.steps)


def test_progress_is_reported_until_every_step_is_recorded(db_url):
    ledger = _open(db_url)
    calls: list[tuple[str, int, int]] = []
    try:
        build_demo(ledger, seed=1, loans=20, progress=lambda *call: calls.append(call))
    finally:
        ledger.close()
    recording = [call for call in calls if call[0] == "recording"]
    assert recording[0][1] == 0
    assert recording[-1][1] == recording[-1][2] > 0


def test_a_database_that_holds_events_is_refused_and_left_as_it_was(db_url):
    ledger = _open(db_url)
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
