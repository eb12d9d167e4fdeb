"""Schedules, waterfall repayments, `loan show` and closing business days from the command line.

The loan: 120万 under 苏科贷 at 4% for 12 months from 31 January 2024, 等额本息, so each
instalment is 102,206.02 but the last (102,205.95); February's interest is 3,866.67.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

REGISTER = (
    "loan register --bank ICBC-SZ --loan L002 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 120万 --rate 4% --term 12 --start 2024-01-31 --schedule annuity"
)
DISBURSE = "loan disburse --bank ICBC-SZ --loan L002 --amount 120万 --ref D1 --date 2024-01-31"


def _copy(source_path: Path, target_path: Path) -> None:
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)


@pytest.fixture(scope="module")
def annuity_template(tmp_path_factory) -> Path:
    """Where the first test keeps its ledger with the loan, for the others to copy."""
    return tmp_path_factory.mktemp("annuity") / "template.db"


@pytest.fixture
def annuity_loan(request, riskledger, annuity_template):
    """The command line on a ledger holding the programme and the annuity loan."""
    if annuity_template.exists():
        _copy(annuity_template, riskledger.db_path)
        return riskledger
    programme = request.getfixturevalue("programme")
    programme.run_all(
        [
            (REGISTER, "loan ICBC-SZ/L002 registered: 1,200,000.00 under SKD"),
            (DISBURSE, "loan ICBC-SZ/L002: disbursed 1,200,000.00"),
        ]
    )
    _copy(programme.db_path, annuity_template)
    return programme


def show(riskledger, as_of: str) -> dict:
    result = riskledger.ok(f"loan show --bank ICBC-SZ --loan L002 --as-of {as_of} --format json")
    return json.loads(result.stdout)


def test_an_annuity_loan_shows_equal_instalments_but_the_last(annuity_loan):
    found = show(annuity_loan, "2024-02-15")

    assert (found["schedule"], found["interest_every_months"]) == ("annuity", 1)
    totals = [i["principal_fen"] + i["interest_fen"] for i in found["instalments"]]
    assert totals == [102_206_02] * 11 + [102_205_95]
    assert sum(i["principal_fen"] for i in found["instalments"]) == 1_200_000_00
    assert (found["days_past_due"], found["class"]) == (0, "normal")


def test_one_amount_is_applied_by_the_waterfall_and_printed_part_by_part(annuity_loan):
    before = annuity_loan.event_count()

    result = annuity_loan.ok(
        "loan repay --bank ICBC-SZ --loan L002 --amount 150,000 --ref P1 --date 2024-04-10"
    )

    assert result.stdout.strip() == (
        "loan ICBC-SZ/L002: repaid 150,000.00 by the waterfall: overdue interest 7,661.28, "
        "overdue principal 142,338.72, current interest 0.00, current principal 0.00, "
        "prepaid principal 0.00; outstanding 1,057,661.28"
    )
    # The repayment, and the principal it paid taken off the product's exposure (R3).
    assert annuity_loan.event_count() == before + 2
    found = show(annuity_loan, "2024-04-10")
    # February is paid; March's principal is part paid, so it is 10 days overdue.
    assert [i["status"] for i in found["instalments"][:3]] == ["paid", "overdue", "due"]
    assert (found["days_past_due"], found["class"]) == (10, "special_mention")


def test_the_same_waterfall_payment_again_is_a_no_op(annuity_loan):
    command = "loan repay --bank ICBC-SZ --loan L002 --amount 3,866.67 --ref P1 --date 2024-02-29"
    annuity_loan.ok(command)
    before = annuity_loan.event_count()

    result = annuity_loan.ok(command)

    assert "already recorded 3,866.67 by the waterfall: overdue interest 0.00" in result.stdout
    assert annuity_loan.event_count() == before


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (
            "loan repay --bank ICBC-SZ --loan L002 --amount 1300000 --ref P9 --date 2024-02-29",
            "error: amount: 1,300,000.00 is more than everything owed on 2024-02-29: "
            "1,203,866.67 (interest 3,866.67, principal 1,200,000.00) (R12)",
        ),
        (
            "loan repay --bank ICBC-SZ --loan L002 --amount 100 --interest 100 --ref P9",
            "error: amount: give --amount (applied by the waterfall) or --principal/--interest",
        ),
        (
            "loan register --bank ICBC-SZ --loan L003 --uscc 91320505MA1ABCDE09 --product SKD "
            "--principal 100万 --rate 4% --term 12 --start 2024-01-31 --interest-every 2",
            "error: interest_every: payments fall due every 1 or 3 months, not every 2",
        ),
    ],
)
def test_refused_repayments_and_registrations_exit_2_and_write_nothing(
    annuity_loan, command, error
):
    before = annuity_loan.event_count()

    result = annuity_loan(command)

    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == error
    assert annuity_loan.event_count() == before


def test_an_unknown_schedule_kind_is_a_usage_error(annuity_loan):
    before = annuity_loan.event_count()

    result = annuity_loan(REGISTER.replace("L002", "L009").replace("annuity", "balloon"))

    assert result.exit_code == 2
    assert "balloon" in result.stderr
    assert annuity_loan.event_count() == before


def test_a_paid_off_loan_refuses_another_repayment(annuity_loan):
    found = show(annuity_loan, "2024-02-29")
    payoff = f"{found['payoff_fen'] / 100:.2f}"
    annuity_loan.ok(
        f"loan repay --bank ICBC-SZ --loan L002 --amount {payoff} --ref P1 --date 2024-02-29"
    )
    before = annuity_loan.event_count()

    result = annuity_loan("loan repay --bank ICBC-SZ --loan L002 --amount 1 --ref P2")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: loan: a paid_off loan cannot take repayments (lifecycle)"
    )
    assert annuity_loan.event_count() == before


def test_loan_show_prints_the_schedule_days_past_due_and_class(annuity_loan):
    result = annuity_loan.ok("loan show --bank ICBC-SZ --loan L002 --as-of 2024-06-01")

    lines = result.stdout.splitlines()
    assert (
        "等额本息 (annuity), paid every 1 month; 1,200,000.00 at 4.00% for 12 months" in (lines[1])
    )
    assert any(
        "2024-02-29" in line and "98,339.35" in line and "3,866.67" in line and "overdue" in line
        for line in lines
    )
    assert "days past due: 93; class: 次级 (substandard); last recorded class: 正常" in lines[-1]


def test_closing_a_day_by_hand_classifies_defaults_and_is_idempotent(annuity_loan):
    before = annuity_loan.event_count()

    closed = annuity_loan.ok("close-day 2024-06-01")
    again = annuity_loan.ok("close-day 2024-06-01")

    assert closed.stdout.splitlines() == [
        "business day 2024-06-01 closed: 1 loan reviewed, 1 classified, 1 defaulted",
        # The bank's one loan under SKD is non-performing: its NPL ratio is 100% (R4).
        "SKD: ICBC-SZ suspended (NPL ratio 100.00% ≥ 5.00%)",
    ]
    # Defaulted, Classified, the bank suspended, the calendar opened and the day closed.
    assert annuity_loan.event_count() == before + 5
    assert again.stdout.strip() == "business day 2024-06-01 was already closed; nothing written"
    assert annuity_loan.ok("scheduler status").stdout.strip() == (
        "last business day closed: 2024-06-01"
    )
    found = show(annuity_loan, "2024-06-01")
    assert (found["state"], found["default_date"], found["recorded_class"]) == (
        "defaulted",
        "2024-05-29",
        "substandard",
    )


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (
            "2024-05-01",
            "error: date: business days close in order and 2024-06-01 is already closed",
        ),
        ("2999-01-01", "error: date: 2999-01-01 has not ended yet; close only past business days"),
        ("yesterday", "error: date: 'yesterday' is not a date (write YYYY-MM-DD)"),
    ],
)
def test_closing_an_earlier_future_or_garbled_day_is_refused(annuity_loan, day, error):
    annuity_loan.ok("close-day 2024-06-01")
    before = annuity_loan.event_count()

    result = annuity_loan(f"close-day {day}")

    assert result.exit_code == 2
    assert result.stderr.strip().startswith(error)
    assert annuity_loan.event_count() == before


def test_scheduler_run_starts_the_nightly_job_until_stopped(riskledger, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    started: list[tuple[str, str]] = []

    def start(scheduler, *args, **kwargs):
        (job,) = scheduler.get_jobs()
        started.append((job.id, str(job.trigger)))
        raise KeyboardInterrupt

    monkeypatch.setattr(BlockingScheduler, "start", start)

    result = riskledger.ok("scheduler run --hour 1 --minute 15")

    assert started == [("close-of-business", "cron[hour='1', minute='15']")]
    assert result.stdout.splitlines() == [
        "closing each business day at 01:15 Asia/Shanghai; Ctrl-C stops",
        "scheduler stopped",
    ]


def test_scheduler_status_says_when_no_day_was_closed(riskledger):
    assert riskledger.ok("scheduler status").stdout.strip() == "no business day closed yet"
