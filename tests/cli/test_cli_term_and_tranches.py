"""At the command line: a term beyond 30 years and a tranche on or after maturity are refused
with one line naming the field, exit 2, nothing stored; tranches before maturity are taken."""

from __future__ import annotations

REFUSED = 2
# A product that sets no maximum term: only the ledger's own 360 months bound its loans.
NO_MAX_TERM = """\
code = "OPEN"
name = "不限期贷"
structure = "direct"
effective_from = 2024-01-01

[shares]
bank = 10000
"""
REGISTER_L001 = (
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01"
)


def _refused(riskledger, command: str, field: str) -> str:
    count = riskledger.event_count()
    result = riskledger(command)
    assert result.exit_code == REFUSED, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    assert riskledger.event_count() == count
    return line


def test_a_term_beyond_360_months_is_refused_even_without_a_product_maximum(programme, tmp_path):
    terms = tmp_path / "open.toml"
    terms.write_text(NO_MAX_TERM, encoding="utf-8")
    programme.ok(f"product define --file {terms}")
    register = (
        "loan register --bank ICBC-SZ --loan LX --uscc 91320505MA1ABCDE09 --product OPEN "
        "--principal 100万 --rate 3.85% --start 2024-02-01 --term "
    )

    line = _refused(programme, register + "100000", "term")

    assert "100000 months is longer than the 360 a loan may run" in line
    programme.ok(register + "360")


def test_tranches_are_taken_until_the_day_before_maturity(programme):
    programme.ok(REGISTER_L001)
    programme.ok(
        "loan disburse --bank ICBC-SZ --loan L001 --amount 100万 --ref D1 --date 2024-02-01"
    )
    programme.ok(
        "loan disburse --bank ICBC-SZ --loan L001 --amount 100万 --ref D2 --date 2024-06-01"
    )

    line = _refused(
        programme,
        "loan disburse --bank ICBC-SZ --loan L001 --amount 100万 --ref D3 --date 2025-02-01",
        "date",
    )

    assert "2025-02-01 is on or after the loan's maturity 2025-02-01" in line
    programme.ok(
        "loan disburse --bank ICBC-SZ --loan L001 --amount 100万 --ref D3 --date 2025-01-31"
    )
