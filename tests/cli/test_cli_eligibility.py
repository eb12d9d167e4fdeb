"""R1 and R2 at the command line: qualifications, blacklist, the LPR history."""

from __future__ import annotations

USCC = "91320505MA1ABCDE09"


def _refused(result, field: str) -> str:
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    return line


def test_an_lpr_fixing_is_recorded_once_and_never_changed(programme):
    assert programme.ok("lpr set 2024-01-22 3.45%").stdout == "1-year LPR from 2024-01-22: 3.45%\n"
    count = programme.event_count()
    again = programme.ok("lpr set 2024-01-22 3.45%")
    assert "already set" in again.stdout
    line = _refused(programme("lpr set 2024-01-22 3.50%"), "date")
    assert "(R2)" in line
    assert programme.event_count() == count


def test_qualifications_and_the_blacklist_are_recorded_with_their_dates(programme):
    granted = programme.ok(
        f"enterprise qualify {USCC} --qualification 高新技术企业 --from 2023-01-01 --to 2025-12-31"
    )
    assert granted.stdout == f"{USCC} holds 高新技术企业 (2023-01-01 to 2025-12-31)\n"
    listed = programme.ok(f"enterprise blacklist {USCC} --reason 失信被执行人 --date 2024-03-01")
    assert listed.stdout == f"{USCC} blacklisted from 2024-03-01: 失信被执行人\n"
    count = programme.event_count()
    _refused(programme(f"enterprise blacklist {USCC} --reason again --date 2024-04-01"), "uscc")
    assert programme.event_count() == count
    assert programme.ok(f"enterprise clear {USCC} --date 2024-06-01").stdout == (
        f"{USCC} cleared from 2024-06-01\n"
    )
    revoked = programme.ok(
        f"enterprise revoke {USCC} --qualification 高新技术企业 --date 2025-01-01"
    )
    assert revoked.stdout == f"{USCC} no longer holds 高新技术企业 from 2025-01-01\n"


def test_a_blacklisted_borrower_is_refused_with_nothing_written(programme):
    programme.ok(f"enterprise blacklist {USCC} --reason 失信被执行人 --date 2024-01-10")
    count = programme.event_count()
    line = _refused(
        programme(
            f"loan register --bank ICBC-SZ --loan L9 --uscc {USCC} --product SKD "
            "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01"
        ),
        "uscc",
    )
    assert "blacklisted" in line and "(R1)" in line
    assert programme.event_count() == count


def test_qualifying_an_unknown_enterprise_or_with_a_bad_date_is_refused(programme):
    count = programme.event_count()
    _refused(
        programme("enterprise qualify 91320505MA1ABCDE09 --qualification 高新 --from 2023-13-01"),
        "from",
    )
    _refused(
        programme("enterprise qualify 91350100MA2XXXXX0X --qualification 高新 --from 2023-01-01"),
        "uscc",
    )
    assert programme.event_count() == count
