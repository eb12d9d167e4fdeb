"""Events stored in an older shape are upcast on read, never rewritten in the store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from backends import RawEvents

from domain.actor import Actor
from domain.ids import loan_id
from domain.loan import INTEREST_ONLY, Loan
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger
from ledger.settings import Settings

CLERK = Actor("ICBC", "clerk", "cli")

# A loan registration exactly as the first version of riskledger stored it: no class
# version, no annual revenue, no schedule.
V1_REGISTRATION = {
    "timestamp": {"_type_": "datetime_iso", "_data_": "2024-02-01T09:00:00+00:00"},
    "originator_topic": "domain.loan:Loan",
    "bank": "ICBC",
    "reference": "OLD-1",
    "enterprise": "91320505MA1ABCDE09",
    "product": "SKD",
    "terms_version": 1,
    "principal_fen": 300_000_000,
    "annual_rate_bps": 385,
    "term_months": 12,
    "start_date": {"_type_": "date_iso", "_data_": "2024-02-01"},
    "first_loan": True,
    "pure_credit": False,
    "effective_date": {"_type_": "date_iso", "_data_": "2024-02-01"},
    "actor": {
        "_type_": "actor",
        "_data_": {"institution": "ICBC", "operator": "clerk", "channel": "cli"},
    },
}


@pytest.fixture
def old_db(db_url: str) -> str:
    RiskLedger(Settings(db=db_url)).close()  # creates the events table
    with RawEvents(db_url) as events:
        events.insert(
            loan_id("ICBC", "OLD-1"),
            1,
            "domain.loan:Loan.Registered",
            json.dumps(V1_REGISTRATION).encode(),
        )
    return db_url


def test_a_version_1_registration_is_upcast_to_monthly_interest_only_with_unknown_revenue(old_db):
    ledger = RiskLedger(Settings(db=old_db))
    loan = ledger.repository.get(loan_id("ICBC", "OLD-1"))
    assert isinstance(loan, Loan)
    assert (loan.schedule_kind, loan.interest_every_months) == (INTEREST_ONLY, 1)
    assert loan.annual_revenue_fen is None
    assert (loan.principal_fen, loan.start_date, loan.first_loan) == (
        300_000_000,
        date(2024, 2, 1),
        True,
    )
    ledger.close()


def test_upcasting_leaves_the_stored_bytes_as_they_were(old_db):
    with RawEvents(old_db) as events:
        [(_, _, _, _, before)] = events.rows()
    ledger = RiskLedger(Settings(db=old_db))
    ledger.repository.get(loan_id("ICBC", "OLD-1"))
    ledger.close()
    with RawEvents(old_db) as events:
        [(_, _, _, _, after)] = events.rows()
    assert after == before


def test_new_registrations_are_stored_as_version_2(db_url):
    ledger = RiskLedger(Settings(db=db_url))
    assert Loan.Registered.class_version == 2
    mapped = ledger.mapper.to_stored_event(
        Loan.register(
            bank="ICBC",
            reference="NEW-1",
            enterprise="91320505MA1ABCDE09",
            terms=_terms(),
            terms_version=1,
            principal_fen=100_00,
            annual_rate_bps=385,
            term_months=12,
            start_date=date(2024, 2, 1),
            first_loan=False,
            pure_credit=False,
            actor=CLERK,
        ).collect_events()[0]
    )
    assert json.loads(mapped.state)["class_version"] == 2
    ledger.close()


def _terms():
    return parse_terms(
        {
            "code": "SKD",
            "name": "苏科贷",
            "structure": "direct",
            "effective_from": date(2024, 1, 1),
            "shares": {"pool.city": 7000, "bank": 3000},
        }
    )
