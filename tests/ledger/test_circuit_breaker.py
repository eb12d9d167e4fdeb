"""The circuit breaker at close of business (R4), and a product's status on any day."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.close_of_business import close_business_day
from ledger.settings import Settings

MANAGER = Actor("KJJ", "alice", "cli")
NIGHT = Actor("riskledger", "night-batch", "scheduler")
DAY = date(2024, 1, 2)
USCC = "91320505MA1ABCDE09"


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
            "suspension": {"max_compensation_rate": "5%"},
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
        pool="SZ-P",
        amount_fen=10_000_000_00,
        funder="SZ-FIN",
        ref="F1",
        effective_date=DAY,
        actor=MANAGER,
    )


def _lend(session: Session, bank: str, reference: str, principal_fen: int, start: date) -> None:
    clerk = Actor(bank, "clerk", "cli")
    session.register_loan(
        bank=bank,
        reference=reference,
        uscc=USCC,
        product="TKD",
        principal_fen=principal_fen,
        annual_rate_bps=400,
        term_months=12,
        start_date=start,
        actor=clerk,
    )
    session.disburse(
        bank=bank,
        reference=reference,
        amount_fen=principal_fen,
        value_date=start,
        ref="D",
        actor=clerk,
    )


@pytest.fixture
def ledger(db_url: str):
    """通科贷, capped at a 5% compensation rate: ICBC's 9,500,000.00 current, BOC's 500,000.00
    unpaid since its first instalment fell due on 2024-02-01."""
    opened = RiskLedger(Settings(db=db_url, operator="pytest"))
    opened.transact(_programme)
    opened.transact(lambda s: _lend(s, "ICBC", "A1", 9_500_000_00, date(2024, 4, 10)))
    opened.transact(lambda s: _lend(s, "BOC", "B1", 500_000_00, date(2024, 1, 1)))
    yield opened
    opened.close()


def test_a_days_verdicts_are_saved_with_its_close_and_a_rerun_writes_nothing(ledger):
    closing = close_business_day(ledger, date(2024, 5, 2), NIGHT)
    assert closing.breakers == ("TKD: BOC suspended (NPL ratio 100.00% ≥ 5.00%)",)
    held = ledger.event_count()

    again = close_business_day(ledger, date(2024, 5, 2), NIGHT)

    assert (again.closed_now, again.breakers) == (False, ())
    assert ledger.event_count() == held
    with pytest.raises(RuleViolation) as refused:
        ledger.transact(lambda s: _lend(s, "BOC", "B2", 100_000_00, date(2024, 5, 3)))
    assert (refused.value.rule, refused.value.field) == ("R4", "bank")
    assert ledger.event_count() == held
    # ICBC, with nothing past due, lends on.
    ledger.transact(lambda s: _lend(s, "ICBC", "A2", 100_000_00, date(2024, 5, 3)))


def test_a_product_stops_when_its_compensation_rate_reaches_the_cap(ledger):
    def claim(session: Session) -> None:
        session.declare_default(
            bank="BOC", reference="B1", default_date=date(2024, 5, 1), reason="破产", actor=MANAGER
        )
        session.file_claim(
            bank="BOC", reference="B1", ref="C1", filed_on=date(2024, 5, 2), actor=MANAGER
        )
        session.approve_claim(
            bank="BOC",
            reference="B1",
            amount_fen=500_000_00,
            effective_date=date(2024, 5, 3),
            actor=MANAGER,
        )

    ledger.transact(claim)
    closing = close_business_day(ledger, date(2024, 5, 3), NIGHT)

    # 500,000.00 compensated of 10,000,000.00 covered: 5.00%, the cap.
    assert "TKD: stopped (compensation rate 5.00% ≥ 5.00%)" in closing.breakers
    with pytest.raises(RuleViolation) as refused:
        ledger.transact(lambda s: _lend(s, "ICBC", "A2", 100_000_00, date(2024, 5, 4)))
    assert (refused.value.rule, refused.value.field) == ("R4", "product")
    assert "its compensation rate 5.00% reached the cap of 5.00%" in str(refused.value)


def test_the_status_on_an_earlier_day_counts_loans_paid_off_since(ledger):
    ledger.transact(
        lambda s: s.repay(
            bank="ICBC",
            reference="A1",
            principal_fen=9_500_000_00,
            interest_fen=50_000_00,
            value_date=date(2024, 6, 1),
            ref="P1",
            actor=MANAGER,
        )
    )
    on_may_2 = Session(ledger).product_status("TKD", date(2024, 5, 2))
    on_june_2 = Session(ledger).product_status("TKD", date(2024, 6, 2))

    assert [(b["bank"], b["outstanding_fen"]) for b in on_may_2["banks"]] == [
        ("BOC", 500_000_00),
        ("ICBC", 9_500_000_00),
    ]
    assert [(b["bank"], b["outstanding_fen"]) for b in on_june_2["banks"]] == [("BOC", 500_000_00)]
    assert (on_may_2["overdue_ratio_bps"], on_june_2["overdue_ratio_bps"]) == (500, 10_000)
    # Principal covered counts every loan started by the day, paid off or not; the leverage
    # is the exposure's now, with ICBC's repaid principal freed.
    assert on_june_2["registered_fen"] == 10_000_000_00
    assert on_june_2["leverage"]["covered_fen"] == 500_000_00
    assert on_may_2["state"] == "open"


def test_the_status_shows_a_suspension_from_the_day_it_was_decided(ledger):
    close_business_day(ledger, date(2024, 5, 2), NIGHT)
    session = Session(ledger)

    before = session.product_status("TKD", date(2024, 5, 1))
    after = session.product_status("TKD", date(2024, 5, 2))

    assert [b["state"] for b in before["banks"]] == ["active", "active"]
    assert [b["state"] for b in after["banks"]] == ["suspended", "active"]
    assert after["banks"][0]["suspended"] == {
        "since": "2024-05-02",
        "figure": "npl_ratio",
        "figure_bps": 10_000,
        "threshold_bps": 500,
    }
