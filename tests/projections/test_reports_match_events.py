"""The reports equal figures recomputed by hand from the stored events' raw JSON."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from typing import Any

import pytest
from backends import RawEvents, fresh_database_url
from sqlalchemy import Engine

from domain.actor import Actor
from domain.errors import DomainError
from ledger.app import RiskLedger, Session
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.invariants import check_invariants
from projections.reports import pool_balances, product_statistics
from projections.runner import ReadModels, open_engine

CORRECTOR = Actor("KJJ", "auditor-requested", "cli")
REASON = "keyed by mistake"
LATE = date(2030, 1, 1)  # after every event the demo records


def _raw_events(db: str) -> list[tuple[str, str, dict[str, Any]]]:
    with RawEvents(db) as events:
        rows = events.rows()
    return [(oid.hex, topic.split(":")[1], json.loads(state)) for _, oid, _, topic, state in rows]


def _recompute(events: list[tuple[str, str, dict[str, Any]]]) -> tuple[dict, dict]:
    """Folds the raw events by hand into the same figures the reports print."""
    pools: dict[str, Counter] = defaultdict(Counter)
    pool_code: dict[str, str] = {}
    products: dict[str, Counter] = defaultdict(Counter)
    burdens: dict[str, Counter] = defaultdict(Counter)
    compensation: dict[str, Counter] = defaultdict(Counter)
    recovery_shares: dict[str, Counter] = defaultdict(Counter)
    firms: dict[str, set[str]] = defaultdict(set)
    loan_product: dict[str, str] = {}
    claim_product: dict[str, str] = {}
    for oid, name, state in events:
        if name == "RiskPool.Opened":
            pool_code[oid] = state["code"]
        elif name == "RiskPool.ContributionReceived":
            pools[pool_code[oid]]["contributed_fen"] += state["amount_fen"]
        elif name == "RiskPool.PaymentMade":
            pools[pool_code[oid]]["paid_out_fen"] += state["amount_fen"]
        elif name == "RiskPool.RecoveryReceived":
            pools[pool_code[oid]]["recovered_fen"] += state["amount_fen"]
        elif name == "RiskPool.ContributionReversed":
            pools[pool_code[oid]]["contributed_fen"] -= state["amount_fen"]
        elif name == "RiskPool.PaymentReversed":
            pools[pool_code[oid]]["paid_out_fen"] -= state["amount_fen"]
        elif name == "RiskPool.RecoveryReversed":
            pools[pool_code[oid]]["recovered_fen"] -= state["amount_fen"]
        elif name == "Loan.Registered":
            loan_product[oid] = state["product"]
            products[state["product"]]["loans"] += 1
            firms[state["product"]].add(state["enterprise"])
        elif name == "Loan.Disbursed":
            products[loan_product[oid]]["disbursed_fen"] += state["amount_fen"]
        elif name == "Loan.RepaymentReceived":
            products[loan_product[oid]]["repaid_fen"] += state["principal_fen"]
        elif name == "Loan.RepaymentReversed":
            products[loan_product[oid]]["repaid_fen"] -= state["principal_fen"]
        elif name == "Loan.WrittenOff":
            products[loan_product[oid]]["written_off_fen"] += state["amount_fen"]
        elif name == "Loan.Defaulted":
            products[loan_product[oid]]["defaulted_loans"] += 1
            products[loan_product[oid]]["defaulted_fen"] += state["outstanding_fen"]
        elif name == "Claim.Filed":
            claim_product[oid] = state["product"]
            products[state["product"]]["claims"] += 1
        elif name == "Claim.Approved":
            burdens[claim_product[oid]].update(state["burdens"])
        elif name == "Claim.RecoveryShared":
            products[claim_product[oid]]["recovered_fen"] += state["amount_fen"]
            recovery_shares[claim_product[oid]].update(state["shares"])
        elif name == "Claim.RecoveryReversed":
            products[claim_product[oid]]["recovered_fen"] -= state["amount_fen"]
            recovery_shares[claim_product[oid]].subtract(state["shares"])
        elif name == "Claim.LegPaid":
            compensation[claim_product[oid]][state["payer"]] += state["amount_fen"]
        elif name == "Claim.LegPaymentReversed":
            compensation[claim_product[oid]][state["payer"]] -= state["amount_fen"]
    for code, figures in products.items():
        # A write-off (核销) takes what the loan still owed off the books.
        figures["outstanding_fen"] = (
            figures["disbursed_fen"] - figures["repaid_fen"] - figures["written_off_fen"]
        )
        figures["enterprises"] = len(firms[code])
    return pools, {
        code: (figures, burdens[code], compensation[code], recovery_shares[code])
        for code, figures in products.items()
    }


def _reverse_one_of_each(ledger: RiskLedger) -> set[str]:
    """Reverses one repayment, contribution, recovery and pool leg of the demo; returns the
    kinds reversed (R13). Candidates a rule refuses (a defaulted loan's repayment, a pool
    that no longer holds a contribution) are passed over for the next."""
    events = [
        ledger.mapper.to_domain_event(n)
        for n in ledger.recorder.select_notifications(start=1, limit=1_000_000)
    ]
    reversals: dict[str, list[Callable[[Session], Any]]] = defaultdict(list)
    for e in reversed(events):  # the latest first: the likeliest to be reversible
        kind = type(e).__qualname__
        if kind == "Loan.RepaymentReceived":
            loan = ledger.repository.get(e.originator_id)
            reversals["repayment"].append(
                lambda s, loan=loan, e=e: s.reverse_repayment(
                    bank=loan.bank,
                    reference=loan.reference,
                    ref=e.ref,
                    reason=REASON,
                    effective_date=LATE,
                    actor=CORRECTOR,
                )
            )
        elif kind == "RiskPool.ContributionReceived":
            code = ledger.repository.get(e.originator_id).code
            reversals["contribution"].append(
                lambda s, code=code, e=e: s.reverse_contribution(
                    pool=code, ref=e.ref, reason=REASON, effective_date=LATE, actor=CORRECTOR
                )
            )
        elif kind in ("Claim.RecoveryShared", "Claim.LegPaid"):
            claim = ledger.repository.get(e.originator_id)
            if kind == "Claim.RecoveryShared":
                reversals["recovery"].append(
                    lambda s, c=claim, e=e: s.reverse_recovery(
                        bank=c.bank,
                        reference=c.loan_reference,
                        ref=e.ref,
                        reason=REASON,
                        effective_date=LATE,
                        actor=CORRECTOR,
                    )
                )
            elif e.payer.startswith("pool."):
                reversals["leg"].append(
                    lambda s, c=claim, e=e: s.reverse_leg_payment(
                        bank=c.bank,
                        reference=c.loan_reference,
                        party=e.payer,
                        ref=f"RV-{c.loan_reference}-{e.payer}",
                        reason=REASON,
                        effective_date=LATE,
                        actor=CORRECTOR,
                    )
                )
    done: set[str] = set()
    for kind, candidates in reversals.items():
        for reversal in candidates:
            try:
                ledger.transact(reversal)
            except DomainError:
                continue
            done.add(kind)
            break
    return done


_BUILT: list[str] = []


def _built_demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite ledger holding the demo and one reversal of each kind, built once per run."""
    if not _BUILT:
        db = str(tmp_path_factory.mktemp("demo") / "demo.db")
        ledger = RiskLedger(Settings(db=db))
        build_demo(ledger, seed=7, loans=300)
        # The reversals (R13) must reach the reports exactly as the events they undo did.
        assert _reverse_one_of_each(ledger) == {"repayment", "contribution", "recovery", "leg"}
        assert check_invariants(ledger) == []
        ledger.close()
        _BUILT.append(db)
    return _BUILT[0]


@pytest.fixture(scope="module")
def demo_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's events in the backend's store, the read models folded there.

    PostgreSQL gets the SQLite ledger's events byte for byte at their positions (as an
    import would), rather than building the demo a second time.
    """
    built = _built_demo(tmp_path_factory)
    with ExitStack() as stack:
        db = built
        if backend == "postgres":
            db = stack.enter_context(fresh_database_url(backend, tmp_path_factory.mktemp("pg")))
            RiskLedger(Settings(db=db)).close()  # creates the tables
            with RawEvents(built) as source, RawEvents(db) as target:
                target.put_all(source.rows())
        ledger = RiskLedger(Settings(db=db))
        engine = open_engine(ledger.settings.read_model_url())
        ReadModels(ledger, engine).catch_up()
        engine.dispose()
        ledger.close()
        yield db


def _engine(db: str) -> Engine:
    return open_engine(Settings(db=db).read_model_url())


def test_pool_report_equals_hand_recomputation_from_raw_events(demo_db: str) -> None:
    expected, _ = _recompute(_raw_events(demo_db))
    reported = pool_balances(_engine(demo_db))
    assert {row["pool"] for row in reported} == set(expected)
    for row in reported:
        figures = expected[row["pool"]]
        for key in ("contributed_fen", "paid_out_fen", "recovered_fen"):
            assert row[key] == figures[key], (row["pool"], key)
        assert row["available_fen"] == (
            figures["contributed_fen"] - figures["paid_out_fen"] + figures["recovered_fen"]
        )
        assert row["available_fen"] >= 0


def test_product_report_equals_hand_recomputation_from_raw_events(demo_db: str) -> None:
    _, expected = _recompute(_raw_events(demo_db))
    reported = product_statistics(_engine(demo_db))
    assert {row["product"] for row in reported} == set(expected)
    assert sum(row["claims"] for row in reported) > 0, "the demo must exercise claims"
    for row in reported:
        figures, burdens, compensation, recovery_shares = expected[row["product"]]
        for key in (
            "loans",
            "enterprises",
            "disbursed_fen",
            "repaid_fen",
            "outstanding_fen",
            "defaulted_loans",
            "defaulted_fen",
            "claims",
            "recovered_fen",
        ):
            assert row[key] == figures[key], (row["product"], key)
        assert row["burden_fen"] == {party: fen for party, fen in burdens.items() if fen or party}
        for reported_parts, parts in (
            (row["compensation_paid_fen"], compensation),
            (row["recovery_share_fen"], recovery_shares),
        ):
            assert {p: f for p, f in reported_parts.items() if f} == {
                p: f for p, f in parts.items() if f
            }, row["product"]
