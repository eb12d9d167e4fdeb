"""R14 at the command line: a bank's loan reference names one loan, whatever is retyped."""

from __future__ import annotations

import pytest

REGISTER = (
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal {principal} --rate 3.85% --term 12 --start 2024-02-01 --first-loan"
)


@pytest.fixture
def store(db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return db_url


def test_registering_the_same_bank_reference_twice_is_a_no_op_that_says_already_registered(
    programme,
):
    first = programme.ok(REGISTER.format(principal="300万"))
    assert first.stdout == "loan ICBC-SZ/L001 registered: 3,000,000.00 under SKD\n"
    after_first = programme.event_count()

    again = programme.ok(REGISTER.format(principal="300万"))

    assert again.stdout == "loan ICBC-SZ/L001 already registered: 3,000,000.00 under SKD\n"
    assert programme.event_count() == after_first


def test_same_bank_reference_with_a_different_principal_is_refused_naming_principal(programme):
    programme.ok(REGISTER.format(principal="300万"))
    after_first = programme.event_count()

    conflicting = programme(REGISTER.format(principal="200万"))

    assert conflicting.exit_code == 2
    assert conflicting.stdout == ""
    (line,) = conflicting.output.splitlines()
    assert line.startswith("error: principal: "), line  # the term that differs, by name
    assert "L001" in line
    assert "Traceback" not in conflicting.output
    assert programme.event_count() == after_first


def test_repeating_a_pool_contribution_reference_records_the_money_once(programme):
    before = programme.event_count()

    again = programme.ok(
        "pool fund JS-POOL 5000万 --funder JS-CZT --ref JS-2024-01 --date 2024-01-05"
    )

    assert again.stdout == "pool JS-POOL already had contribution 50,000,000.00 (JS-2024-01)\n"
    assert programme.event_count() == before
