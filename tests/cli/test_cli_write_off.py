"""`loan write-off`: a defaulted loan leaves the outstanding figures, once."""

from __future__ import annotations

import json

WRITE_OFF = "loan write-off --bank ICBC-SZ --loan L001 --reason 代偿结清后核销 --date 2025-01-10"


def _skd(riskledger) -> dict:
    (row,) = json.loads(riskledger.ok("report products --format json").stdout)
    return row


def test_writing_off_a_compensated_loan_takes_it_off_the_outstanding(recovered_programme):
    before = _skd(recovered_programme)
    done = recovered_programme.ok(WRITE_OFF)
    assert done.stdout == "loan ICBC-SZ/L001 written off: 2,000,000.00\n"
    after = _skd(recovered_programme)
    assert after["outstanding_fen"] == before["outstanding_fen"] - 200_000_000
    assert after["written_off_fen"] == 200_000_000
    assert after["defaulted_fen"] == before["defaulted_fen"]  # what defaulted stays on record
    count = recovered_programme.event_count()
    again = recovered_programme.ok(WRITE_OFF)
    assert again.stdout == "loan ICBC-SZ/L001 already written off: 2,000,000.00\n"
    assert recovered_programme.event_count() == count


def test_a_loan_not_in_default_cannot_be_written_off(programme):
    programme.ok(
        "loan register --bank ICBC-SZ --loan L7 --uscc 91320505MA1ABCDE09 --product SKD "
        "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01"
    )
    count = programme.event_count()
    refused = programme("loan write-off --bank ICBC-SZ --loan L7 --reason x --date 2024-03-01")
    assert refused.exit_code == 2
    (line,) = refused.output.splitlines()
    assert line.startswith("error: loan: a registered loan cannot be written off")
    assert programme.event_count() == count
