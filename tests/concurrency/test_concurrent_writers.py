"""Eight writer processes at once on one product, one pool and the same loans, on both stores.

They register loans toward the leverage limit, repay, default, file, approve and pay the same
claims, contribute and recover (workload.py), while `riskledger projections follow` folds
their events in a ninth process. Afterwards: every event a writer saved is stored once and
nothing else is; every command a writer saw applied is in the store exactly once; each leg is
paid once; replaying the stored history in order, no pool is ever below zero and no
registration took the product past its leverage; the invariants hold; and the read models
the follower kept equal a fresh rebuild from the events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from backends import fresh_database_url
from following import (
    FollowerProcess,
    differences,
    read_model_tables,
    read_models_of,
    wait_until,
)
from workload import (
    BANK,
    CLAIM_REF,
    DOOMED,
    MULTIPLE,
    POOL,
    REPAID,
    run_workers,
    set_up,
)

from domain.claim import Claim
from domain.exposure import Exposure
from domain.ids import loan_id, pool_id
from domain.pool import RiskPool
from ledger.app import RiskLedger
from ledger.settings import Settings
from projections.invariants import check_invariants
from projections.reports import pool_balances, product_statistics

WORKERS = 8
COMMANDS = 100  # per worker
SEED = 2024
PAGE = 1000


@dataclass
class Run:
    """One run of the workload on one store, and what was read back after it."""

    ledger: RiskLedger
    setup_events: int
    reports: list[dict[str, Any]]
    events: list[tuple[int, Any]]  # (position, domain event) of every stored event, in order
    follower_exit: int
    follower_output: str
    followed_position: int
    followed: dict[str, list[tuple[Any, ...]]]
    rebuilt: dict[str, list[tuple[Any, ...]]]
    followed_reports: list[Any]
    rebuilt_reports: list[Any]

    @property
    def outcomes(self) -> list[dict[str, Any]]:
        return [outcome for report in self.reports for outcome in report["outcomes"]]

    def applied(self, op: str) -> list[str]:
        """The keys of the commands of kind `op` that wrote events."""
        return [o["key"] for o in self.outcomes if o["op"] == op and o["result"] == "applied"]

    def stored(self, qualname: str) -> list[Any]:
        """The stored events of one class (say 'Loan.Registered'), in log order."""
        return [e for _, e in self.events if type(e).__qualname__ == qualname]


def _stored_events(ledger: RiskLedger) -> list[tuple[int, Any]]:
    found: list[tuple[int, Any]] = []
    while True:
        page = ledger.recorder.select_notifications(
            start=found[-1][0] if found else 0, limit=PAGE, inclusive_of_start=False
        )
        found += [(n.id, ledger.mapper.to_domain_event(n)) for n in page]
        if len(page) < PAGE:
            return found


@pytest.fixture(scope="module")
def run(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp(f"writers-{backend}")
    with fresh_database_url(backend, folder) as url:
        ledger = RiskLedger(Settings(db=url))
        set_up(ledger)
        setup_events = len(_stored_events(ledger))
        models = read_models_of(ledger)  # the tables exist before the follower starts
        follower = FollowerProcess(url, folder / "follow.log").start()
        reports = run_workers(url, workers=WORKERS, seed=SEED, count=COMMANDS, folder=folder)
        events = _stored_events(ledger)
        wait_until(lambda: models.position() == events[-1][0], "the follower to catch up")
        follower_exit = follower.stop()
        followed = read_model_tables(models.engine)
        followed_reports = [pool_balances(models.engine), product_statistics(models.engine)]
        followed_position = models.position()
        models.rebuild()
        yield Run(
            ledger=ledger,
            setup_events=setup_events,
            reports=reports,
            events=events,
            follower_exit=follower_exit,
            follower_output=follower.output(),
            followed_position=followed_position,
            followed=followed,
            rebuilt=read_model_tables(models.engine),
            followed_reports=followed_reports,
            rebuilt_reports=[pool_balances(models.engine), product_statistics(models.engine)],
        )
        models.engine.dispose()
        ledger.close()


def test_the_writers_raced_and_every_command_was_answered(run: Run) -> None:
    assert len(run.outcomes) == WORKERS * COMMANDS
    results = Counter(o["result"] for o in run.outcomes)
    assert set(results) <= {"applied", "repeat", "refused", "gave_up"}
    assert sum(report["conflicts"] for report in run.reports) > 0, "the writers never collided"
    refusals = Counter(o["why"] for o in run.outcomes if o["result"] == "refused")
    assert refusals["R3"] > 0, "no registration ever reached the leverage limit"
    for outcome in run.outcomes:
        if outcome["result"] == "gave_up":  # after every retry the ledger and the worker made
            assert "conflicted with other writers" in outcome["why"]


def test_every_event_the_writers_saved_is_stored_once_and_nothing_more(run: Run) -> None:
    written = sum(report["written"] for report in run.reports)
    assert len(run.events) == run.setup_events + written
    positions = [position for position, _ in run.events]
    assert positions == sorted(set(positions))
    versions = Counter((e.originator_id, e.originator_version) for _, e in run.events)
    assert max(versions.values()) == 1
    assert [o for o in run.outcomes if o["result"] != "applied" and o["events"]] == []


def _once_each(keys: list[Any], what: str) -> set[Any]:
    """Returns the keys as a set, having checked that none occurs twice."""
    twice = [key for key, count in Counter(keys).items() if count > 1]
    assert twice == [], f"{what} stored more than once: {twice[:5]}"
    return set(keys)


def test_every_applied_command_is_stored_exactly_once(run: Run) -> None:
    registered = _once_each([e.originator_id for e in run.stored("Loan.Registered")], "loans")
    assert _once_each([e.loan for e in run.stored("Exposure.Covered")], "covers") == registered
    applied_loans = {loan_id(BANK, key) for key in run.applied("register")}
    applied_loans |= {loan_id(BANK, key) for key in run.applied("register_raced")}
    shared = {loan_id(BANK, reference) for reference in REPAID + DOOMED}
    assert registered == shared | applied_loans
    assert len(registered) == len(shared) + len(run.applied("register")) + len(
        run.applied("register_raced")
    )

    repaid = _once_each(
        [(e.originator_id, e.ref) for e in run.stored("Loan.RepaymentReceived")], "repayments"
    )
    keys = [key.split("/") for key in run.applied("repay")]
    assert repaid == {(loan_id(BANK, loan), ref) for loan, ref in keys}

    defaulted = _once_each([e.originator_id for e in run.stored("Loan.Defaulted")], "defaults")
    assert defaulted == {loan_id(BANK, loan) for loan in run.applied("default")}
    assert len(defaulted) == len(run.applied("default"))

    claims = {Claim.create_id(loan_id(BANK, loan), CLAIM_REF): loan for loan in DOOMED}
    filed = _once_each([e.originator_id for e in run.stored("Claim.Filed")], "claims")
    assert sorted(claims[c] for c in filed) == sorted(run.applied("file"))
    approved = _once_each([e.originator_id for e in run.stored("Claim.Approved")], "approvals")
    assert sorted(claims[c] for c in approved) == sorted(run.applied("approve"))

    contributed = _once_each(
        [e.ref for e in run.stored("RiskPool.ContributionReceived")], "contributions"
    )
    assert contributed == {"C0", *run.applied("contribute")}
    recovered = _once_each(
        [(e.originator_id, e.ref) for e in run.stored("Claim.RecoveryShared")], "recoveries"
    )
    keys = [key.split("/") for key in run.applied("recover")]
    assert recovered == {(Claim.create_id(loan_id(BANK, loan), CLAIM_REF), r) for loan, r in keys}


def test_racing_registrations_of_one_loan_register_it_once(run: Run) -> None:
    raced = [o for o in run.outcomes if o["op"] == "register_raced"]
    assert raced, "no worker raced to register a shared loan"
    registered = {e.originator_id for e in run.stored("Loan.Registered")}
    for reference in {o["key"] for o in raced}:
        results = Counter(o["result"] for o in raced if o["key"] == reference)
        # One registration is new; the others find it and write nothing. Only while the
        # leverage limit refused them all is the loan not registered.
        assert results["applied"] == (loan_id(BANK, reference) in registered)
        assert results["applied"] == 1 or set(results) == {"refused"}, results
    assert sum(o["result"] == "repeat" for o in raced) > 0, "no registration was a repeat"


def test_each_leg_is_paid_once_by_whichever_writer_got_there_first(run: Run) -> None:
    legs = _once_each(
        [(e.originator_id, e.payer) for e in run.stored("Claim.LegPaid")], "claim legs"
    )
    payments = _once_each(
        [(e.originator_id, e.claim) for e in run.stored("RiskPool.PaymentMade")], "pool payments"
    )
    pool_legs = {claim for claim, payer in legs if payer.startswith("pool.")}
    assert {claim for _, claim in payments} == pool_legs
    assert pool_legs, "no pool leg was ever paid"


def test_replayed_in_order_no_pool_is_below_zero_and_leverage_always_held(run: Run) -> None:
    aggregates: dict[UUID, Any] = {}
    registrations = 0
    for position, event in run.events:
        aggregate = event.mutate(aggregates.get(event.originator_id))
        aggregates[event.originator_id] = aggregate
        if isinstance(aggregate, RiskPool):
            assert aggregate.available_fen >= 0, f"pool below zero at position {position}"
        if isinstance(aggregate, Exposure) and type(event).__qualname__ == "Exposure.Covered":
            registrations += 1
            covered, funds = aggregate.covered_fen, aggregates[pool_id(POOL)].available_fen
            assert covered <= MULTIPLE * funds, (
                f"position {position}: {covered} fen covered on {funds} fen of pool funds"
            )
    assert registrations == len(run.stored("Loan.Registered"))


def test_the_ledgers_invariants_hold_after_the_run(run: Run) -> None:
    assert check_invariants(run.ledger) == []


def test_the_read_models_followed_meanwhile_equal_a_fresh_rebuild(run: Run) -> None:
    assert run.follower_exit == 0, run.follower_output
    assert "Traceback" not in run.follower_output, run.follower_output
    assert run.followed_position == run.events[-1][0]
    assert differences(run.followed, run.rebuilt) == []
    assert run.followed_reports == run.rebuilt_reports
    # …and the pool report agrees with the pool replayed from its events.
    (pool,) = [row for row in run.followed_reports[0] if row["pool"] == POOL]
    assert pool["available_fen"] == run.ledger.get_pool(POOL).available_fen
