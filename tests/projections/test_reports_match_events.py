"""The reports equal figures recomputed by hand from the stored events' raw JSON."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.reports import pool_balances, product_statistics
from projections.runner import ReadModels, open_engine


def _raw_events(db: Path) -> list[tuple[str, str, dict[str, Any]]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT originator_id, topic, state FROM stored_events ORDER BY rowid"
        ).fetchall()
    return [(oid, topic.split(":")[1], json.loads(bytes(state))) for oid, topic, state in rows]


def _recompute(events: list[tuple[str, str, dict[str, Any]]]) -> tuple[dict, dict]:
    """Folds the raw events by hand into the same figures the reports print."""
    pools: dict[str, Counter] = defaultdict(Counter)
    pool_code: dict[str, str] = {}
    products: dict[str, Counter] = defaultdict(Counter)
    burdens: dict[str, Counter] = defaultdict(Counter)
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
        elif name == "Loan.Registered":
            loan_product[oid] = state["product"]
            products[state["product"]]["loans"] += 1
            firms[state["product"]].add(state["enterprise"])
        elif name == "Loan.Disbursed":
            products[loan_product[oid]]["disbursed_fen"] += state["amount_fen"]
        elif name == "Loan.RepaymentReceived":
            products[loan_product[oid]]["repaid_fen"] += state["principal_fen"]
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
    for code, figures in products.items():
        figures["outstanding_fen"] = figures["disbursed_fen"] - figures["repaid_fen"]
        figures["enterprises"] = len(firms[code])
    return pools, {code: (figures, burdens[code]) for code, figures in products.items()}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    ledger = RiskLedger(Settings(db=str(db)))
    build_demo(ledger, seed=7, loans=300)
    ReadModels(ledger, open_engine(f"sqlite:///{db}")).catch_up()
    ledger.close()
    return db


def test_pool_report_equals_hand_recomputation_from_raw_events(demo_db: Path) -> None:
    expected, _ = _recompute(_raw_events(demo_db))
    reported = pool_balances(open_engine(f"sqlite:///{demo_db}"))
    assert {row["pool"] for row in reported} == set(expected)
    for row in reported:
        figures = expected[row["pool"]]
        for key in ("contributed_fen", "paid_out_fen", "recovered_fen"):
            assert row[key] == figures[key], (row["pool"], key)
        assert row["available_fen"] == (
            figures["contributed_fen"] - figures["paid_out_fen"] + figures["recovered_fen"]
        )
        assert row["available_fen"] >= 0


def test_product_report_equals_hand_recomputation_from_raw_events(demo_db: Path) -> None:
    _, expected = _recompute(_raw_events(demo_db))
    reported = product_statistics(open_engine(f"sqlite:///{demo_db}"))
    assert {row["product"] for row in reported} == set(expected)
    assert sum(row["claims"] for row in reported) > 0, "the demo must exercise claims"
    for row in reported:
        figures, burdens = expected[row["product"]]
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
