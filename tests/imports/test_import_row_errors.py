"""Invalid rows are reported (row, column, value, reason) and the rest land; a row whose loan
breaks a rule is refused naming the rule; a problem with the command itself writes nothing."""

from __future__ import annotations

import shlex
from decimal import Decimal

import pytest
from import_books import (
    CN_BOOK,
    CN_IMPORT,
    CN_MAPPING,
    CN_PROGRAMME,
    PRODUCTS,
    SBA_BOOK,
    SBA_IMPORT,
    read_book,
    write_book,
)

from domain.money import format_yuan


def _wan_fen(text):
    return int(Decimal(text or "0") * 1_000_000)


def _report_lines(path):
    return [(int(line["row"]), line["column"], line["value"]) for line in read_book(path)]


def test_bad_rows_are_reported_exactly_and_the_rest_land(cn_ledger, tmp_path):
    rows = read_book(CN_BOOK)[:12]
    uscc = rows[1]["统一社会信用代码"]
    rows[1]["统一社会信用代码"] = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    rows[2]["放款金额(万元)"] = "abc"
    rows[3]["合同金额(万元)"] = rows[3]["放款金额(万元)"] = "1200"  # KJD's cap is 1000万 (R2)
    rows[4]["贷款状态"] = "呆滞"
    rows[5]["起息日"] = "2024/13/01"
    rows[6]["累计已还本金(万元)"] = "9999"
    rows[7]["贷款状态"] = "核销"  # written off, with no write-off date
    rows[7]["违约日期"] = rows[7]["违约日期"] or "2025/01/10"
    rows[7]["核销日期"] = ""
    book = write_book(tmp_path / "book.csv", rows)
    result = cn_ledger(f"import loans {book} {CN_IMPORT}")
    assert result.exit_code == 1, result.output
    assert "imported 5 loans" in result.stdout
    assert "0 already in the ledger, 7 refused" in result.stdout
    report = tmp_path / "book.errors.csv"  # beside the file, by default
    assert f"refused rows: {report}" in result.stdout
    assert _report_lines(report) == [
        (3, "统一社会信用代码", rows[1]["统一社会信用代码"]),
        (4, "放款金额(万元)", "abc"),
        (5, "合同金额(万元)", "1200"),
        (6, "贷款状态", "呆滞"),
        (7, "起息日", "2024/13/01"),
        (8, "累计已还本金(万元)", "9999"),
        (9, "核销日期", ""),
    ]
    reasons = [line["reason"] for line in read_book(report)]
    assert "fails the check character" in reasons[0]
    assert reasons[1] == "'abc' is not a number"
    assert reasons[2].endswith("exceeds KJD's per-loan cap of 10,000,000.00 (R2)")
    assert "is not one of the mapped codes" in reasons[3]
    assert "is not a date in the mapped formats" in reasons[4]
    outstanding = format_yuan(_wan_fen(rows[6]["放款金额(万元)"]))
    assert reasons[5] == f"99,990,000.00 is more than the outstanding {outstanding}"
    assert reasons[6] == "is empty"
    (product,) = cn_ledger.report("products")
    assert product["loans"] == 5
    for row in (rows[0], *rows[8:]):
        shown = cn_ledger(f"audit history --bank ICBC-SZ --loan {row['贷款编号']}")
        assert shown.exit_code == 0, shown.output
    for row in rows[1:8]:
        assert cn_ledger(f"audit history --bank ICBC-SZ --loan {row['贷款编号']}").exit_code == 2


def test_a_borrower_without_the_products_qualification_is_refused_by_r1(make_ledger, tmp_path):
    terms = (PRODUCTS / "kejidai.toml").read_text(encoding="utf-8")
    terms += '\n[eligibility]\nqualifications = ["科技型中小企业"]\n'
    strict = tmp_path / "kejidai_strict.toml"
    strict.write_text(terms, encoding="utf-8")
    setup = [c.replace(str(PRODUCTS / "kejidai.toml"), str(strict)) for c in CN_PROGRAMME]
    ledger = make_ledger("strict", "SZ-KJJ", setup)
    rows = read_book(CN_BOOK)[:4]
    qualified = rows[0]["统一社会信用代码"]
    ledger.ok(f"enterprise add {qualified} --name {shlex.quote(rows[0]['借款人名称'])}")
    ledger.ok(f"enterprise qualify {qualified} --qualification 科技型中小企业 --from 2023-01-01")
    book = write_book(tmp_path / "book.csv", rows)
    result = ledger(f"import loans {book} {CN_IMPORT} --errors {tmp_path / 'e.csv'}")
    assert result.exit_code == 1
    refused = read_book(tmp_path / "e.csv")
    others = [row for row in rows if row["统一社会信用代码"] != qualified]
    assert [int(line["row"]) for line in refused] == [rows.index(row) + 2 for row in others]
    for line, row in zip(refused, others, strict=True):
        assert (line["column"], line["value"]) == ("统一社会信用代码", row["统一社会信用代码"])
        start = row["起息日"].replace("/", "-")
        assert line["reason"] == f"{line['value']} holds none of 科技型中小企业 on {start} (R1)"


def test_loans_beyond_the_pools_leverage_are_refused_by_r3(make_ledger, tmp_path):
    # 50万 in the pool, 10× leverage: 500万 of loans at most.
    setup = [c.replace("pool fund SZ-POOL 5000万", "pool fund SZ-POOL 50万") for c in CN_PROGRAMME]
    ledger = make_ledger("small-pool", "SZ-KJJ", setup)
    rows = read_book(CN_BOOK)[:10]
    result = ledger(f"import loans {write_book(tmp_path / 'b.csv', rows)} {CN_IMPORT}")
    assert result.exit_code == 1
    refused = read_book(tmp_path / "b.errors.csv")
    assert refused and all(line["reason"].endswith("(R3)") for line in refused)
    assert {line["column"] for line in refused} == {"合同金额(万元)"}
    (product,) = ledger.report("products")
    refused_rows = {int(line["row"]) for line in refused}
    landed = [row for number, row in enumerate(rows, start=2) if number not in refused_rows]
    assert product["loans"] == len(landed) == len(rows) - len(refused)
    # The product covers what its landed loans still owe (a written-off loan nothing).
    covered = sum(
        _wan_fen(row["合同金额(万元)"]) - _wan_fen(row["累计已还本金(万元)"])
        for row in landed
        if row["贷款状态"] != "核销"
    )
    assert 0 < covered <= 500_000_000


def test_a_guarantee_below_the_products_coverage_is_refused_by_r16(sba_ledger, tmp_path):
    rows = read_book(SBA_BOOK)[:5]
    rows[2]["SBA_Appv"] = "$10,000.00"  # far below the 50% SBA7A's guarantees must cover
    book = write_book(tmp_path / "sba.csv", rows)
    result = sba_ledger(f"import loans {book} {SBA_IMPORT}")
    assert result.exit_code == 1
    (line,) = read_book(tmp_path / "sba.errors.csv")
    assert (line["row"], line["column"]) == ("4", "SBA_Appv/GrAppv")
    assert line["value"] == f"$10,000.00/{rows[2]['GrAppv'].strip()}"
    assert "is outside SBA7A's bounds 50.00% to 90.00% (R16)" in line["reason"]
    assert sba_ledger.report("products")[0]["loans"] == 4


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _mapping_without_borrower(tmp):
    mapping = _write(tmp / "m.toml", '[fields]\nreference = "贷款编号"\n')
    return f"import loans {CN_BOOK} --mapping {mapping} --bank ICBC-SZ"


def _mapping_with_unknown_unit(tmp):
    text = CN_MAPPING.read_text(encoding="utf-8").replace('unit = "wan"', 'unit = "euro"', 1)
    return f"import loans {CN_BOOK} --mapping {_write(tmp / 'm.toml', text)} --bank ICBC-SZ"


OTHER_BANK = f"import loans {CN_BOOK} --mapping {CN_MAPPING} --product KJD --bank"
REFUSED_COMMANDS = {
    "unknown-bank": (lambda tmp: f"{OTHER_BANK} NOPE", "error: --bank: no institution 'NOPE'"),
    "not-a-bank": (
        lambda tmp: f"{OTHER_BANK} SZ-CZJ",
        "error: --bank: SZ-CZJ is a pool owner, not a bank (roles)",
    ),
    "unknown-product": (
        lambda tmp: f"import loans {CN_BOOK} --mapping {CN_MAPPING} --bank ICBC-SZ --product XX",
        "error: --product: no product 'XX'",
    ),
    "missing-file": (
        lambda tmp: f"import loans {tmp / 'none.csv'} {CN_IMPORT}",
        "error: FILE: {tmp}/none.csv does not exist",
    ),
    "not-csv-or-xlsx": (
        lambda tmp: f"import loans {_write(tmp / 'book.txt', 'a,b')} {CN_IMPORT}",
        "error: FILE: book.txt: import reads .csv and .xlsx files",
    ),
    "broken-workbook": (
        lambda tmp: f"import loans {_write(tmp / 'b.xlsx', 'not a zip')} {CN_IMPORT}",
        "error: FILE: b.xlsx is not an XLSX workbook",
    ),
    "column-missing": (
        lambda tmp: (
            f"import loans {_write(tmp / 'b.csv', '贷款编号,x' + chr(10) + '1,2')} {CN_IMPORT}"
        ),
        "error: --mapping: b.csv has no column",
    ),
    "report-over-the-book": (
        lambda tmp: f"import loans {CN_BOOK} {CN_IMPORT} --errors {CN_BOOK}",
        f"error: --errors: {CN_BOOK} is the file being imported",
    ),
    "mapping-without-borrower": (
        _mapping_without_borrower,
        "error: mapping borrower: give the USCC column (uscc), or the columns to derive_from",
    ),
    "unknown-unit": (
        _mapping_with_unknown_unit,
        "error: mapping fields.principal.unit: 'euro' is not one of yuan, wan, dollars",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_COMMANDS))
def test_a_refused_command_prints_one_line_and_writes_nothing(cn_ledger, tmp_path, case):
    make_command, line = REFUSED_COMMANDS[case]
    held = cn_ledger.event_count()
    result = cn_ledger(make_command(tmp_path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (printed,) = result.stderr.splitlines()
    assert printed.startswith(line.format(tmp=tmp_path)), printed
    assert cn_ledger.event_count() == held
    assert not list(tmp_path.glob("*.errors.csv"))
