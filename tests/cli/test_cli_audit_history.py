"""`riskledger audit history`: every event of a loan and its cover and claims, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import OPERATOR, Riskledger

REFUSED = 2
PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
HISTORY_KEYS = {
    "position",
    "aggregate",
    "version",
    "event",
    "effective_date",
    "recorded_at",
    "institution",
    "operator",
    "channel",
    "summary",
}

# The manual session's loan, as (aggregate, event, effective date, institution, money).
L001_HISTORY = [
    ("loan", "Registered", "2024-02-01", "ICBC-SZ", "principal 3,000,000.00"),
    ("loan", "Disbursed", "2024-02-01", "ICBC-SZ", "amount 3,000,000.00"),
    (
        "loan",
        "RepaymentReceived",
        "2024-05-01",
        "ICBC-SZ",
        "principal 1,000,000.00; interest 28,875.00",
    ),
    ("loan", "Defaulted", "2024-11-01", "ICBC-SZ", "outstanding 2,000,000.00"),
    ("loan", "ClaimOpened", "2024-11-10", "ICBC-SZ", ""),
    ("claim", "Filed", "2024-11-10", "ICBC-SZ", "loss_base 2,000,000.00"),
    (
        "claim",
        "Approved",
        "2024-11-20",
        "SZ-KJJ",
        "amount 2,000,000.00; burdens pool.province 700,000.00, pool.city 700,000.00, "
        "bank 600,000.00; legs pool.province 700,000.00, pool.city 700,000.00",
    ),
    ("claim", "LegPaid", "2024-12-01", "SZ-KJJ", "pool.province → bank; amount 700,000.00"),
    ("claim", "LegPaid", "2024-12-01", "SZ-KJJ", "pool.city → bank; amount 700,000.00"),
    ("claim", "Settled", "2024-12-01", "SZ-KJJ", ""),
    (
        "claim",
        "RecoveryShared",
        "2025-03-01",
        "ICBC-SZ",
        "amount 333,300.00; shares pool.province 116,655.00, pool.city 116,655.00, bank 99,990.00",
    ),
]


def _history(riskledger: Riskledger, bank: str, loan: str) -> list[dict]:
    return json.loads(
        riskledger.ok(f"audit history --bank {bank} --loan {loan} --format json").stdout
    )


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def test_the_history_lists_the_loan_and_its_claim_in_recorded_order(
    recovered_programme: Riskledger,
) -> None:
    rows = _history(recovered_programme, "ICBC-SZ", "L001")
    assert all(set(row) == HISTORY_KEYS for row in rows)
    assert [
        (r["aggregate"], r["event"], r["effective_date"], r["institution"], r["summary"])
        for r in rows
    ] == L001_HISTORY
    assert {(r["operator"], r["channel"]) for r in rows} == {(OPERATOR, "cli")}
    positions = [r["position"] for r in rows]
    assert positions == sorted(set(positions))
    assert max(positions) <= recovered_programme.event_count()
    assert [r["version"] for r in rows if r["aggregate"] == "loan"] == [1, 2, 3, 4, 5]
    assert [r["version"] for r in rows if r["aggregate"] == "claim"] == [1, 2, 3, 4, 5, 6]


def test_the_history_as_a_table_names_actor_and_channel(recovered_programme: Riskledger) -> None:
    shown = recovered_programme.ok("audit history --bank ICBC-SZ --loan L001").stdout
    lines = shown.splitlines()
    assert lines[0].startswith("History of ICBC-SZ/L001 (元)")
    registered = next(line for line in lines if "Registered" in line)
    assert f"{OPERATOR}@ICBC-SZ" in registered
    assert "│ cli " in registered
    assert "principal 3,000,000.00" in registered
    cells = [line.split("│") for line in lines if line.startswith("│")]
    events = [row[3].strip() for row in cells if row[3].strip()]
    assert events == [event for _, event, *_ in L001_HISTORY]


def test_the_history_reads_without_writing(recovered_programme: Riskledger) -> None:
    events = recovered_programme.event_count()
    recovered_programme.ok("audit history --bank ICBC-SZ --loan L001")
    assert recovered_programme.event_count() == events


def test_an_unknown_loan_is_one_line(recovered_programme: Riskledger) -> None:
    result = recovered_programme("audit history --bank ICBC-SZ --loan L404")
    assert result.exit_code == REFUSED
    assert result.stderr == "error: --loan: no loan 'L404' of bank 'ICBC-SZ'\n"
    assert result.stdout == ""


def test_a_guaranteed_loan_shows_its_guarantee_among_its_events(riskledger: Riskledger) -> None:
    riskledger.run_all(
        [
            "institution add SZ-KJJ --kind operator --name 苏州市科学技术局 --region 苏州",
            "institution add KS-CZJ --kind pool_owner --name 昆山市财政局 --level county",
            "institution add ICBC-SZ --kind bank --name 工商银行苏州分行",
            "institution add JSDB --kind guarantor --name 江苏省信用融资担保",
            "institution add JSZDB --kind reguarantor --name 江苏省再担保",
            f"product define --file {PRODUCTS / 'kechuangdai.toml'}",
            "pool open KS-POOL --name 昆山县级池 --owner KS-CZJ --level county --product KCD",
            "pool fund KS-POOL 500万 --funder KS-CZJ --ref KS-2024-01 --date 2024-01-05",
            "enterprise add 91320505MA1ABCDE09 --name 苏州某某科技有限公司",
            "loan register --bank ICBC-SZ --loan K1 --uscc 91320505MA1ABCDE09 --product KCD "
            "--principal 500万 --rate 4% --term 24 --start 2024-02-01",
            "guarantee issue --guarantor JSDB --bank ICBC-SZ --loan K1 --coverage 80% "
            "--fee-rate 1% --reguarantor JSZDB --reguarantee-fee 0.5% --ref DB-001 "
            "--date 2024-02-01",
            "loan disburse --bank ICBC-SZ --loan K1 --amount 500万 --ref KD1 --date 2024-02-01",
            "guarantee fee --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 4万 --ref F1 "
            "--date 2024-02-01",
        ]
    )
    rows = _history(riskledger, "ICBC-SZ", "K1")
    assert [(r["aggregate"], r["event"]) for r in rows] == [
        ("loan", "Registered"),
        ("guarantee", "Issued"),
        ("loan", "Disbursed"),
        ("guarantee", "FeePaid"),
    ]
    assert rows[1]["institution"] == rows[3]["institution"] == "JSDB"
    assert rows[3]["summary"].startswith("amount 40,000.00")
