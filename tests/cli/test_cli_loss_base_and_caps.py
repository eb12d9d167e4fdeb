"""Product terms at the command line: a product covering interest claims it in the loss base
(R7); a cap's residual party without a share is refused naming its key (R8)."""

from __future__ import annotations

REFUSED = 2
COVERS_INTEREST = """\
code = "SKDI"
name = "苏科贷（含息）"
structure = "direct"
effective_from = 2024-01-01
covers_interest = true

[shares]
"pool.city" = 7000
bank = 3000
"""
RESIDUAL_WITHOUT_SHARE = """\
code = "SKDR"
name = "苏科贷（再担保兜底）"
structure = "direct"
effective_from = 2024-01-01

[shares]
"pool.city" = 7000
bank = 3000

[caps]
per_claim = "100万"
residual_party = "reguarantor"
"""
# 120万 at 4% from 31 January, nothing paid; in default on 15 May with the interest of
# February (3,866.67), March (4,133.33) and April (4,000.00) due and unpaid.
LOAN_IN_DEFAULT = (
    "pool open SZ-I --name 苏州市含息池 --owner SZ-CZJ --level city --product SKDI",
    "pool fund SZ-I 5000万 --funder SZ-CZJ --ref SZI-1 --date 2024-01-05",
    "loan register --bank ICBC-SZ --loan LI --uscc 91320505MA1ABCDE09 --product SKDI "
    "--principal 120万 --rate 4% --term 12 --start 2024-01-31",
    "loan disburse --bank ICBC-SZ --loan LI --amount 120万 --ref DI --date 2024-01-31",
    "loan default --bank ICBC-SZ --loan LI --reason 破产 --date 2024-05-15",
    "claim file --bank ICBC-SZ --loan LI --date 2024-05-20",
)


def _define(riskledger, tmp_path, text: str):
    terms = tmp_path / "terms.toml"
    terms.write_text(text, encoding="utf-8")
    return riskledger(f"product define --file {terms}")


def test_a_claim_under_a_product_covering_interest_takes_the_unpaid_interest(programme, tmp_path):
    assert _define(programme, tmp_path, COVERS_INTEREST).exit_code == 0
    programme.run_all(list(LOAN_IN_DEFAULT))
    count = programme.event_count()

    beyond = programme(
        "claim approve --bank ICBC-SZ --loan LI --amount 1,212,000.01 --date 2024-06-01"
    )
    assert beyond.exit_code == REFUSED
    assert beyond.output.startswith(
        "error: amount: 1,212,000.01 exceeds the loss base 1,212,000.00"
    )
    assert programme.event_count() == count

    approved = programme.ok("claim approve --bank ICBC-SZ --loan LI --date 2024-06-01")
    assert approved.stdout.splitlines() == [
        "claim on ICBC-SZ/LI approved: 1,212,000.00",
        "burdens: pool.city 848,400.00, bank 363,600.00",
    ]


def test_a_residual_party_without_a_share_is_refused_naming_the_key(programme, tmp_path):
    count = programme.event_count()
    result = _define(programme, tmp_path, RESIDUAL_WITHOUT_SHARE)
    assert result.exit_code == REFUSED
    (line,) = result.output.splitlines()
    assert line.startswith("error: caps.residual_party: 'reguarantor' has no share in shares")
    assert programme.event_count() == count
