"""Bank files read row by row: CSV with the `csv` module, XLSX with openpyxl in read-only mode.

Neither holds the file in memory: rows are yielded as they are read. Rows are numbered as a
spreadsheet shows them, the header being row 1 (a CSV's records counted the same way), so
the error report's numbers are the ones a clerk sees when opening the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from ledger.bulk_import.cells import is_blank, text_of
from ledger.bulk_import.mapping import LoanMapping

SUFFIXES = (".csv", ".xlsx")
Row = dict[str, Any]


@dataclass
class Source:
    """The rows of one file under its header, with how many there are when that is known."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, Row]]
    total: int | None


def _header(cells: Sequence[Any]) -> tuple[str, ...]:
    names = [("" if is_blank(cell) else text_of(cell)) for cell in cells]
    while names and not names[-1]:
        names.pop()
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise InvalidInput("FILE", f"the header names column {name!r} twice")
        seen.add(name)
    return tuple(names)


def _records(
    header: tuple[str, ...], lines: Iterator[Sequence[Any]], first: int
) -> Iterator[tuple[int, Row]]:
    """Yields each non-blank row after the header, numbered, as column name -> cell."""
    width = len(header)
    for number, cells in enumerate(lines, start=first):
        if all(is_blank(cell) for cell in cells):
            continue
        padded = list(cells[:width]) + [None] * (width - len(cells))
        yield number, dict(zip(header, padded, strict=True))


def _count_csv_rows(path: Path, mapping: LoanMapping) -> int:
    with path.open(newline="", encoding=mapping.encoding) as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=mapping.delimiter)) - 1


@contextmanager
def _csv_source(path: Path, mapping: LoanMapping) -> Iterator[Source]:
    try:
        total = _count_csv_rows(path, mapping)
        handle = path.open(newline="", encoding=mapping.encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "FILE",
            f"{path.name} is not {mapping.encoding} text ({error.reason}); set "
            "[source] encoding in the mapping, e.g. gb18030",
        ) from None
    with handle:
        lines = csv.reader(handle, delimiter=mapping.delimiter)
        header = _header(next(lines, []))
        yield Source(header, _records(header, lines, 2), max(total, 0))


@contextmanager
def _xlsx_source(path: Path, mapping: LoanMapping) -> Iterator[Source]:
    from openpyxl import load_workbook  # loaded only when a spreadsheet is imported

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors for broken files
        raise InvalidInput("FILE", f"{path.name} is not an XLSX workbook: {error}") from None
    try:
        if mapping.sheet is None:
            sheet = workbook.worksheets[0]
        elif mapping.sheet in workbook.sheetnames:
            sheet = workbook[mapping.sheet]
        else:
            raise InvalidInput(
                "mapping source.sheet",
                f"{path.name} has no sheet {mapping.sheet!r} (it has "
                f"{', '.join(workbook.sheetnames)})",
            )
        stated = sheet.max_row
        # The size a file states may be stale: read every row there is, whatever it says.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(min_row=1, values_only=True)
        header = _header(next(lines, ()))
        total = None if stated is None else max(stated - 1, 0)
        yield Source(header, _records(header, lines, 2), total)
    finally:
        workbook.close()


@contextmanager
def open_source(path: Path, mapping: LoanMapping) -> Iterator[Source]:
    """Opens a .csv or .xlsx file for reading row by row; refuses other files."""
    if not path.is_file():
        raise InvalidInput("FILE", f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput("FILE", f"{path.name}: import reads {' and '.join(SUFFIXES)} files")
    opener = _csv_source if suffix == ".csv" else _xlsx_source
    with opener(path, mapping) as source:
        missing = sorted(mapping.columns() - set(source.header))
        if missing:
            raise InvalidInput(
                "--mapping",
                f"{path.name} has no column {', '.join(repr(m) for m in missing)} "
                "that the mapping reads",
            )
        yield source
