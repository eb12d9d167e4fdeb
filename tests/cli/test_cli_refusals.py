"""Bad input at the command line: refused with exit code 2 and one line naming the field.

Every case starts from the manual session's programme, brings the ledger to the state the
case needs through the CLI, then gives one bad command. Whatever the command, the user
sees exactly `error: FIELD: REASON` on stderr, never a traceback, and the ledger stores no
event at all.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from backends import BACKENDS

FUND_MANAGER = "SZ-KJJ"
REFUSED = 2

REGISTER_L001 = (
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01 --first-loan"
)
LOAN_REGISTERED = (REGISTER_L001,)
LOAN_DISBURSED = (
    *LOAN_REGISTERED,
    "loan disburse --bank ICBC-SZ --loan L001 --amount 300万 --ref D1 --date 2024-02-01",
)
LOAN_IN_DEFAULT = (
    *LOAN_DISBURSED,
    "loan repay --bank ICBC-SZ --loan L001 --principal 100万 --interest 28,875.00 --ref R1 "
    "--date 2024-05-01",
    "loan default --bank ICBC-SZ --loan L001 --reason 逾期90天 --date 2024-11-01",
)
CLAIM_FILED = (*LOAN_IN_DEFAULT, "claim file --bank ICBC-SZ --loan L001 --date 2024-11-10")
CLAIM_PAID = (
    *CLAIM_FILED,
    "claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20",
    "claim pay --bank ICBC-SZ --loan L001 --date 2024-12-01",
)

# 小池贷: shares like 苏科贷's, but its city pool holds only 1万 against a 105万 leg, which
# waits in the pool's queue (R10); naming that leg again must store nothing.
SMALL_POOL_TERMS = """\
code = "TINY"
name = "小池贷"
structure = "direct"
effective_from = 2024-01-01

[shares]
"pool.province" = 3500
"pool.city" = 3500
bank = 3000
"""
SMALL_CITY_POOL_CLAIM_APPROVED = (
    "product define --file {terms}/small_pool.toml",
    "pool open JS-TINY --name 省小池 --owner JS-CZT --level province --product TINY",
    "pool open SZ-TINY --name 市小池 --owner SZ-CZJ --level city --product TINY",
    "pool fund JS-TINY 5000万 --funder JS-CZT --ref JT-1 --date 2024-01-05",
    "pool fund SZ-TINY 1万 --funder SZ-CZJ --ref ST-1 --date 2024-01-05",
    "loan register --bank ICBC-SZ --loan T1 --uscc 91320505MA1ABCDE09 --product TINY "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01",
    "loan disburse --bank ICBC-SZ --loan T1 --amount 300万 --ref TD1 --date 2024-02-01",
    "loan default --bank ICBC-SZ --loan T1 --reason 破产 --date 2024-11-01",
    "claim file --bank ICBC-SZ --loan T1 --date 2024-11-10",
    "claim approve --bank ICBC-SZ --loan T1 --date 2024-11-20",
)

# Shares that sum to 9,000 bps, not 10,000.
SHARES_SHORT_TERMS = """\
code = "SHORT"
name = "少份额贷"
structure = "direct"
effective_from = 2024-01-01

[shares]
"pool.province" = 3000
"pool.city" = 3000
bank = 3000
"""


@dataclass(frozen=True)
class Refusal:
    """A bad command, the field its error must name, and the CLI steps that come before it."""

    command: str
    field: str
    given: tuple[str, ...] = ()
    acting_as: str | None = FUND_MANAGER


BAD_AMOUNTS = ["0", "-5", "1e5", "abc", "1.234"]

AMOUNT_CASES = (
    [
        pytest.param(
            Refusal(
                f"loan disburse --bank ICBC-SZ --loan L001 --amount {text} --ref D1 "
                "--date 2024-02-01",
                "amount",
                LOAN_REGISTERED,
            ),
            id=f"disburse-amount-{text}",
        )
        for text in BAD_AMOUNTS
    ]
    + [
        pytest.param(
            # `--` lets a positional amount start with a minus sign, as a shell user would type it.
            Refusal(
                f"pool fund JS-POOL --funder JS-CZT --ref JS-2024-02 --date 2024-02-01 -- {text}",
                "amount",
            ),
            id=f"pool-fund-amount-{text}",
        )
        for text in BAD_AMOUNTS
    ]
    + [
        pytest.param(
            Refusal(
                "loan register --bank ICBC-SZ --loan L002 --uscc 91320505MA1ABCDE09 --product SKD "
                f"--principal {text} --rate 3.85% --term 12 --start 2024-02-01",
                "principal",
            ),
            id=f"register-principal-{text}",
        )
        for text in BAD_AMOUNTS
    ]
)

CASES = [
    pytest.param(
        Refusal("enterprise add 91320505MA1ABCDE08 --name 苏州另一家科技有限公司", "uscc"),
        id="uscc-wrong-check-character",
    ),
    pytest.param(
        Refusal("enterprise add 91320505MA1ABCDE0 --name 苏州另一家科技有限公司", "uscc"),
        id="uscc-wrong-length",
    ),
    pytest.param(
        Refusal(REGISTER_L001.replace("MA1ABCDE09", "MA1ABCDE08"), "uscc"),
        id="loan-uscc-wrong-check-character",
    ),
    *AMOUNT_CASES,
    pytest.param(
        Refusal(REGISTER_L001.replace("--product SKD", "--product NOPE"), "product"),
        id="unknown-product",
    ),
    pytest.param(
        Refusal(
            "loan disburse --bank NO-BANK --loan L001 --amount 300万 --ref D1 --date 2024-02-01",
            "bank",
            LOAN_REGISTERED,
        ),
        id="unknown-bank",
    ),
    pytest.param(
        Refusal(
            "loan disburse --bank ICBC-SZ --loan L999 --amount 300万 --ref D1 --date 2024-02-01",
            "loan",
            LOAN_REGISTERED,
        ),
        id="unknown-loan",
    ),
    pytest.param(
        Refusal(
            "pool fund NO-POOL 1万 --funder JS-CZT --ref NP-1 --date 2024-02-01",
            "pool",
        ),
        id="unknown-pool",
    ),
    pytest.param(
        Refusal(
            "loan repay --bank ICBC-SZ --loan L001 --principal 3,000,000.01 --ref R1 "
            "--date 2024-05-01",
            "principal",
            LOAN_DISBURSED,
        ),
        id="repaying-more-than-outstanding",
    ),
    pytest.param(
        Refusal("claim file --bank ICBC-SZ --loan L001 --date 2024-11-10", "loan", LOAN_DISBURSED),
        id="claim-on-a-loan-not-in-default",
    ),
    pytest.param(
        Refusal(
            "claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20", "loan", LOAN_IN_DEFAULT
        ),
        id="approving-with-no-claim",
    ),
    pytest.param(
        Refusal("claim pay --bank ICBC-SZ --loan L001 --date 2024-12-01", "claim", CLAIM_FILED),
        id="paying-legs-of-an-unapproved-claim",
    ),
    pytest.param(
        Refusal(
            "claim pay --bank ICBC-SZ --loan L001 --party pool.city --date 2024-12-01",
            "claim",
            CLAIM_FILED,
        ),
        id="paying-one-leg-of-an-unapproved-claim",
    ),
    pytest.param(
        Refusal(
            "claim pay --bank ICBC-SZ --loan T1 --party pool.city --date 2024-12-02",
            "party",
            (
                *SMALL_CITY_POOL_CLAIM_APPROVED,
                "claim pay --bank ICBC-SZ --loan T1 --date 2024-12-01",
            ),
        ),
        id="naming-a-pool-leg-that-waits-in-the-queue",
    ),
    pytest.param(
        Refusal(
            "claim recover --bank ICBC-SZ --loan L001 --amount 2,000,000.01 --ref REC-1 "
            "--date 2025-03-01",
            "amount",
            CLAIM_PAID,
        ),
        id="recovery-beyond-the-loss",
    ),
    pytest.param(
        Refusal(
            "loan disburse --bank ICBC-SZ --loan L001 --amount 300万 --ref D1 --date 2024-13-01",
            "date",
            LOAN_REGISTERED,
        ),
        id="bad-date",
    ),
    pytest.param(
        Refusal(REGISTER_L001.replace("2024-02-01", "2024-13-01"), "start"),
        id="bad-start-date",
    ),
    pytest.param(
        Refusal(REGISTER_L001.replace("3.85%", "abc"), "rate"),
        id="bad-rate",
    ),
    pytest.param(
        Refusal(
            "pool fund JS-POOL 1万 --funder JS-CZT --ref JS-2024-02 --date 2024-02-01",
            "--as",
            acting_as=None,
        ),
        id="manager-command-without-as",
    ),
    pytest.param(
        Refusal(
            "claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20",
            "--as",
            CLAIM_FILED,
            acting_as="ICBC-SZ",
        ),
        id="bank-acting-as-fund-manager",
    ),
    pytest.param(
        Refusal("product define --file {terms}/shares_short.toml", "shares"),
        id="terms-shares-summing-to-9000",
    ),
    pytest.param(
        Refusal("product define --file {terms}/no_such_terms.toml", "file"),
        id="missing-terms-file",
    ),
]


@pytest.fixture
def terms_dir(tmp_path: Path) -> Path:
    """A folder of product terms files the cases refer to as {terms}."""
    folder = tmp_path / "terms"
    folder.mkdir()
    (folder / "small_pool.toml").write_text(SMALL_POOL_TERMS, encoding="utf-8")
    (folder / "shares_short.toml").write_text(SHARES_SHORT_TERMS, encoding="utf-8")
    return folder


# Every case runs on SQLite; on PostgreSQL, a sample with one case from each layer that can
# refuse: reading the input, finding what it names, the rules, the roles, a terms file.
ON_POSTGRES = {
    "uscc-wrong-check-character",
    "disburse-amount-abc",
    "unknown-loan",
    "repaying-more-than-outstanding",
    "claim-on-a-loan-not-in-default",
    "paying-legs-of-an-unapproved-claim",
    "naming-a-pool-leg-that-waits-in-the-queue",
    "recovery-beyond-the-loss",
    "bank-acting-as-fund-manager",
    "terms-shares-summing-to-9000",
}


def _on_each_store(cases):
    assert {case.id for case in cases} >= ON_POSTGRES, "ON_POSTGRES names a case that is gone"
    return [
        pytest.param(
            backend,
            *case.values,
            id=f"{backend}-{case.id}",
            marks=[*case.marks, *([pytest.mark.postgres] if backend == "postgres" else [])],
        )
        for case in cases
        for backend in BACKENDS
        if backend == "sqlite" or case.id in ON_POSTGRES
    ]


@pytest.fixture
def store(db_url: str) -> str:
    return db_url


@pytest.mark.parametrize(("backend", "refusal"), _on_each_store(CASES), indirect=["backend"])
def test_bad_input_is_refused_with_exit_2_one_error_line_naming_the_field_and_no_event(
    programme, terms_dir, refusal
):
    def typed(command: str) -> str:
        return command.format(terms=shlex.quote(str(terms_dir)))

    programme.run_all([typed(step) for step in refusal.given])
    before = programme.event_count()

    result = programme(typed(refusal.command), acting_as=refusal.acting_as)

    assert result.exit_code == REFUSED, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == "", "a refusal prints nothing on stdout"
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {refusal.field}: "), lines[0]
    assert programme.event_count() == before
