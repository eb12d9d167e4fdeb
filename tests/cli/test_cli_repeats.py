"""A default or write-off sent twice at the command line (R14): the same again prints
`already` and stores nothing; other content is refused naming the field, exit 2."""

from __future__ import annotations

REFUSED = 2
DEFAULT = "loan default --bank ICBC-SZ --loan L001 --reason 逾期90天 --date 2024-11-01"
WRITE_OFF = "loan write-off --bank ICBC-SZ --loan L001 --reason 代偿结清后核销 --date 2025-01-10"


def _refused(riskledger, command: str, field: str) -> str:
    count = riskledger.event_count()
    result = riskledger(command)
    assert result.exit_code == REFUSED, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    assert riskledger.event_count() == count
    return line


def test_the_same_default_again_stores_nothing(recovered_programme):
    count = recovered_programme.event_count()
    again = recovered_programme.ok(DEFAULT)
    assert again.stdout == "loan ICBC-SZ/L001 already in default from 2024-11-01\n"
    assert recovered_programme.event_count() == count


def test_a_default_on_the_same_day_for_another_reason_is_a_conflict(recovered_programme):
    line = _refused(recovered_programme, DEFAULT.replace("逾期90天", "欺诈"), "reason")
    assert "defaulted on 2024-11-01 because '逾期90天', not '欺诈'" in line


def test_a_write_off_on_another_day_or_for_another_reason_is_a_conflict(recovered_programme):
    recovered_programme.ok(WRITE_OFF)
    _refused(recovered_programme, WRITE_OFF.replace("2025-01-10", "2025-01-11"), "date")
    _refused(recovered_programme, WRITE_OFF.replace("代偿结清后核销", "另一原因"), "reason")
