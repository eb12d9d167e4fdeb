"""A loan's history holds exactly the events of its loan, cover and claims, in the log's order."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from backends import fresh_database_url

from domain.claim import Claim
from domain.guarantee import Guarantee
from domain.ids import guarantee_id, loan_id, policy_id
from domain.loan import Loan
from domain.policy import InsurancePolicy
from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections import history
from projections.history import loan_history, money_summary


@pytest.fixture(scope="module")
def ledger(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RiskLedger]:
    with fresh_database_url(backend, tmp_path_factory.mktemp("history")) as db:
        built = RiskLedger(Settings(db=db))
        build_demo(built, seed=7, loans=60)
        yield built
        built.close()


def _log(ledger: RiskLedger) -> list[tuple[int, object]]:
    """Every event with its notification position, read by scanning the whole log."""
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [(n.id, ledger.mapper.to_domain_event(n)) for n in notifications]


def _loans_with_claims_and_cover(ledger: RiskLedger) -> list[tuple[str, str]]:
    log = [domain_event for _, domain_event in _log(ledger)]
    claimed = {(e.bank, e.loan_reference) for e in log if isinstance(e, Claim.Filed)}
    covered = {e.loan for e in log if isinstance(e, Guarantee.Issued | InsurancePolicy.Issued)}
    return sorted(loan for loan in claimed if loan_id(*loan) in covered)


def test_positions_and_members_match_a_scan_of_the_whole_log(ledger: RiskLedger) -> None:
    log = _log(ledger)
    loans = _loans_with_claims_and_cover(ledger)
    assert loans, "the demo should hold a covered loan with a claim"
    seen: set[str] = set()
    for bank, reference in loans[:5]:
        loan = loan_id(bank, reference)
        claims = {
            e.claim for _, e in log if isinstance(e, Loan.ClaimOpened) and e.originator_id == loan
        }
        members = {loan, guarantee_id(loan), policy_id(loan), *claims}
        expected = [
            (position, e.originator_id, e.originator_version, type(e).__name__)
            for position, e in log
            if e.originator_id in members
        ]
        rows = loan_history(ledger, bank, reference)
        kinds = {loan: "loan", guarantee_id(loan): "guarantee", policy_id(loan): "policy"}
        assert [(r["position"], r["event"]) for r in rows] == [(p, n) for p, _, _, n in expected]
        assert [r["aggregate"] for r in rows] == [
            kinds.get(originator, "claim") for _, originator, _, _ in expected
        ]
        seen |= {row["aggregate"] for row in rows}
    assert {"loan", "claim"} <= seen
    assert seen & {"guarantee", "policy"}


def test_without_positions_the_order_is_recorded_time_then_version(
    ledger: RiskLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank, reference = _loans_with_claims_and_cover(ledger)[0]
    positioned = loan_history(ledger, bank, reference)

    def no_positions(_app: RiskLedger, _ids: list[UUID]) -> dict[tuple[UUID, int], int]:
        return {}

    monkeypatch.setattr(history, "_positions", no_positions)
    timed = loan_history(ledger, bank, reference)
    assert all(row["position"] is None for row in timed)
    assert timed == sorted(timed, key=lambda row: (row["recorded_at"], row["version"]))
    strip = [{**row, "position": None} for row in positioned]
    assert sorted(map(repr, timed)) == sorted(map(repr, strip))


def test_money_is_shown_in_yuan_and_other_fields_are_left_out() -> None:
    assert money_summary({"principal_fen": 300_000_000, "annual_rate_bps": 385}) == (
        "principal 3,000,000.00"
    )
    assert money_summary(
        {
            "payer": "pool.city",
            "payee": "bank",
            "amount_fen": 7,
            "payees": {"pool.city": "bank"},
            "first_loan": True,
            "annual_revenue_fen": None,
        }
    ) == ("pool.city → bank; amount 0.07")
    assert money_summary({"burdens": {"pool.city": 1, "bank": -2}}) == (
        "burdens pool.city 0.01, bank -0.02"
    )
    assert money_summary({"reason": "逾期90天"}) == ""
