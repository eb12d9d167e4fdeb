"""The application on a real store, SQLite and PostgreSQL: atomic sessions, retried conflicts,
stable ids."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from city_programme import CLERK, DAY, MANAGER, USCC, city_programme

from domain.errors import NotFound, RuleViolation
from ledger.app import ConcurrencyError, RiskLedger, Session
from ledger.settings import Settings


def _programme(session: Session) -> None:
    city_programme(session, funds_fen=1_000_000_00)


def _defaulted_loan(session: Session, reference: str, principal_fen: int) -> None:
    session.register_loan(
        bank="ICBC",
        reference=reference,
        uscc=USCC,
        product="TKD",
        principal_fen=principal_fen,
        annual_rate_bps=400,
        term_months=12,
        start_date=date(2024, 2, 1),
        actor=CLERK,
    )
    session.disburse(
        bank="ICBC",
        reference=reference,
        amount_fen=principal_fen,
        value_date=date(2024, 2, 1),
        ref="D",
        actor=CLERK,
    )
    session.declare_default(
        bank="ICBC", reference=reference, default_date=date(2024, 8, 1), reason="逾期", actor=CLERK
    )
    session.file_claim(
        bank="ICBC", reference=reference, ref="C", filed_on=date(2024, 8, 5), actor=CLERK
    )
    session.approve_claim(
        bank="ICBC",
        reference=reference,
        amount_fen=None,
        effective_date=date(2024, 8, 9),
        actor=MANAGER,
    )


@pytest.fixture
def ledger(db_url: str) -> Iterator[RiskLedger]:
    opened = RiskLedger(Settings(db=db_url))
    opened.transact(_programme)
    yield opened
    opened.close()


def test_a_whole_batch_of_commands_lands_in_one_write(ledger: RiskLedger) -> None:
    before = ledger.event_count()
    ledger.transact(lambda s: _defaulted_loan(s, "L1", 500_000_00))
    # loan registered (and listed on the enterprise), disbursed, defaulted, claim opened;
    # claim filed, approved; the bank's claimant account opened and the claim counted on it;
    # the product's exposure opened, covering the loan, then taking it off on approval (R3)
    assert ledger.event_count() == before + 12


def test_a_refused_command_in_a_batch_writes_nothing_of_the_batch(ledger: RiskLedger) -> None:
    before = ledger.event_count()

    def batch(session: Session) -> None:
        _defaulted_loan(session, "L1", 500_000_00)
        session.repay(
            bank="ICBC",
            reference="L1",
            principal_fen=1,
            interest_fen=0,
            value_date=date(2024, 9, 1),
            ref="late",
            actor=CLERK,
        )

    with pytest.raises(RuleViolation):
        ledger.transact(batch)
    assert ledger.event_count() == before
    with pytest.raises(NotFound):
        ledger.get_loan("ICBC", "L1")


def _pay_legs(session: Session, parties: list[str] | None = None) -> dict[str, int]:
    return session.pay_legs(
        bank="ICBC",
        reference="L1",
        parties=parties,
        effective_date=date(2024, 9, 1),
        actor=MANAGER,
    )


def test_a_pool_leg_the_pool_cannot_cover_waits_and_the_covering_contribution_pays_it(
    ledger: RiskLedger,
) -> None:
    # The city pool holds 1,000,000.00; 80% of a 2,000,000.00 loss is 1,600,000.00.
    ledger.transact(lambda s: _defaulted_loan(s, "L1", 2_000_000_00))
    assert ledger.transact(_pay_legs) == {}
    pool = ledger.get_pool("SZ-P")
    assert (pool.available_fen, pool.queued_fen) == (1_000_000_00, 1_600_000_00)
    before = ledger.event_count()
    ledger.transact(
        lambda s: s.fund_pool(
            pool="SZ-P",
            amount_fen=600_000_00,
            funder="SZ-FIN",
            ref="C2",
            effective_date=date(2024, 9, 5),
            actor=MANAGER,
        )
    )
    # contribution received, payment made, leg paid, claim settled: all in one save
    assert ledger.event_count() == before + 4
    pool = ledger.get_pool("SZ-P")
    assert (pool.available_fen, pool.queued_fen) == (0, 0)
    claim = ledger.repository.get(ledger.get_loan("ICBC", "L1").open_claim)
    assert claim.legs_paid == {"pool.city": date(2024, 9, 5)}
    assert claim.state == "settled"


def test_naming_a_leg_that_waits_in_the_queue_is_refused_and_writes_nothing(
    ledger: RiskLedger,
) -> None:
    ledger.transact(lambda s: _defaulted_loan(s, "L1", 2_000_000_00))
    ledger.transact(_pay_legs)
    before = ledger.event_count()
    with pytest.raises(RuleViolation, match="R10"):
        ledger.transact(lambda s: _pay_legs(s, ["pool.city"]))
    assert ledger.event_count() == before
    assert ledger.get_pool("SZ-P").queued_fen == 1_600_000_00


def test_a_stale_writer_is_rerun_on_fresh_state_not_lost(db_url: str, ledger: RiskLedger) -> None:
    other = RiskLedger(Settings(db=db_url))
    calls = 0

    def fund_after_a_rival_wrote(session: Session) -> bool:
        nonlocal calls
        calls += 1
        session.pool("SZ-P")  # loaded at version N
        if calls == 1:  # a rival writer saves version N+1 meanwhile
            other.transact(
                lambda s: s.fund_pool(
                    pool="SZ-P",
                    amount_fen=5_00,
                    funder="SZ-FIN",
                    ref="rival",
                    effective_date=DAY,
                    actor=MANAGER,
                )
            )
        return session.fund_pool(
            pool="SZ-P",
            amount_fen=7_00,
            funder="SZ-FIN",
            ref="mine",
            effective_date=DAY,
            actor=MANAGER,
        )

    assert ledger.transact(fund_after_a_rival_wrote) is True
    assert calls == 2
    assert ledger.get_pool("SZ-P").contributed_fen == 1_000_000_00 + 5_00 + 7_00
    other.close()


def test_a_writer_that_always_loses_gets_a_clear_error(
    db_url: str, ledger: RiskLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ledger.app.BACKOFF_CAP", 0.0)  # no pauses between attempts here
    other = RiskLedger(Settings(db=db_url))
    attempt = 0

    def always_stale(session: Session) -> bool:
        nonlocal attempt
        attempt += 1
        session.pool("SZ-P")
        other.transact(
            lambda s: s.fund_pool(
                pool="SZ-P",
                amount_fen=1_00,
                funder="SZ-FIN",
                ref=f"rival-{attempt}",
                effective_date=DAY,
                actor=MANAGER,
            )
        )
        return session.fund_pool(
            pool="SZ-P",
            amount_fen=1_00,
            funder="SZ-FIN",
            ref="mine",
            effective_date=DAY,
            actor=MANAGER,
        )

    with pytest.raises(ConcurrencyError, match="conflicted"):
        ledger.transact(always_stale)
    # Only the rivals' contributions landed, one per attempt; "mine" never did.
    assert ledger.get_pool("SZ-P").contributed_fen == 1_000_000_00 + attempt * 1_00
    other.close()


def test_the_same_references_find_the_same_aggregates_after_reopening(db_url: str) -> None:
    db = db_url
    first = RiskLedger(Settings(db=db))
    first.transact(_programme)
    first.transact(lambda s: _defaulted_loan(s, "L1", 500_000_00))
    loan_id = first.get_loan("ICBC", "L1").id
    count = first.event_count()
    first.close()
    second = RiskLedger(Settings(db=db))
    second.transact(_programme)  # every registration repeated: all no-ops
    assert second.event_count() == count
    assert second.get_loan("ICBC", "L1").id == loan_id
    second.close()
