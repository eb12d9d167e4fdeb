"""Leverage in the application (R3): atomic with the registration, racing writers included.

Two `RiskLedger` instances on one store (a SQLite file, then a PostgreSQL database) stand for
two clerks' processes. A registration is decided on what its session loaded; if a rival saved
in between, the product's exposure has moved on, the save conflicts, and the registration is
decided again on fresh state.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from backends import fresh_database_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor
from domain.errors import NotFound, RuleViolation
from domain.exposure import Exposure
from domain.ids import exposure_id
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.settings import Settings
from projections.invariants import check_invariants

MANAGER = Actor("KJJ", "alice", "cli")
DAY = date(2024, 1, 2)
START = date(2024, 2, 1)
USCC = "91320505MA1ABCDE09"
FUNDS = 1_000_000_00  # the city pool's 100万: at 10×, 1000万 of loans


def _programme(session: Session) -> None:
    for code, kind, level in [
        ("KJJ", "operator", None),
        ("SZ-FIN", "pool_owner", "city"),
        ("ICBC", "bank", None),
        ("BOC", "bank", None),
    ]:
        session.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=DAY,
            actor=MANAGER,
        )
    session.add_enterprise(
        uscc=USCC, name="某科技", region="苏州", effective_date=DAY, actor=MANAGER
    )
    terms = parse_terms(
        {
            "code": "TKD",
            "name": "通科贷",
            "structure": "direct",
            "effective_from": date(2024, 1, 1),
            "shares": {"pool.city": 8000, "bank": 2000},
        }
    )
    session.define_product(terms=terms, actor=MANAGER)
    session.open_pool(
        code="SZ-P",
        name="市池",
        owner="SZ-FIN",
        level="city",
        products=["TKD"],
        effective_date=DAY,
        actor=MANAGER,
    )
    session.fund_pool(
        pool="SZ-P", amount_fen=FUNDS, funder="SZ-FIN", ref="F1", effective_date=DAY, actor=MANAGER
    )


def _registration(bank: str, reference: str, principal_fen: int) -> Callable[[Session], object]:
    return lambda s: s.register_loan(
        bank=bank,
        reference=reference,
        uscc=USCC,
        product="TKD",
        principal_fen=principal_fen,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        actor=Actor(bank, "clerk", "cli"),
    )


def _covered(ledger: RiskLedger) -> int:
    found = ledger.repository.get(exposure_id("TKD"))
    assert isinstance(found, Exposure)
    return found.covered_fen


@pytest.fixture
def two_clerks(db_url: str):
    """Two ledgers on one store holding 通科贷 and its city pool of 100万."""
    first = RiskLedger(Settings(db=db_url, operator="icbc-clerk"))
    first.transact(_programme)
    second = RiskLedger(Settings(db=db_url, operator="boc-clerk"))
    yield first, second
    first.close()
    second.close()


def test_the_loser_of_a_race_for_the_last_headroom_is_decided_again_and_refused(two_clerks):
    icbc, boc = two_clerks
    attempts: list[int] = []

    def register_while_icbc_lends(session: Session) -> object:
        attempts.append(len(attempts) + 1)
        # On what this session loaded, 600万 fits within the 1000万...
        answer = _registration("BOC", "B1", 6_000_000_00)(session)
        if len(attempts) == 1:
            # ...but before it is saved ICBC's clerk, in another process, lends 600万 too.
            icbc.transact(_registration("ICBC", "A1", 6_000_000_00))
        return answer

    before = boc.event_count()
    with pytest.raises(RuleViolation) as refused:
        boc.transact(register_while_icbc_lends)

    assert attempts == [1, 2]  # the conflicting save was rerun on the ledger ICBC left
    assert (refused.value.rule, refused.value.field) == ("R3", "principal")
    assert "TKD covers 6,000,000.00 already" in str(refused.value)
    # Only ICBC's registration was written: its loan, the enterprise's list, its cover.
    assert boc.event_count() == before + 4
    assert _covered(boc) == 6_000_000_00
    with pytest.raises(NotFound):
        boc.get_loan("BOC", "B1")


def test_racing_registrations_that_both_fit_are_both_written(two_clerks):
    icbc, boc = two_clerks
    attempts: list[int] = []

    def register_while_icbc_lends(session: Session) -> object:
        attempts.append(1)
        answer = _registration("BOC", "B1", 4_000_000_00)(session)
        if len(attempts) == 1:
            icbc.transact(_registration("ICBC", "A1", 6_000_000_00))
        return answer

    boc.transact(register_while_icbc_lends)

    assert len(attempts) == 2
    assert _covered(icbc) == 10 * FUNDS


# Each registration: (principal in 万, the earlier registration whose undecided session it
# interrupts, or None to run after the ones before it).
plans = st.lists(st.integers(min_value=1, max_value=700), min_size=2, max_size=5).flatmap(
    lambda amounts: st.tuples(
        st.just(amounts),
        st.tuples(*(st.none() | st.integers(0, max(i - 1, 0)) for i in range(len(amounts)))),
    )
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans)
def test_no_interleaving_of_registrations_overshoots_the_leverage(backend, plan):
    amounts, interrupts = plan
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database_url(backend, Path(folder), "race") as path,
    ):
        clerks = [RiskLedger(Settings(db=path, operator=f"clerk{n}")) for n in range(2)]
        clerks[0].transact(_programme)
        # A registration interrupting another runs, start to finish, on the other clerk's
        # ledger after the interrupted session decided and before it saves.
        nested: dict[int, list[int]] = {}
        for number, parent in enumerate(interrupts):
            if parent is not None and parent < number:
                nested.setdefault(parent, []).append(number)
        started: set[int] = set()

        def run(number: int) -> None:
            started.add(number)

            def command(session: Session) -> object:
                answer = _registration("ICBC", f"L{number}", amounts[number] * 10_000_00)(session)
                for child in nested.pop(number, []):
                    run(child)
                return answer

            try:
                clerks[number % 2].transact(command)
            except RuleViolation as refused:
                assert refused.rule == "R3"

        for number in range(len(amounts)):
            if number not in started:
                run(number)

        registered = [
            amounts[n] * 10_000_00 for n in range(len(amounts)) if _registered(clerks[0], f"L{n}")
        ]
        covered = _covered(clerks[0])
        assert covered == sum(registered)
        assert covered <= 10 * FUNDS
        for clerk in clerks:
            clerk.close()


def _registered(ledger: RiskLedger, reference: str) -> bool:
    try:
        ledger.get_loan("ICBC", reference)
    except NotFound:
        return False
    return True


def test_loading_a_long_exposure_starts_from_its_latest_snapshot(db_url: str, monkeypatch):
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    ledger.transact(_programme)

    def lend_and_repay(session: Session) -> None:
        _registration("ICBC", "L1", 1_000_000_00)(session)
        session.disburse(
            bank="ICBC",
            reference="L1",
            amount_fen=1_000_000_00,
            value_date=START,
            ref="D",
            actor=MANAGER,
        )
        # Opened and Covered, then 250 repayments of principal: 252 events on the exposure.
        for number in range(250):
            session.repay(
                bank="ICBC",
                reference="L1",
                principal_fen=100_00,
                interest_fen=0,
                value_date=START,
                ref=f"R{number}",
                actor=MANAGER,
            )

    ledger.transact(lend_and_repay)

    assert ledger.snapshots is not None
    snapshots = list(ledger.snapshots.get(exposure_id("TKD")))
    assert [s.originator_version for s in snapshots] == [200]
    read_after: list[int | None] = []
    original_get = ledger.events.get

    def spy(originator_id, *args, **kwargs):
        if originator_id == exposure_id("TKD"):
            read_after.append(kwargs.get("gt"))
        return original_get(originator_id, *args, **kwargs)

    monkeypatch.setattr(ledger.events, "get", spy)
    loaded = ledger.repository.get(exposure_id("TKD"))

    assert read_after == [200]  # only the 52 events after the snapshot were read
    assert loaded.version == 252
    assert loaded.covered_fen == 1_000_000_00 - 250 * 100_00
    from_scratch = None
    for domain_event in original_get(exposure_id("TKD")):
        from_scratch = domain_event.mutate(from_scratch)
    assert loaded.__dict__ == from_scratch.__dict__
    # And a command on top of the snapshot still sees the right headroom.
    ledger.transact(_registration("BOC", "B1", 10 * FUNDS - loaded.covered_fen))
    with pytest.raises(RuleViolation):
        ledger.transact(_registration("BOC", "B2", 1))
    ledger.close()


def test_a_waterfall_payment_frees_the_principal_it_pays(db_url: str):
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    ledger.transact(_programme)

    def lend(session: Session) -> None:
        _registration("ICBC", "L1", 1_200_000_00)(session)
        session.disburse(
            bank="ICBC",
            reference="L1",
            amount_fen=1_200_000_00,
            value_date=START,
            ref="D",
            actor=MANAGER,
        )

    ledger.transact(lend)
    allocation, new = ledger.transact(
        lambda s: s.receive_payment(
            bank="ICBC",
            reference="L1",
            amount_fen=204_000_00,
            value_date=date(2024, 3, 1),
            ref="P1",
            actor=MANAGER,
        )
    )
    assert new and allocation.principal_fen > 0
    assert _covered(ledger) == 1_200_000_00 - allocation.principal_fen
    # The same payment again is a no-op: no principal freed twice.
    ledger.transact(
        lambda s: s.receive_payment(
            bank="ICBC",
            reference="L1",
            amount_fen=204_000_00,
            value_date=date(2024, 3, 1),
            ref="P1",
            actor=MANAGER,
        )
    )
    assert _covered(ledger) == 1_200_000_00 - allocation.principal_fen
    ledger.close()


def test_the_invariant_checker_catches_an_exposure_that_drifted_from_its_loans(db_url: str):
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    ledger.transact(_programme)
    ledger.transact(_registration("ICBC", "L1", 3_000_000_00))
    assert check_invariants(ledger) == []

    exposure = ledger.repository.get(exposure_id("TKD"))
    exposure.reduce(loan=uuid4(), principal_fen=1_00, effective_date=START, actor=MANAGER)
    ledger.save(exposure)

    assert check_invariants(ledger) == [
        "exposure of TKD: covers 2,999,999.00, but its loans leave 3,000,000.00 of principal "
        "outstanding or undrawn (R3)"
    ]
    ledger.close()
