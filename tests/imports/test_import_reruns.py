"""Importing again writes nothing new; a row that contradicts a recorded loan is a conflict;
an import killed mid-way and run again ends as if it had never been interrupted."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from eventsourcing.persistence import RecordConflictError
from import_books import (
    CN_BOOK,
    CN_IMPORT,
    CN_MAPPING,
    SBA_BOOK,
    SBA_IMPORT,
    generated_book,
    read_book,
    write_book,
)

from ledger.app import RiskLedger
from ledger.bulk_import import import_loans
from ledger.settings import Settings

REGISTERED = "domain.loan:Loan.Registered"


def test_importing_the_same_file_twice_writes_nothing_the_second_time(cn_ledger, tmp_path):
    errors = tmp_path / "e.csv"
    cn_ledger.ok(f"import loans {CN_BOOK} {CN_IMPORT} --errors {errors}")
    held = cn_ledger.event_count()
    again = cn_ledger(f"import loans {CN_BOOK} {CN_IMPORT} --errors {errors}")
    assert again.exit_code == 0, again.output
    assert "imported 0 loans (0 events)" in again.stdout
    assert "60 already in the ledger, 0 refused" in again.stdout
    assert cn_ledger.event_count() == held


def test_the_workbook_of_a_book_already_imported_writes_nothing(sba_ledger, tmp_path):
    errors = tmp_path / "e.csv"
    sba_ledger.ok(f"import loans {SBA_BOOK} {SBA_IMPORT} --errors {errors}")
    held = sba_ledger.event_count()
    again = sba_ledger.ok(
        f"import loans {SBA_BOOK.with_suffix('.xlsx')} {SBA_IMPORT} --errors {errors}"
    )
    assert "80 already in the ledger, 0 refused" in again.stdout
    assert sba_ledger.event_count() == held


def test_a_row_contradicting_a_recorded_loan_is_refused_as_a_conflict(cn_ledger, tmp_path):
    errors = tmp_path / "e.csv"
    cn_ledger.ok(f"import loans {CN_BOOK} {CN_IMPORT} --errors {errors}")
    held = cn_ledger.event_count()
    rows = read_book(CN_BOOK)
    rows[4]["执行年利率(%)"] = "5.95"  # another rate for a loan already recorded
    rows[7]["累计已还利息(万元)"] = "0.01"  # another interest total to date
    changed = write_book(tmp_path / "changed.csv", rows)
    result = cn_ledger(f"import loans {changed} {CN_IMPORT} --errors {errors}")
    assert result.exit_code == 1
    assert "58 already in the ledger, 2 refused" in result.stdout
    report = read_book(errors)
    assert [(line["row"], line["column"], line["value"]) for line in report] == [
        ("6", "执行年利率(%)", "5.95"),
        ("9", "累计已还利息(万元)", "0.01"),
    ]
    assert report[0]["reason"].endswith("is in the ledger with another rate (R14)")
    assert "the import never changes a recorded loan (R14)" in report[1]["reason"]
    assert cn_ledger.event_count() == held


def _loans_registered(db: Path) -> int:
    """Loans registered so far, read while another process may be writing (WAL)."""
    with closing(sqlite3.connect(db, timeout=5)) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM stored_events WHERE topic = ?", (REGISTERED,)
        ).fetchone()
    return count


def test_an_import_killed_mid_way_completes_when_run_again(programme_copy, tmp_path):
    loans, batch = 600, 10
    book = generated_book(tmp_path, "cn", loans)
    crashed, clean = programme_copy("cn", "crashed"), programme_copy("cn", "clean")
    for ledger in (crashed, clean):
        # Enough funds for every loan under 10× leverage (R3).
        ledger.ok("pool fund SZ-POOL 100亿 --funder SZ-CZJ --ref MORE --date 2024-01-02")
    command = (
        f"import loans {book} --mapping {CN_MAPPING} --bank ICBC-SZ --product KJD "
        f"--batch-size {batch} --errors {tmp_path / 'e.csv'}"
    )
    argv = [sys.executable, "-c", "from cli.main import main; main()"]
    argv += ["--db", str(crashed.db), "--operator", "pytest-clerk", "--as", "SZ-KJJ"]
    process = subprocess.Popen([*argv, *command.split()], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # Killed once a few batches are in: well before the last of 60.
        while _loans_registered(crashed.db) < 3 * batch:
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never got going"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    landed = _loans_registered(crashed.db)
    assert 3 * batch <= landed < loans, "the kill did not land mid-import"
    # Each batch is saved whole: only whole batches of loans can have landed.
    assert landed % batch == 0

    rerun = crashed.ok(command)
    assert f"imported {loans - landed:,} loans" in rerun.stdout
    assert f"{landed:,} already in the ledger, 0 refused" in rerun.stdout
    clean.ok(command)
    # No duplicate, nothing missing: every aggregate's history is event for event what one
    # uninterrupted run records (only how a batch interleaves aggregates may differ).
    assert sorted(crashed.stored_events()) == sorted(clean.stored_events())
    assert _loans_registered(crashed.db) == loans


def test_a_clean_run_removes_the_report_an_earlier_run_left(sba_ledger, tmp_path):
    errors = tmp_path / "sba.errors.csv"
    errors.write_text("row,column,value,reason\n2,x,y,stale\n", encoding="utf-8")
    sba_ledger.ok(f"import loans {SBA_BOOK} {SBA_IMPORT} --errors {errors}")
    assert not errors.exists()


def test_a_batch_that_keeps_conflicting_is_split_and_still_lands_whole(programme_copy, tmp_path):
    # Another writer's saves are simulated: the first two saves of the batch conflict.
    raced, calm = programme_copy("cn", "raced"), programme_copy("cn", "calm")
    ledger = RiskLedger(Settings(db=str(raced.db), operator="pytest-clerk"))
    saves: list[int] = []
    real_save = ledger.save

    def save(*aggregates, **kwargs):
        saves.append(len(aggregates))
        if len(saves) <= 2:
            raise RecordConflictError("another writer saved first")
        return real_save(*aggregates, **kwargs)

    ledger.save = save  # type: ignore[method-assign]
    try:
        summary = import_loans(
            ledger, CN_BOOK, CN_MAPPING, bank="ICBC-SZ", product="KJD", errors=tmp_path / "e.csv"
        )
    finally:
        ledger.close()
    # Two conflicts, then the 60 rows saved as two halves of 30.
    assert len(saves) == 4 and saves[2] < saves[0] and saves[3] < saves[0]
    assert (summary.imported, summary.errors) == (60, 0)
    calm.ok(f"import loans {CN_BOOK} {CN_IMPORT} --errors {tmp_path / 'e.csv'}")
    assert sorted(raced.stored_events()) == sorted(calm.stored_events())
