"""Closing a business day on a SQLite ledger: classes (R5), defaults (R6), once per day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from city_programme import CLERK, USCC, city_programme
from sqlalchemy import select

from domain.actor import Actor
from domain.classification import NORMAL, SPECIAL_MENTION, SUBSTANDARD
from domain.errors import RuleViolation
from domain.loan import ACTIVE, DEFAULTED, PAID_OFF
from domain.schedule import ANNUITY, INTEREST_ONLY
from ledger.app import RiskLedger, Session
from ledger.close_of_business import close_business_day, loans_to_review
from ledger.settings import Settings
from projections.reports import product_statistics
from projections.runner import ReadModels, open_engine
from projections.schema import loans as loan_rows

SCHEDULER = Actor("riskledger", "ops", "scheduler")
START = date(2024, 1, 31)
PRINCIPAL = 1_200_000_00


def _programme(session: Session) -> None:
    city_programme(session, funds_fen=100_000_000_00)


@pytest.fixture
def ledger(db_url: str) -> Iterator[RiskLedger]:
    app = RiskLedger(Settings(db=db_url, operator="pytest"))
    app.transact(_programme)
    yield app
    app.close()


def lend(ledger: RiskLedger, reference: str, kind: str = INTEREST_ONLY) -> None:
    """120万 at 4% for 12 months from 31 January 2024, paid out that day."""

    def register_and_pay_out(session: Session) -> None:
        session.register_loan(
            bank="ICBC",
            reference=reference,
            uscc=USCC,
            product="TKD",
            principal_fen=PRINCIPAL,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            schedule=kind,
            actor=CLERK,
        )
        session.disburse(
            bank="ICBC",
            reference=reference,
            amount_fen=PRINCIPAL,
            value_date=START,
            ref=f"{reference}-D",
            actor=CLERK,
        )

    ledger.transact(register_and_pay_out)


def pay(ledger: RiskLedger, reference: str, amount_fen: int, day: date, ref: str) -> None:
    ledger.transact(
        lambda s: s.receive_payment(
            bank="ICBC",
            reference=reference,
            amount_fen=amount_fen,
            value_date=day,
            ref=ref,
            actor=CLERK,
        )
    )


def pay_every_instalment_due_by(ledger: RiskLedger, reference: str, day: date) -> None:
    loan = ledger.get_loan("ICBC", reference)
    for instalment in loan.statement_on(day).instalments:
        if instalment.due_date <= day:
            pay(
                ledger,
                reference,
                instalment.total_fen,
                instalment.due_date,
                f"{reference}-{instalment.number}",
            )


def events_of(ledger: RiskLedger, reference: str) -> list:
    loan = ledger.get_loan("ICBC", reference)
    return list(ledger.repository.event_store.get(loan.id))


def test_closing_a_day_classifies_open_loans_and_defaults_those_90_days_past_due(ledger):
    lend(ledger, "CURRENT", ANNUITY)
    lend(ledger, "LATE")
    lend(ledger, "LATER")
    pay_every_instalment_due_by(ledger, "CURRENT", date(2024, 5, 29))
    pay_every_instalment_due_by(ledger, "LATE", date(2024, 3, 31))

    closing = close_business_day(ledger, date(2024, 5, 29), SCHEDULER)

    assert (closing.closed_now, closing.loans_reviewed) == (True, 3)
    assert (closing.loans_classified, closing.loans_defaulted) == (2, 1)
    current, late, later = (ledger.get_loan("ICBC", r) for r in ("CURRENT", "LATE", "LATER"))
    assert (current.state, current.classification) == (ACTIVE, NORMAL)
    # April's interest, due 30 April, is 29 days late; LATER has paid nothing since 31 January.
    assert (late.state, late.classification, late.days_past_due(date(2024, 5, 29))) == (
        ACTIVE,
        SPECIAL_MENTION,
        29,
    )
    assert (later.state, later.default_date, later.classification) == (
        DEFAULTED,
        date(2024, 5, 29),
        SPECIAL_MENTION,
    )
    defaulted = [e for e in events_of(ledger, "LATER") if type(e).__name__ == "Defaulted"]
    assert [(e.reason, e.actor.channel) for e in defaulted] == [("逾期90天", "scheduler")]


def test_closing_the_same_day_again_writes_nothing(ledger):
    lend(ledger, "LATER")
    close_business_day(ledger, date(2024, 5, 29), SCHEDULER)
    before = ledger.event_count()

    again = close_business_day(ledger, date(2024, 5, 29), SCHEDULER)

    assert not again.closed_now
    assert ledger.event_count() == before


def test_a_day_before_the_last_closed_one_is_refused_and_nothing_written(ledger):
    lend(ledger, "LATER")
    close_business_day(ledger, date(2024, 5, 29), SCHEDULER)
    before = ledger.event_count()

    with pytest.raises(RuleViolation) as refused:
        close_business_day(ledger, date(2024, 5, 1), SCHEDULER)

    assert (refused.value.rule, refused.value.field) == ("R5", "date")
    assert ledger.event_count() == before


def test_loans_are_reviewed_in_batches_with_the_same_outcome(ledger):
    for reference in ("A", "B", "C"):
        lend(ledger, reference)

    closing = close_business_day(ledger, date(2024, 3, 15), SCHEDULER, batch_size=2)

    assert (closing.loans_reviewed, closing.loans_classified) == (3, 3)
    assert {ledger.get_loan("ICBC", r).classification for r in "ABC"} == {SPECIAL_MENTION}


def test_a_class_is_written_only_when_it_changes_from_day_to_day(ledger):
    lend(ledger, "LATER")

    for day in (date(2024, 3, 1), date(2024, 3, 2), date(2024, 5, 28), date(2024, 5, 30)):
        close_business_day(ledger, day, SCHEDULER)

    classified = [e for e in events_of(ledger, "LATER") if type(e).__name__ == "Classified"]
    assert [(e.effective_date, e.new_class, e.days_past_due) for e in classified] == [
        (date(2024, 3, 1), SPECIAL_MENTION, 1),
        (date(2024, 5, 30), SUBSTANDARD, 91),
    ]


def test_a_paid_off_loan_returns_to_normal_and_is_then_left_alone(ledger):
    lend(ledger, "L1")
    close_business_day(ledger, date(2024, 3, 10), SCHEDULER)
    assert ledger.get_loan("ICBC", "L1").classification == SPECIAL_MENTION
    owed = ledger.get_loan("ICBC", "L1").statement_on(date(2024, 3, 10)).payoff_fen
    pay(ledger, "L1", owed, date(2024, 3, 10), "PAYOFF")
    loan_id = ledger.get_loan("ICBC", "L1").id
    assert ledger.get_loan("ICBC", "L1").state == PAID_OFF
    assert loans_to_review(ledger) == [loan_id]

    close_business_day(ledger, date(2024, 3, 11), SCHEDULER)

    assert ledger.get_loan("ICBC", "L1").classification == NORMAL
    assert loans_to_review(ledger) == []


def test_the_loan_book_shows_each_loans_class_and_the_products_non_performing_loans(
    ledger, tmp_path
):
    lend(ledger, "CURRENT")
    lend(ledger, "LATER")
    pay_every_instalment_due_by(ledger, "CURRENT", date(2024, 6, 1))
    close_business_day(ledger, date(2024, 6, 1), SCHEDULER)
    engine = open_engine(ledger.settings.read_model_url())
    try:
        ReadModels(ledger, engine).catch_up()
        with engine.connect() as connection:
            rows = {
                row.reference: (row._mapping["class"], row.days_past_due)
                for row in connection.execute(select(loan_rows))
            }
        (product,) = product_statistics(engine)
    finally:
        engine.dispose()

    assert rows == {"CURRENT": (NORMAL, 0), "LATER": (SUBSTANDARD, 93)}
    assert (product["npl_loans"], product["npl_fen"]) == (1, PRINCIPAL)
