"""The split rules on a real SQLite ledger: the claimant's account saved with each approval
(R8), queued legs paid by whatever money reaches the pool (R10), and old loans still load."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from backends import RawEvents
from city_programme import CLERK, MANAGER, USCC, city_programme

from domain.claimant_account import ClaimantAccount
from ledger.app import RiskLedger, Session
from ledger.settings import Settings

WAN = 10_000_00
# What the first version of Loan.Registered held.
FIRST_REGISTERED = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "bank",
    "reference",
    "enterprise",
    "product",
    "terms_version",
    "principal_fen",
    "annual_rate_bps",
    "term_months",
    "start_date",
    "first_loan",
    "pure_credit",
    "effective_date",
    "actor",
}


def _programme(session: Session) -> None:
    city_programme(
        session,
        funds_fen=100 * WAN,
        extra_terms={"bonus": {"first_loan": "5%"}, "caps": {"cumulative_share": "80%"}},
    )


def _claimed_loan(session: Session, reference: str, principal_fen: int, first: bool) -> None:
    session.register_loan(
        bank="ICBC",
        reference=reference,
        uscc=USCC,
        product="TKD",
        principal_fen=principal_fen,
        annual_rate_bps=385,
        term_months=12,
        start_date=date(2024, 2, 1),
        first_loan=first,
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


def _approve(reference: str):
    return lambda s: s.approve_claim(
        bank="ICBC",
        reference=reference,
        amount_fen=None,
        effective_date=date(2024, 8, 9),
        actor=MANAGER,
    )


def _pay(reference: str, day: date = date(2024, 8, 20)):
    return lambda s: s.pay_legs(
        bank="ICBC", reference=reference, parties=None, effective_date=day, actor=MANAGER
    )


@pytest.fixture
def ledger(db_url: str) -> Iterator[RiskLedger]:
    opened = RiskLedger(Settings(db=db_url))
    opened.transact(_programme)
    yield opened
    opened.close()


def _account(ledger: RiskLedger) -> ClaimantAccount:
    account = ledger.repository.get(ClaimantAccount.create_id("TKD", "ICBC"))
    assert isinstance(account, ClaimantAccount)
    return account


def test_each_approval_counts_on_the_claimants_account_in_the_same_save(ledger):
    ledger.transact(lambda s: _claimed_loan(s, "L1", 100 * WAN, first=True))
    # 85% of 100万 would be 85万; 80% of what ICBC lost so far is 80万.
    assert ledger.transact(_approve("L1")) == {"pool.city": 80 * WAN, "bank": 20 * WAN}
    assert _account(ledger).history.pool_burdens_fen == 80 * WAN
    ledger.transact(lambda s: _claimed_loan(s, "L2", 50 * WAN, first=False))
    assert ledger.transact(_approve("L2")) == {"pool.city": 40 * WAN, "bank": 10 * WAN}
    assert (_account(ledger).losses_fen, _account(ledger).pool_burdens_fen) == (
        150 * WAN,
        120 * WAN,
    )


def test_a_rival_approval_in_between_reruns_the_batch_on_the_fresh_account(db_url, ledger):
    for reference in ("L1", "L2", "L3"):
        ledger.transact(lambda s, r=reference: _claimed_loan(s, r, 100 * WAN, first=True))
    other = RiskLedger(Settings(db=db_url))
    calls = 0

    def approve_two_with_a_rival_between(session: Session) -> list[dict[str, int]]:
        nonlocal calls
        calls += 1
        first = _approve("L1")(session)  # reads ICBC's account as it stands
        if calls == 1:  # meanwhile a rival approval counts another claim on it
            other.transact(_approve("L2"))
        return [first, _approve("L3")(session)]

    ledger.transact(approve_two_with_a_rival_between)
    other.close()
    assert calls == 2, "the stale account must make the whole batch run again"
    account = _account(ledger)
    assert (account.losses_fen, account.pool_burdens_fen) == (300 * WAN, 240 * WAN)
    assert len(account.claims) == 3


def test_a_recovery_shared_back_to_a_pool_pays_the_legs_waiting_on_it(ledger):
    for reference in ("L1", "L2"):
        ledger.transact(lambda s, r=reference: _claimed_loan(s, r, 100 * WAN, first=False))
        ledger.transact(_approve(reference))
    ledger.transact(_pay("L1"))  # 80万 of the pool's 100万
    ledger.transact(_pay("L2"))  # 80万 more: it waits
    assert ledger.get_pool("SZ-P").queued_fen == 80 * WAN
    shares = ledger.transact(
        lambda s: s.record_recovery(
            bank="ICBC",
            reference="L1",
            amount_fen=75 * WAN,
            ref="REC-1",
            effective_date=date(2024, 12, 1),
            actor=CLERK,
        )
    )
    assert shares == {"pool.city": 60 * WAN, "bank": 15 * WAN}
    pool = ledger.get_pool("SZ-P")
    assert (pool.available_fen, pool.queued_fen) == (0, 0)
    claim = ledger.repository.get(ledger.get_loan("ICBC", "L2").open_claim)
    assert (claim.state, claim.legs_paid) == ("settled", {"pool.city": date(2024, 12, 1)})


def test_a_loan_registered_before_revenue_was_recorded_still_loads(db_url, ledger):
    ledger.transact(lambda s: _claimed_loan(s, "L1", 100 * WAN, first=False))
    with RawEvents(db_url) as events:
        rows = events.rows("%Loan.Registered")
        assert len(rows) == 1
        (position, _, _, _, state) = rows[0]
        # As the first version of the event stored it, before revenue (and schedules).
        stored = {k: v for k, v in json.loads(state).items() if k in FIRST_REGISTERED}
        events.set_state(position, json.dumps(stored).encode())
    reopened = RiskLedger(Settings(db=db_url))
    loan = reopened.get_loan("ICBC", "L1")
    assert loan.annual_revenue_fen is None
    assert reopened.transact(_approve("L1")) == {"pool.city": 80 * WAN, "bank": 20 * WAN}
    reopened.close()
