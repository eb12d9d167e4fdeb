"""Importing a bank's loan book: the file streamed in batches, each saved atomically.

Memory holds one batch of rows and the aggregates it touches, never the file. A batch is
all or nothing, and every aggregate id derives from the bank and its own loan reference,
so running the same import again (after a crash, or by mistake) finds the loans already
recorded, writes nothing for them, and completes whatever was missing.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from domain.errors import InvalidInput
from ledger.bulk_import.batch import BatchOutcome, BatchWriter, ImportSession
from ledger.bulk_import.mapping import LoanMapping, load_mapping
from ledger.bulk_import.records import LoanRow, RowError, RowRefused
from ledger.bulk_import.rows import RowReader
from ledger.bulk_import.sources import Row, open_source

if TYPE_CHECKING:
    from ledger.app import RiskLedger

DEFAULT_BATCH_ROWS = 1000
REPORT_HEADER = ("row", "column", "value", "reason")

# Rows read so far, the rows the file has (None when unknown), rows refused so far.
Progress = Callable[[int, int | None, int], None]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, counted over the whole file."""

    file: Path
    rows: int
    imported: int
    present: int
    errors: int
    events: int
    seconds: float
    error_report: Path | None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def default_report_path(path: Path) -> Path:
    """Where the error report goes unless told: beside the input, `<name>.errors.csv`."""
    return path.with_name(f"{path.stem}.errors.csv")


class ErrorReport:
    """The refused rows as CSV (row, column, value, reason), written as batches are saved.

    The file is only created for the first refused row; a run with none removes a report an
    earlier run left at the same path, so the report always describes the latest run.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def write(self, errors: list[RowError]) -> None:
        if not errors:
            return
        if self._handle is None:
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(REPORT_HEADER)
        assert self._writer is not None
        for error in sorted(errors, key=lambda e: e.row):
            self._writer.writerow((error.row, error.column, error.value, error.reason))
        self._handle.flush()
        self.count += len(errors)

    def close(self, *, completed: bool) -> Path | None:
        """Closes the report; returns its path, or None when no row was refused. A completed
        run without refusals removes an earlier report; an interrupted one leaves it."""
        if self._handle is not None:
            self._handle.close()
            return self.path
        if completed:
            self.path.unlink(missing_ok=True)
        return None


def _batches(
    rows: Iterator[tuple[int, Row]], reader: RowReader, size: int
) -> Iterator[tuple[int, list[LoanRow], list[RowError]]]:
    """Yields the rows read for each batch: how many, the loans read, the rows refused."""
    read, loans, refused = 0, [], []
    for number, raw in rows:
        read += 1
        try:
            loans.append(reader.read(number, raw))
        except RowRefused as refusal:
            refused.append(refusal.error)
        if read == size:
            yield read, loans, refused
            read, loans, refused = 0, [], []
    if read:
        yield read, loans, refused


def import_loans(
    app: RiskLedger,
    path: Path | str,
    mapping: LoanMapping | Path | str,
    bank: str | None = None,
    product: str | None = None,
    progress: Progress | None = None,
    *,
    errors: Path | str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    as_of: date | None = None,
) -> ImportSummary:
    """Imports the loans of a .csv or .xlsx file by a mapping; returns what it did.

    `bank` and `product` fix those fields for every row (a row naming another is refused).
    Refused rows go to the error report (`errors`, by default beside the file) and the rest
    land. A problem with the command itself (the file, the mapping, an unknown bank or
    product) raises a DomainError before anything is written.
    """
    source_path = Path(path)
    if not isinstance(mapping, LoanMapping):
        mapping = load_mapping(Path(mapping))
    if batch_rows < 1:
        raise InvalidInput("--batch-size", "must be at least 1")
    operator = app.settings.operator
    check = ImportSession(app, operator)
    if bank is not None:
        check.institution(bank, "--bank", kind="bank")
    if product is not None:
        check.product_named(product, "--product")
    reader = RowReader(mapping, bank=bank, product=product, as_of=as_of)
    report_path = Path(errors) if errors is not None else default_report_path(source_path)
    if report_path.resolve() == source_path.resolve():
        raise InvalidInput("--errors", f"{report_path} is the file being imported")
    report = ErrorReport(report_path)
    started = time.perf_counter()
    totals = BatchOutcome()
    rows_read = 0
    writer = BatchWriter(app, operator)
    completed = False
    with open_source(source_path, mapping) as source:
        try:
            for read, loans, refused in _batches(source.rows, reader, batch_rows):
                outcome = writer.save(loans) if loans else BatchOutcome()
                report.write([*refused, *outcome.errors])
                rows_read += read
                totals.imported += outcome.imported
                totals.present += outcome.present
                totals.events += outcome.events
                if progress is not None:
                    progress(rows_read, source.total, report.count)
            completed = True
        finally:
            written = report.close(completed=completed)
    return ImportSummary(
        file=source_path,
        rows=rows_read,
        imported=totals.imported,
        present=totals.present,
        errors=report.count,
        events=totals.events,
        seconds=time.perf_counter() - started,
        error_report=written,
    )
