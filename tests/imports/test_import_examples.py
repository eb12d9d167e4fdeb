"""The two example books land whole, their totals are the files' own, and CSV and XLSX
give the same ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from import_books import (
    CN_BOOK,
    CN_IMPORT,
    CN_MAPPING,
    EXAMPLES,
    SBA_BOOK,
    SBA_IMPORT,
    read_book,
    sample_generator,
)
from openpyxl import load_workbook

from domain.ids import loan_id
from ledger.app import RiskLedger, Session
from ledger.bulk_import.identity import derived_uscc, is_derived
from ledger.settings import Settings


def _wan_fen(text: str) -> int:
    return int(Decimal(text or "0") * 1_000_000)


def _dollar_cents(text: str) -> int:
    return int(Decimal(text.strip().removeprefix("$").replace(",", "") or "0") * 100)


def _cn_expected(rows: list[dict[str, str]]) -> dict[str, int]:
    """The product report's figures, computed from the export's own columns."""
    disbursed = sum(_wan_fen(r["放款金额(万元)"]) for r in rows)
    repaid = sum(_wan_fen(r["累计已还本金(万元)"]) for r in rows)
    written_off = sum(_wan_fen(r["核销本金(万元)"]) for r in rows if r["贷款状态"] == "核销")
    bad = [r for r in rows if r["贷款状态"] in ("违约", "核销")]
    return {
        "loans": len(rows),
        "enterprises": len({r["统一社会信用代码"] for r in rows}),
        "disbursed_fen": disbursed,
        "repaid_fen": repaid,
        "interest_fen": sum(_wan_fen(r["累计已还利息(万元)"]) for r in rows),
        "written_off_fen": written_off,
        "outstanding_fen": disbursed - repaid - written_off,
        "paid_off_loans": sum(1 for r in rows if r["贷款状态"] == "结清"),
        "defaulted_loans": len(bad),
        "defaulted_fen": sum(
            _wan_fen(r["放款金额(万元)"]) - _wan_fen(r["累计已还本金(万元)"]) for r in bad
        ),
    }


def _pool_money(pools: list[dict[str, object]]) -> list[dict[str, object]]:
    keys = ("pool", "contributed_fen", "paid_out_fen", "recovered_fen", "queued_fen")
    return [{key: pool[key] for key in (*keys, "available_fen")} for pool in pools]


def _sba_expected(rows: list[dict[str, str]]) -> dict[str, int]:
    disbursed = sum(_dollar_cents(r["DisbursementGross"]) for r in rows)
    losses = sum(_dollar_cents(r["ChgOffPrinGr"]) for r in rows if r["MIS_Status"] == "CHGOFF")
    return {
        "loans": len(rows),
        "enterprises": len({(r["Name"], r["State"]) for r in rows}),
        "disbursed_fen": disbursed,
        "repaid_fen": disbursed - losses,
        "interest_fen": 0,
        "written_off_fen": losses,
        "outstanding_fen": 0,
        "paid_off_loans": sum(1 for r in rows if r["MIS_Status"] == "P I F"),
        "defaulted_loans": sum(1 for r in rows if r["MIS_Status"] == "CHGOFF"),
        "defaulted_fen": losses,
    }


def test_the_chinese_bank_export_lands_every_loan_with_totals_from_the_file(cn_ledger, tmp_path):
    pools_before = cn_ledger.report("pools")
    result = cn_ledger(f"import loans {CN_BOOK} {CN_IMPORT} --errors {tmp_path / 'e.csv'}")
    assert result.exit_code == 0, result.output
    assert "imported 60 loans" in result.stdout
    assert "0 already in the ledger, 0 refused" in result.stdout
    assert not (tmp_path / "e.csv").exists()
    (product,) = cn_ledger.report("products")
    expected = _cn_expected(read_book(CN_BOOK))
    assert {key: product[key] for key in expected} == expected
    # The import records loans; it never moves a pool's money.
    assert _pool_money(cn_ledger.report("pools")) == _pool_money(pools_before)


def test_the_sba_layout_lands_as_guaranteed_loans_with_totals_from_the_file(sba_ledger, tmp_path):
    result = sba_ledger(f"import loans {SBA_BOOK} {SBA_IMPORT} --errors {tmp_path / 'e.csv'}")
    assert result.exit_code == 0, result.output
    assert "imported 80 loans" in result.stdout
    (product,) = sba_ledger.report("products")
    expected = _sba_expected(read_book(SBA_BOOK))
    assert {key: product[key] for key in expected} == expected
    assert sba_ledger.report("pools") == []


def test_each_sba_loan_is_guaranteed_for_its_own_share_by_a_derived_borrower(sba_ledger, tmp_path):
    sba_ledger.ok(f"import loans {SBA_BOOK} {SBA_IMPORT} --errors {tmp_path / 'e.csv'}")
    codes = {
        "BANK OF AMERICA NATL ASSOC": "US-BOA",
        "WELLS FARGO BANK NATL ASSOC": "US-WFB",
        "JPMORGAN CHASE BANK NATL ASSOC": "US-JPM",
    }
    ledger = RiskLedger(Settings(db=str(sba_ledger.db), operator="pytest"))
    try:
        session = Session(ledger)
        for row in read_book(SBA_BOOK):
            loan = session.loan(codes[row["Bank"]], row["LoanNr_ChkDgt"])
            guarantee = session.guarantee_on(loan_id(loan.bank, loan.reference))
            assert guarantee is not None and guarantee.guarantor == "SBA"
            approved, guaranteed = _dollar_cents(row["GrAppv"]), _dollar_cents(row["SBA_Appv"])
            # SBA_Appv / GrAppv, rounded half up to a basis point (R16).
            assert guarantee.coverage_bps == (2 * guaranteed * 10_000 + approved) // (2 * approved)
            assert guarantee.state == ("released" if row["MIS_Status"] == "P I F" else "issued")
            assert loan.enterprise == derived_uscc("SBA 7(a)", [row["Name"], row["State"]])
            assert is_derived(loan.enterprise)
            enterprise = session.enterprise(loan.enterprise)
            assert (enterprise.name, enterprise.region) == (row["Name"], row["State"])
    finally:
        ledger.close()


@pytest.mark.parametrize(
    ("layout", "book", "options"),
    [("cn", CN_BOOK, CN_IMPORT), ("sba", SBA_BOOK, SBA_IMPORT)],
    ids=["cn-bank", "sba-7a"],
)
def test_the_csv_and_the_xlsx_of_a_book_give_identical_ledgers(
    layout, book, options, programme_copy, tmp_path
):
    from_csv, from_xlsx = programme_copy(layout, "csv"), programme_copy(layout, "xlsx")
    errors = tmp_path / "e.csv"
    from_csv.ok(f"import loans {book} {options} --errors {errors}")
    from_xlsx.ok(f"import loans {book.with_suffix('.xlsx')} {options} --errors {errors}")
    csv_events, xlsx_events = from_csv.stored_events(), from_xlsx.stored_events()
    assert len(csv_events) > 400
    assert csv_events == xlsx_events


def _cells(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_the_committed_samples_are_what_the_generator_makes(tmp_path):
    sample_generator().main(["--out", str(tmp_path)])
    for name in ("cn_bank_loans", "sba_7a_loans"):
        made, committed = tmp_path / f"{name}.csv", EXAMPLES / f"{name}.csv"
        assert made.read_bytes() == committed.read_bytes(), name
        assert _cells(tmp_path / f"{name}.xlsx") == _cells(EXAMPLES / f"{name}.xlsx"), name


def test_the_workbooks_hold_the_same_loans_in_other_encodings():
    # The CSVs have text; the CN workbook date cells and numbers in 万元, the SBA one SAS day
    # numbers and plain numbers: the identical ledgers above come from different encodings.
    cn, sba = _cells(EXAMPLES / "cn_bank_loans.xlsx"), _cells(EXAMPLES / "sba_7a_loans.xlsx")
    assert len(cn) == 61 and len(sba) == 81
    assert isinstance(cn[1][cn[0].index("起息日")], datetime)
    assert isinstance(cn[1][cn[0].index("合同金额(万元)")], float | int)
    assert isinstance(sba[1][sba[0].index("ApprovalDate")], int)
    assert isinstance(sba[1][sba[0].index("GrAppv")], float | int)


def test_an_imported_ledger_passes_its_audit(cn_ledger, tmp_path):
    cn_ledger.ok(f"import loans {CN_BOOK} {CN_IMPORT} --errors {tmp_path / 'e.csv'}")
    verified = cn_ledger("audit verify")
    assert verified.exit_code == 0, verified.output
    assert "invariants: ok" in verified.stdout
    balance = cn_ledger("audit trial-balance --format json")
    assert balance.exit_code == 0, balance.output


def test_a_mapping_may_insure_each_loan_under_an_insured_product(make_ledger, tmp_path):
    ledger = make_ledger(
        "insured",
        "SZ-KJJ",
        [
            "institution add SZ-KJJ --kind operator --name 苏州市科学技术局 --region 苏州",
            "institution add ICBC-SZ --kind bank --name 工商银行苏州分行",
            "institution add PICC-SZ --kind insurer --name 人保财险苏州分公司",
            f"product define --file {EXAMPLES.parent / 'products' / 'kejibao.toml'}",
        ],
    )
    mapping = CN_MAPPING.read_text(encoding="utf-8") + (
        '\n[cover]\nkind = "policy"\ninsurer = { value = "PICC-SZ" }\n'
        'coverage = { value = "70%" }\npremium_rate = { value = "2%" }\nnumber = "贷款编号"\n'
    )
    (tmp_path / "insured.toml").write_text(mapping, encoding="utf-8")
    result = ledger(
        f"import loans {CN_BOOK} --mapping {tmp_path / 'insured.toml'} --bank ICBC-SZ "
        f"--product KJB --errors {tmp_path / 'e.csv'}"
    )
    assert result.exit_code == 0, result.output
    app = RiskLedger(Settings(db=str(ledger.db), operator="pytest"))
    try:
        session = Session(app)
        for row in read_book(CN_BOOK):
            policy = session.policy_on(loan_id("ICBC-SZ", row["贷款编号"]))
            assert policy is not None
            assert (policy.insurer, policy.number) == ("PICC-SZ", row["贷款编号"])
            assert (policy.coverage_bps, policy.premium_rate_bps) == (7000, 200)
    finally:
        app.close()
