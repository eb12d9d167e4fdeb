"""The split rules at the command line: revenue tiers and caps (R8), queued legs (R10), and
claims settled after recovery (R11); each refusal exits 2 with one line and writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REFUSED = 2

# 通科贷: 8:2 below 2000万 revenue, 7:3 above; +5pp for a first loan; the pool bears at
# most 100万 a claim. Its city pool starts with 50万, less than one capped leg.
TIERED_TERMS = """\
code = "TKD"
name = "通科贷"
structure = "direct"
effective_from = 2024-01-01

[[tiers]]
below_revenue = "2000万"
shares = { "pool.city" = 8000, bank = 2000 }

[[tiers]]
shares = { "pool.city" = 7000, bank = 3000 }

[bonus]
first_loan = "5%"

[caps]
per_claim = "100万"
"""

# 昆科贷: city pool 80, bank 20, settled only once the bank closes recovery.
AFTER_RECOVERY_TERMS = """\
code = "KKD"
name = "昆科贷"
structure = "direct"
effective_from = 2024-01-01
settlement = "after_recovery"

[shares]
"pool.city" = 8000
bank = 2000
"""

REGISTER_T1 = (
    "loan register --bank ICBC-SZ --loan T1 --uscc 91320505MA1ABCDE09 --product TKD "
    "--principal 200万 --rate 3.85% --term 12 --start 2024-02-01"
)
T1_IN_DEFAULT = [
    "loan disburse --bank ICBC-SZ --loan T1 --amount 200万 --ref TD1 --date 2024-02-01",
    "loan default --bank ICBC-SZ --loan T1 --reason 破产 --date 2024-09-01",
    "claim file --bank ICBC-SZ --loan T1 --date 2024-09-10",
]
K1_APPROVED = [
    "loan register --bank ICBC-SZ --loan K1 --uscc 91320505MA1ABCDE09 --product KKD "
    "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01",
    "loan disburse --bank ICBC-SZ --loan K1 --amount 100万 --ref KD1 --date 2024-02-01",
    "loan default --bank ICBC-SZ --loan K1 --reason 破产 --date 2024-09-01",
    "claim file --bank ICBC-SZ --loan K1 --date 2024-09-10",
    "claim approve --bank ICBC-SZ --loan K1 --date 2024-09-20",
]


@pytest.fixture
def rules_programme(programme, tmp_path: Path):
    """The manual session's programme plus 通科贷 and 昆科贷, each with a funded city pool."""
    for name, text in (("tkd.toml", TIERED_TERMS), ("kkd.toml", AFTER_RECOVERY_TERMS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    programme.run_all(
        [
            f"product define --file {tmp_path / 'tkd.toml'}",
            f"product define --file {tmp_path / 'kkd.toml'}",
            "pool open SZ-TKD --name 通科贷池 --owner SZ-CZJ --level city --product TKD",
            "pool open SZ-KKD --name 昆科贷池 --owner SZ-CZJ --level city --product KKD",
            "pool fund SZ-TKD 50万 --funder SZ-CZJ --ref TKD-1 --date 2024-01-05",
            "pool fund SZ-KKD 5000万 --funder SZ-CZJ --ref KKD-1 --date 2024-01-05",
        ]
    )
    return programme


def _pool(riskledger, code: str) -> dict:
    pools = json.loads(riskledger.ok("report pools --format json").stdout)
    return next(pool for pool in pools if pool["pool"] == code)


def _refused(riskledger, command: str, field: str) -> str:
    """Runs a command that must be refused on `field`, writing nothing; returns its line."""
    before = riskledger.event_count()
    result = riskledger(command)
    assert result.exit_code == REFUSED, result.output
    assert result.stdout == ""
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    assert riskledger.event_count() == before
    return line


def test_tiers_bonus_and_cap_set_the_burdens_and_an_advance_claim_has_no_recovery_to_close(
    rules_programme,
):
    rules_programme.run_all(
        [
            (
                f"{REGISTER_T1} --revenue 1500万 --first-loan",
                "loan ICBC-SZ/T1 registered: 2,000,000.00 under TKD",
            ),
            *T1_IN_DEFAULT,
            *(
                step.replace("T1", "T2")
                for step in (f"{REGISTER_T1} --revenue 3000万", *T1_IN_DEFAULT)
            ),
        ]
    )
    first = rules_programme.ok("claim approve --bank ICBC-SZ --loan T1 --date 2024-09-20")
    # 85% of 200万 is 170万; the pool bears at most 100万 a claim, the bank the rest.
    assert first.stdout.splitlines() == [
        "claim on ICBC-SZ/T1 approved: 2,000,000.00",
        "burdens: pool.city 1,000,000.00, bank 1,000,000.00",
    ]
    second = rules_programme.ok(
        "claim approve --bank ICBC-SZ --loan T2 --amount 100万 --date 2024-09-20"
    )
    assert "burdens: pool.city 700,000.00, bank 300,000.00" in second.stdout.splitlines()
    line = _refused(
        rules_programme, "claim close-recovery --bank ICBC-SZ --loan T1 --date 2024-10-01", "claim"
    )
    assert "(R11)" in line


def test_a_tiered_product_refuses_a_loan_without_a_readable_revenue(rules_programme):
    line = _refused(rules_programme, REGISTER_T1, "revenue")
    assert "TKD shares losses by the enterprise's annual revenue; give it (R8)" in line
    _refused(rules_programme, f"{REGISTER_T1} --revenue 1500万x", "revenue")


def test_a_leg_the_pool_cannot_pay_is_queued_then_paid_when_the_pool_is_funded(rules_programme):
    rules_programme.run_all(
        [
            f"{REGISTER_T1} --revenue 1500万 --first-loan",
            *T1_IN_DEFAULT,
            "claim approve --bank ICBC-SZ --loan T1 --date 2024-09-20",
        ]
    )
    paid = rules_programme.ok("claim pay --bank ICBC-SZ --loan T1 --date 2024-09-25")
    assert paid.stdout.splitlines() == [
        "legs paid on ICBC-SZ/T1: none outstanding",
        "queued until the pools are funded (R10): pool.city 1,000,000.00",
    ]
    pool = _pool(rules_programme, "SZ-TKD")
    assert (pool["available_fen"], pool["queued_fen"]) == (500_000_00, 1_000_000_00)
    assert "Queued" in rules_programme.ok("report pools").stdout

    line = _refused(
        rules_programme,
        "claim pay --bank ICBC-SZ --loan T1 --party pool.city --date 2024-09-26",
        "party",
    )
    assert "has waited in SZ-TKD's queue since 2024-09-25" in line

    funded = rules_programme.ok(
        "pool fund SZ-TKD 50万 --funder SZ-CZJ --ref TKD-2 --date 2024-10-08"
    )
    assert funded.stdout.splitlines() == [
        "pool SZ-TKD funded with 500,000.00 (TKD-2)",
        "queued legs paid (R10): 1, 1,000,000.00",
    ]
    pool = _pool(rules_programme, "SZ-TKD")
    assert (pool["available_fen"], pool["queued_fen"], pool["paid_out_fen"]) == (0, 0, 1_000_000_00)


def test_a_claim_settled_after_recovery_splits_only_what_is_left_when_recovery_closes(
    rules_programme,
):
    *given, approval = K1_APPROVED
    rules_programme.run_all(given)
    approved = rules_programme.ok(approval)
    assert approved.stdout.splitlines() == [
        "claim on ICBC-SZ/K1 approved: 1,000,000.00",
        "shares fixed: pool.city 80.00%, bank 20.00%; the split follows the close of recovery "
        "(R11)",
    ]
    line = _refused(
        rules_programme, "claim pay --bank ICBC-SZ --loan K1 --date 2024-10-01", "claim"
    )
    assert "legs follow the close of recovery (R11)" in line
    recovered = rules_programme.ok(
        "claim recover --bank ICBC-SZ --loan K1 --amount 10万 --ref REC-1 --date 2025-01-05"
    )
    assert recovered.stdout.splitlines() == [
        "recovery 100,000.00 recorded: 900,000.00 left to split (R11)"
    ]
    closed = rules_programme.ok("claim close-recovery --bank ICBC-SZ --loan K1 --date 2025-06-30")
    assert closed.stdout.splitlines() == [
        "recovery closed on ICBC-SZ/K1: 900,000.00 left to split",
        "burdens: pool.city 720,000.00, bank 180,000.00",
    ]
    paid = rules_programme.ok("claim pay --bank ICBC-SZ --loan K1 --date 2025-07-10")
    assert paid.stdout.splitlines() == ["legs paid on ICBC-SZ/K1: pool.city 720,000.00"]
