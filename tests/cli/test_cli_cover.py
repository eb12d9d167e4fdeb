"""`riskledger guarantee` and `riskledger policy`, typed as a guarantor's and an insurer's clerk.

The programme runs 科创贷 and 科技保 from the example terms files: a guaranteed loan goes
from its guarantee to the guarantor's reimbursement, an insured loan from its policy to
the insurer's leg. Every refusal is one line naming the field, exit code 2, no event.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

REFUSED = 2
FUND_MANAGER = "SZ-KJJ"
OPERATOR = "pytest-clerk"
# The settings variables of the shell that started pytest must not reach the set-up.
UNSET = dict.fromkeys(("RISKLEDGER_DB", "RISKLEDGER_AS", "RISKLEDGER_OPERATOR", "RISKLEDGER_DEBUG"))
PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"

COVER_PROGRAMME: list[str] = [
    "institution add SZ-KJJ --kind operator --name 苏州市科学技术局 --region 苏州",
    "institution add KS-CZJ --kind pool_owner --name 昆山市财政局 --level county",
    "institution add ICBC-SZ --kind bank --name 工商银行苏州分行",
    "institution add JSDB --kind guarantor --name 江苏省信用融资担保",
    "institution add JSZDB --kind reguarantor --name 江苏省再担保",
    "institution add OTHER-DB --kind guarantor --name 另一家担保公司",
    "institution add PICC-SZ --kind insurer --name 人保财险苏州分公司",
    f"product define --file {PRODUCTS / 'kechuangdai.toml'}",
    f"product define --file {PRODUCTS / 'kejibao.toml'}",
    "pool open KS-POOL --name 昆山县级池 --owner KS-CZJ --level county --product KCD",
    "pool fund KS-POOL 500万 --funder KS-CZJ --ref KS-2024-01 --date 2024-01-05",
    "enterprise add 91320505MA1ABCDE09 --name 苏州某某科技有限公司",
    "loan register --bank ICBC-SZ --loan K1 --uscc 91320505MA1ABCDE09 --product KCD "
    "--principal 500万 --rate 4% --term 24 --start 2024-02-01",
    "loan disburse --bank ICBC-SZ --loan K1 --amount 500万 --ref KD1 --date 2024-02-01",
    "loan register --bank ICBC-SZ --loan B1 --uscc 91320505MA1ABCDE09 --product KJB "
    "--principal 300万 --rate 4% --term 12 --start 2024-03-01",
    "loan disburse --bank ICBC-SZ --loan B1 --amount 300万 --ref BD1 --date 2024-03-01",
]

ISSUE_K1 = (
    "guarantee issue --guarantor JSDB --bank ICBC-SZ --loan K1 --coverage 80% --fee-rate 1% "
    "--reguarantor JSZDB --reguarantee-fee 0.5% --ref DB-001 --date 2024-02-01"
)
K1_IN_DEFAULT = [
    ISSUE_K1,
    "loan repay --bank ICBC-SZ --loan K1 --principal 100万 --ref KR1 --date 2024-08-01",
    "loan default --bank ICBC-SZ --loan K1 --reason 逾期90天 --date 2024-12-01",
]
INSURE_B1 = (
    "policy issue --insurer PICC-SZ --bank ICBC-SZ --loan B1 --coverage 70% --premium-rate 2.5% "
    "--ref P-001 --date 2024-03-01"
)
B1_IN_DEFAULT = [
    INSURE_B1,
    "loan default --bank ICBC-SZ --loan B1 --reason 破产 --date 2024-10-01",
]

GUARANTEED_LOAN: list[tuple[str, str]] = [
    (
        ISSUE_K1,
        "guarantee DB-001 on ICBC-SZ/K1 by JSDB: covers 80.00% (4,000,000.00), fee 1.00% a year; "
        "re-guaranteed by JSZDB at 0.50% a year issued",
    ),
    (
        "guarantee fee --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 4万 --ref F1 "
        "--date 2024-02-01",
        "guarantee fee 40,000.00 recorded on ICBC-SZ/K1 (F1); "
        "guarantee fees 40,000.00 of 80,000.00 allowed",
    ),
    (
        "guarantee fee --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 2万 --ref RF1 "
        "--reguarantee --date 2024-02-01",
        "re-guarantee fee 20,000.00 recorded on ICBC-SZ/K1 (RF1); "
        "re-guarantee fees 20,000.00 of 40,000.00 allowed",
    ),
    (
        K1_IN_DEFAULT[1],
        "loan ICBC-SZ/K1: repaid principal 1,000,000.00, interest 0.00; outstanding 4,000,000.00",
    ),
    (K1_IN_DEFAULT[2], "loan ICBC-SZ/K1 in default from 2024-12-01"),
    (
        "guarantee payout --guarantor JSDB --bank ICBC-SZ --loan K1 --ref DC1 --date 2024-12-05",
        "代偿 on ICBC-SZ/K1 paid 3,200,000.00 to ICBC-SZ (DC1)",
    ),
    (
        "claim file --guarantor JSDB --bank ICBC-SZ --loan K1 --date 2024-12-10",
        "claim K1/claim on ICBC-SZ/K1 filed by JSDB",
    ),
]
APPROVE_K1 = "claim approve --bank ICBC-SZ --loan K1 --date 2024-12-20"
PAY_K1 = (
    "claim pay --bank ICBC-SZ --loan K1 --date 2024-12-25",
    "legs paid on ICBC-SZ/K1: reguarantor 1,200,000.00, pool.county 400,000.00",
)

INSURED_LOAN: list[tuple[str, str]] = [
    (
        INSURE_B1,
        "policy P-001 on ICBC-SZ/B1 by PICC-SZ: covers 70.00% (2,100,000.00), premium 2.50% a "
        "year issued",
    ),
    (
        "policy premium --insurer PICC-SZ --bank ICBC-SZ --loan B1 --amount 52500 --ref PR1 "
        "--date 2024-03-01",
        "premium 52,500.00 recorded on ICBC-SZ/B1 (PR1); premiums 52,500.00 of 52,500.00 allowed",
    ),
    (B1_IN_DEFAULT[1], "loan ICBC-SZ/B1 in default from 2024-10-01"),
    ("claim file --bank ICBC-SZ --loan B1 --date 2024-10-10", "claim B1/claim on ICBC-SZ/B1 filed"),
    (
        "claim approve --bank ICBC-SZ --loan B1 --date 2024-10-20",
        "burdens: insurer 2,100,000.00, bank 900,000.00",
    ),
    (
        "policy pay --insurer PICC-SZ --bank ICBC-SZ --loan B1 --date 2024-10-25",
        "insurer's leg on ICBC-SZ/B1 paid: 2,100,000.00 to ICBC-SZ",
    ),
]


@pytest.fixture(scope="module")
def cover_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger set up once by the programme's commands, copied afresh for each test."""
    db = tmp_path_factory.mktemp("cover") / "template.db"
    runner = CliRunner()
    for command in COVER_PROGRAMME:
        argv = ["--db", str(db), "--operator", OPERATOR, "--as", FUND_MANAGER]
        result = runner.invoke(app, [*argv, *shlex.split(command)], env=UNSET)
        assert result.exit_code == 0, f"`riskledger {command}`: {result.output}"
    return db


@pytest.fixture
def cover_programme(riskledger, cover_template: Path):
    """The command line on a ledger running 科创贷 and 科技保, with one loan under each."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{cover_template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{riskledger.db_path}{suffix}")
    return riskledger


def test_a_guaranteed_loan_from_its_guarantee_to_the_guarantors_reimbursement(cover_programme):
    cover_programme.run_all(GUARANTEED_LOAN)
    assert cover_programme.ok(APPROVE_K1).stdout.splitlines() == [
        "claim on ICBC-SZ/K1 approved: 4,000,000.00",
        "burdens: guarantor 1,600,000.00, reguarantor 1,200,000.00, bank 800,000.00, "
        "pool.county 400,000.00",
        "paid by the 代偿 already made: guarantor 3,200,000.00 to ICBC-SZ",
    ]
    cover_programme.run_all([PAY_K1])

    shown = cover_programme.ok("guarantee show --guarantor JSDB --bank ICBC-SZ --loan K1")
    assert shown.stdout.splitlines()[1:] == [
        "state: paid_out",
        "fees: 40,000.00 of 80,000.00 allowed",
        "re-guarantee fees: 20,000.00 of 40,000.00 allowed",
        "代偿: 3,200,000.00 on 2024-12-05 (DC1)",
        "reimbursed: 1,600,000.00 (reguarantor 1,200,000.00, pool.county 400,000.00)",
    ]
    pools = json.loads(cover_programme.ok("report pools --format json").stdout)
    assert [(p["pool"], p["paid_out_fen"], p["available_fen"]) for p in pools] == [
        ("KS-POOL", 400_000_00, 4_600_000_00)
    ]


def test_an_insured_loan_from_its_policy_to_the_insurers_leg(cover_programme):
    cover_programme.run_all(INSURED_LOAN)

    shown = cover_programme.ok("policy show --insurer PICC-SZ --bank ICBC-SZ --loan B1")
    assert shown.stdout.splitlines()[1:] == [
        "state: in_force",
        "premiums: 52,500.00 of 52,500.00 allowed",
        "claims paid: 2,100,000.00",
    ]


def test_repeated_commands_are_no_ops_that_say_so(cover_programme):
    cover_programme.run_all([step for step, _ in GUARANTEED_LOAN[:6]])
    before = cover_programme.event_count()

    repeats = {
        ISSUE_K1: "already issued",
        "guarantee fee --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 4万 --ref F1 "
        "--date 2024-02-01": "already recorded on ICBC-SZ/K1 (F1)",
        "guarantee payout --guarantor JSDB --bank ICBC-SZ --loan K1 --ref DC1 "
        "--date 2024-12-05": "代偿 on ICBC-SZ/K1 already recorded: 3,200,000.00 to ICBC-SZ (DC1)",
    }
    for command, words in repeats.items():
        assert words in cover_programme.ok(command).stdout
    assert cover_programme.event_count() == before


def test_releasing_the_guarantee_of_a_paid_off_loan(cover_programme):
    cover_programme.run_all(
        [
            ISSUE_K1,
            "loan repay --bank ICBC-SZ --loan K1 --principal 500万 --ref KR1 --date 2025-02-01",
        ]
    )
    released = "guarantee release --guarantor JSDB --bank ICBC-SZ --loan K1 --date 2025-02-01"
    assert cover_programme.ok(released).stdout == "guarantee on ICBC-SZ/K1 released\n"
    assert cover_programme.ok(released).stdout == "guarantee on ICBC-SZ/K1 already released\n"


REFUSALS = [
    pytest.param(
        [],
        ISSUE_K1.replace("--coverage 80%", "--coverage 70%"),
        "error: coverage: 70.00% is outside KCD's bounds 80.00% to 100.00% (R16)",
        id="coverage-below-the-bounds",
    ),
    pytest.param(
        [],
        ISSUE_K1.replace("--fee-rate 1%", "--fee-rate 1.2%"),
        "error: fee_rate: a guarantee fee rate of 1.20% exceeds KCD's cap of 1.00% a year (R17)",
        id="guarantee-fee-above-the-cap",
    ),
    pytest.param(
        [],
        ISSUE_K1.replace("--reguarantee-fee 0.5%", "--reguarantee-fee 0.6%"),
        "error: reguarantee_fee: a re-guarantee fee rate of 0.60% exceeds KCD's cap of "
        "0.50% a year (R17)",
        id="reguarantee-fee-above-the-cap",
    ),
    pytest.param(
        [],
        ISSUE_K1.replace("--loan K1", "--loan B1"),
        "error: loan: B1 is under KJB (insured); only loans of guaranteed products take a "
        "guarantee (R9)",
        id="guarantee-on-an-insured-loan",
    ),
    pytest.param(
        [ISSUE_K1],
        "guarantee fee --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 80,000.01 --ref F1 "
        "--date 2024-02-01",
        "error: amount: guarantee fees would total 80,000.01, more than the 80,000.00 that "
        "1.00% a year on the covered 4,000,000.00 allows over 24 months (R17)",
        id="fees-beyond-the-rate",
    ),
    pytest.param(
        [ISSUE_K1],
        "guarantee fee --guarantor OTHER-DB --bank ICBC-SZ --loan K1 --amount 1万 --ref F1",
        "error: guarantor: ICBC-SZ loan K1 is guaranteed by JSDB, not OTHER-DB (roles)",
        id="another-guarantors-guarantee",
    ),
    pytest.param(
        K1_IN_DEFAULT,
        "claim file --bank ICBC-SZ --loan K1 --date 2024-12-10",
        "error: guarantor: KCD is guaranteed: its guarantor files, after its 代偿 (R7)",
        id="the-bank-files-a-guaranteed-claim",
    ),
    pytest.param(
        K1_IN_DEFAULT,
        "claim file --guarantor JSDB --bank ICBC-SZ --loan K1 --date 2024-12-10",
        "error: guarantor: JSDB files a claim on K1 only after its 代偿 to the bank (R7)",
        id="the-guarantor-files-before-its-payout",
    ),
    pytest.param(
        K1_IN_DEFAULT,
        "guarantee payout --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 3,200,000.01 "
        "--ref DC1 --date 2024-12-05",
        "error: amount: 3,200,000.01 exceeds the 3,200,000.00 the guarantee covers (80.00% of "
        "the 4,000,000.00 outstanding at default) (R16)",
        id="payout-beyond-the-cover",
    ),
    pytest.param(
        [
            *K1_IN_DEFAULT,
            "guarantee payout --guarantor JSDB --bank ICBC-SZ --loan K1 --amount 300万 --ref DC1 "
            "--date 2024-12-05",
            "claim file --guarantor JSDB --bank ICBC-SZ --loan K1 --date 2024-12-10",
        ],
        "claim approve --bank ICBC-SZ --loan K1 --date 2024-12-20",
        "error: amount: the bank's burden leaves 3,200,000.00 for the guarantor to pay, more "
        "than its 代偿 of 3,000,000.00 (R9)",
        id="approval-beyond-the-payout",
    ),
    pytest.param(
        [],
        INSURE_B1.replace("--premium-rate 2.5%", "--premium-rate 3%"),
        "error: premium_rate: a premium rate of 3.00% exceeds KJB's cap of 2.70% a year (R17)",
        id="premium-above-the-cap",
    ),
    pytest.param(
        B1_IN_DEFAULT,
        "policy lapse --insurer PICC-SZ --bank ICBC-SZ --loan B1 --reason 保费未缴 "
        "--date 2024-10-02",
        "error: loan: B1 is in default; the policy must answer the loss it insures (lifecycle)",
        id="lapse-after-the-default",
    ),
    pytest.param(
        [*B1_IN_DEFAULT, "claim file --bank ICBC-SZ --loan B1 --date 2024-10-10"],
        "policy pay --insurer PICC-SZ --bank ICBC-SZ --loan B1 --date 2024-10-25",
        "error: claim: the claim is filed; legs follow approval (R9)",
        id="the-insurer-pays-before-approval",
    ),
    pytest.param(
        [
            *B1_IN_DEFAULT,
            "institution add OTHER-INS --kind insurer --name 另一家保险公司",
            "claim file --bank ICBC-SZ --loan B1 --date 2024-10-10",
            "claim approve --bank ICBC-SZ --loan B1 --date 2024-10-20",
        ],
        "policy pay --insurer OTHER-INS --bank ICBC-SZ --loan B1 --date 2024-10-25",
        "error: insurer: ICBC-SZ loan B1 is insured by PICC-SZ, not OTHER-INS (roles)",
        id="another-insurer-pays-the-leg",
    ),
    pytest.param(
        [INSURE_B1],
        "claim file --guarantor JSDB --bank ICBC-SZ --loan B1 --date 2024-10-10",
        "error: guarantor: KJB is insured: the bank files, not a guarantor (R7)",
        id="a-guarantor-files-an-insured-claim",
    ),
]


@pytest.mark.parametrize(("given", "command", "error"), REFUSALS)
def test_a_refused_command_prints_one_error_line_exits_2_and_writes_nothing(
    cover_programme, given, command, error
):
    cover_programme.run_all(given)
    before = cover_programme.event_count()

    result = cover_programme(command)

    assert result.exit_code == REFUSED, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [error]
    assert cover_programme.event_count() == before


@pytest.mark.parametrize(
    ("sub_app", "commands"),
    [
        ("guarantee", ["issue", "fee", "payout", "release", "show"]),
        ("policy", ["issue", "premium", "pay", "lapse", "show"]),
    ],
)
def test_the_cover_commands_explain_themselves_without_opening_the_ledger(
    riskledger, sub_app, commands
):
    result = riskledger(f"{sub_app} --help")
    assert result.exit_code == 0, result.output
    for command in commands:
        assert command in result.stdout
    assert not riskledger.db_path.exists(), "help opened the ledger"
