"""Reading a bank's cells exactly, the mapping's checks, derived identities, and rows read
in batches as a stream."""

from __future__ import annotations

import gc
from datetime import date, datetime
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate
from import_books import CN_BOOK, CN_MAPPING, SBA_MAPPING, generated_book, read_book

from domain.actor import Actor
from domain.errors import InvalidInput
from domain.uscc import validate_uscc
from ledger.app import RiskLedger
from ledger.bulk_import import import_loans, load_mapping, parse_mapping
from ledger.bulk_import.cells import CellError, amount_fen, day_of, flag, rate_bps
from ledger.bulk_import.identity import derived_uscc, is_derived
from ledger.bulk_import.mapping import FALSE_WORDS, TRUE_WORDS
from ledger.bulk_import.records import RowRefused
from ledger.bulk_import.rows import RowReader
from ledger.settings import Settings


@pytest.mark.parametrize(
    ("cell", "unit", "fen"),
    [
        ("12.345678", "wan", 12_345_678),
        (12.345678, "wan", 12_345_678),  # a spreadsheet's float, read as typed
        (150, "wan", 150_000_000),
        ("1,234.5", "yuan", 123_450),
        ("800万", "yuan", 800_000_000),
        ("1.2亿", "yuan", 12_000_000_000),
        ("¥99.99", "yuan", 9_999),
        ("$60,000.00 ", "dollars", 6_000_000),
        (60000.0, "dollars", 6_000_000),
        ("0", "yuan", 0),
        (0.1, "yuan", 10),
    ],
)
def test_amounts_become_exact_fen(cell, unit, fen):
    assert amount_fen(cell, unit) == fen


@pytest.mark.parametrize(
    ("cell", "unit", "reason"),
    [
        ("0.0000001", "wan", "finer than one fen"),
        ("1.005", "yuan", "finer than one fen"),
        ("-5", "yuan", "negative"),
        ("($5.00)", "dollars", "negative"),
        (-5.0, "wan", "negative"),
        ("12,34", "yuan", "is not a number"),
        ("abc", "dollars", "is not a number"),
        (True, "yuan", "is not a number"),
    ],
)
def test_amounts_refuse_what_is_not_exact_or_not_money(cell, unit, reason):
    with pytest.raises(CellError, match=reason):
        amount_fen(cell, unit)


def test_rates_read_text_with_their_unit_and_bare_numbers_in_the_mapped_one():
    assert rate_bps("4.35%", "percent") == 435
    assert rate_bps("40bp", "percent") == 40
    assert rate_bps(4.35, "percent") == 435
    assert rate_bps("0.0435", "fraction") == 435
    assert rate_bps(435, "bps") == 435
    with pytest.raises(CellError, match="finer than one basis point"):
        rate_bps("4.355%", "percent")


def test_dates_by_format_by_day_number_and_as_spreadsheet_cells():
    sas = ("%d-%b-%y", "days")
    epoch = date(1960, 1, 1)
    assert day_of("28-Feb-97", sas, epoch=epoch, century_from=1940) == date(1997, 2, 28)
    assert day_of("3-Jan-05", sas, epoch=epoch, century_from=1940) == date(2005, 1, 3)
    assert day_of("1-Jan-41", sas, epoch=epoch, century_from=1940) == date(1941, 1, 1)
    assert day_of(13573, sas, epoch=epoch) == date(1997, 2, 28)
    assert day_of("13573", sas, epoch=epoch) == date(1997, 2, 28)
    assert day_of(datetime(2024, 3, 15, 0, 0), ("%Y/%m/%d",)) == date(2024, 3, 15)
    assert day_of("2024年3月15日", ("%Y/%m/%d", "%Y年%m月%d日")) == date(2024, 3, 15)
    with pytest.raises(CellError, match="not a date in the mapped formats"):
        day_of("2024/02/30", ("%Y/%m/%d",))
    with pytest.raises(CellError, match="beyond the calendar"):
        day_of(10**9, ("days",), epoch=epoch)


def test_flags_read_the_usual_words_for_yes_and_no():
    assert flag("是", TRUE_WORDS, FALSE_WORDS) is True
    assert flag(None, TRUE_WORDS, FALSE_WORDS) is False
    assert flag(1, TRUE_WORDS, FALSE_WORDS) is True
    with pytest.raises(CellError, match="neither yes"):
        flag("maybe", TRUE_WORDS, FALSE_WORDS)


def test_a_derived_identity_is_a_valid_code_no_registered_enterprise_has():
    code = derived_uscc("SBA 7(a)", ["ACME BAKERY INC", "CA"])
    assert validate_uscc(code) == code and is_derived(code)
    assert code[2:8] == "000000"
    # Stable for the same borrower (however the file spaces or cases it), distinct otherwise.
    assert derived_uscc("SBA 7(a)", [" acme bakery inc", "ca "]) == code
    assert derived_uscc("SBA 7(a)", ["ACME BAKERY INC", "TX"]) != code
    assert derived_uscc("another layout", ["ACME BAKERY INC", "CA"]) != code
    assert not is_derived("91320505MA1ABCDE09")


def test_both_example_mappings_read():
    cn, sba = load_mapping(CN_MAPPING), load_mapping(SBA_MAPPING)
    assert cn.borrower["uscc"].column == "统一社会信用代码" and cn.cover is None
    assert sba.derive_from == ("Name", "State") and sba.cover is not None
    assert sba.cover.fields["coverage"].ratio == ("SBA_Appv", "GrAppv")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surprise": 1}, "mapping surprise"),
        ({"fields": {"reference": "A"}}, "mapping fields.principal"),
        ({"status": {"column": "S", "codes": {"X": "lost"}}}, "mapping status.codes.X"),
        ({"cover": {"kind": "bond"}}, "mapping cover.kind"),
        ({"source": {"as_of": "2024"}}, "mapping source.as_of"),
    ],
)
def test_a_mapping_names_the_key_that_is_wrong(change, field):
    base = {
        "borrower": {"uscc": "U", "name": "N"},
        "fields": {
            "reference": "R",
            "principal": "P",
            "rate": "I",
            "term": "T",
            "start": {"column": "S", "format": "%Y-%m-%d"},
        },
    }
    with pytest.raises(InvalidInput) as refused:
        parse_mapping({**base, **change})
    assert refused.value.field == field


def test_a_date_field_with_day_numbers_needs_an_epoch():
    with pytest.raises(InvalidInput, match="day numbers need an epoch"):
        parse_mapping(
            {
                "borrower": {"uscc": "U", "name": "N"},
                "fields": {
                    "reference": "R",
                    "principal": "P",
                    "rate": "I",
                    "term": "T",
                    "start": {"column": "S", "format": ["days"]},
                },
            }
        )


def test_a_row_naming_another_bank_than_the_command_line_is_refused():
    mapping = load_mapping(CN_MAPPING)
    reader = RowReader(mapping, bank="ICBC-SZ", product="KJD", as_of=None)
    row = read_book(CN_BOOK)[0]
    assert reader.read(2, row).bank == "ICBC-SZ"
    with_bank = parse_mapping(
        {
            "borrower": {"uscc": "统一社会信用代码", "name": "借款人名称"},
            "fields": {
                "reference": "贷款编号",
                "bank": {"value": "ABC-SZ"},
                "principal": {"column": "合同金额(万元)", "unit": "wan"},
                "rate": "执行年利率(%)",
                "term": "期限(月)",
                "start": {"column": "起息日", "format": "%Y/%m/%d"},
            },
        }
    )
    with pytest.raises(RowRefused) as refused:
        RowReader(with_bank, bank="ICBC-SZ", product="KJD", as_of=None).read(2, row)
    assert refused.value.error.reason == "the row is for bank ABC-SZ, not --bank ICBC-SZ"


def test_rows_are_read_and_saved_batch_by_batch_as_a_stream(cn_ledger, tmp_path):
    ledger = RiskLedger(Settings(db=str(cn_ledger.db), operator="pytest"))
    seen: list[tuple[int, int | None, int, int]] = []

    def progress(done: int, total: int | None, refused: int) -> None:
        # Each batch is in the ledger before the next rows are read.
        seen.append((done, total, refused, ledger.event_count()))

    before = ledger.event_count()
    try:
        summary = import_loans(
            ledger,
            CN_BOOK,
            CN_MAPPING,
            bank="ICBC-SZ",
            product="KJD",
            progress=progress,
            errors=tmp_path / "e.csv",
            batch_rows=25,
        )
    finally:
        ledger.close()
    assert [(done, total, refused) for done, total, refused, _ in seen] == [
        (25, 60, 0),
        (50, 60, 0),
        (60, 60, 0),
    ]
    held = [events for *_, events in seen]
    assert held[0] < held[1] < held[2]
    assert (summary.rows, summary.imported, summary.present, summary.errors) == (60, 60, 0, 0)
    assert summary.events == held[2] - before
    assert summary.error_report is None
    assert summary.file == Path(CN_BOOK)


def test_what_an_import_holds_does_not_grow_with_the_file(cn_ledger, tmp_path):
    book = generated_book(tmp_path, "cn", 400)
    ledger = RiskLedger(Settings(db=str(cn_ledger.db), operator="pytest"))
    ledger.transact(
        lambda session: session.fund_pool(
            pool="SZ-POOL",
            amount_fen=10**12,
            funder="SZ-CZJ",
            ref="MORE",
            effective_date=date(2024, 1, 2),
            actor=Actor("SZ-KJJ", "pytest", "cli"),
        )
    )
    # The application's own cache keeps up to its size of aggregates (bounded, but larger
    # than a batch): without it, what is alive is what the import itself holds.
    ledger.repository.cache = None
    alive: list[int] = []

    def progress(done: int, total: int | None, refused: int) -> None:
        gc.collect()
        alive.append(sum(1 for thing in gc.get_objects() if isinstance(thing, Aggregate)))

    try:
        summary = import_loans(
            ledger,
            book,
            CN_MAPPING,
            bank="ICBC-SZ",
            product="KJD",
            progress=progress,
            errors=tmp_path / "e.csv",
            batch_rows=40,
        )
    finally:
        ledger.close()
    assert summary.imported == 400 and len(alive) == 10
    # Aggregates held between batches: one batch's working set, however many rows went by.
    assert max(alive[2:]) <= alive[1] + 40, alive
