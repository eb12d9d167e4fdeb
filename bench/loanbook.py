"""The benchmark's loan book: a generated bank export, the programme it is imported into,
and the import itself, run in a child process so that its peak memory is its own.

The book is the Chinese bank layout of `examples/import/` (its generator, mapping and the
科技贷 product): every loan is registered, disbursed and repaid to date, and some default
and are written off, about seven events per loan with the borrower's and the exposure's.

    python bench/loanbook.py DB FILE BANK RESULT.json [--profile OUT.prof]

imports FILE into the ledger DB (a SQLite path or a postgresql:// URL) and writes what it
did, with the process's peak RSS, to RESULT.json; bench/run.py calls it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from domain.actor import Actor
from ledger.app import RiskLedger, Session
from ledger.bulk_import import import_loans
from ledger.settings import Settings
from ledger.terms_file import load_terms

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "examples" / "import" / "generate.py"
MAPPING = REPO / "examples" / "import" / "cn_bank_mapping.toml"
PRODUCT_TERMS = REPO / "examples" / "products" / "kejidai.toml"
PRODUCT = "KJD"
BANK = "ICBC-SZ"
# A second bank's book tops the ledger up to the size the as-of target is set for: loan ids
# derive from the bank and its own reference, so the same references make new loans.
TOP_UP_BANK = "BOC-SZ"
OPERATOR = "bench"
OPENED_ON = date(2024, 1, 1)
# The generated loans are 100万 to 500万; R3 allows ten times the pool's funds, so 100万
# of funds per loan leaves the leverage rule room to spare and never refuses a row.
FUNDS_PER_LOAN_FEN = 1_000_000 * 100
PROJECTION_MIN_ROWS = 20_000


@dataclass(frozen=True)
class ImportRun:
    """What one import did, as the child process measured it."""

    rows: int
    imported: int
    errors: int
    events: int
    seconds: float
    peak_rss_kib: int
    # (rows read, peak RSS in KiB so far) after each batch: how memory grows with the file.
    rss_by_rows: list[tuple[int, int]]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def projected_rss_bytes(self, loans: int) -> float | None:
        """Peak RSS at `loans` rows, extrapolated linearly from the second half of the import;
        None when the import was too short to tell."""
        points = self.rss_by_rows
        # A short import's memory is the interpreter's and its first batches': no trend.
        if len(points) < 4 or points[-1][0] < PROJECTION_MIN_ROWS:
            return None
        (rows_half, rss_half), (rows_end, rss_end) = points[len(points) // 2], points[-1]
        if rows_end <= rows_half:
            return None
        per_row = max(rss_end - rss_half, 0) / (rows_end - rows_half)
        return (rss_end + per_row * max(loans - rows_end, 0)) * 1024


def generate(loans: int, out: Path, seed: int) -> Path:
    """Writes a book of `loans` loans with the examples' generator; returns the CSV's path."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(GENERATOR), "--layout", "cn", "--loans", str(loans)]
    command += ["--format", "csv", "--seed", str(seed), "--out", str(out)]
    subprocess.run(command, check=True)
    return out / "cn_bank_loans.csv"


def head(book: Path, loans: int, out: Path) -> Path:
    """Writes the first `loans` loans of `book` (with its header) to `out`; returns `out`."""
    with book.open(encoding="utf-8-sig") as source, out.open("w", encoding="utf-8-sig") as sink:
        for number, line in enumerate(source):
            if number > loans:
                break
            sink.write(line)
    return out


def open_programme(db: str, loans: int) -> None:
    """Sets up the 科技贷 programme in the empty ledger `db`: the operator, the city's pool
    owner, two banks, the product and its pool, funded for `loans` loans."""
    actor = Actor("SZ-KJJ", OPERATOR, "cli")
    terms = load_terms(PRODUCT_TERMS)

    def programme(session: Session) -> None:
        institutions = (
            ("SZ-KJJ", "operator", "苏州市科学技术局", None),
            ("SZ-CZJ", "pool_owner", "苏州市财政局", "city"),
            (BANK, "bank", "工商银行苏州分行", None),
            (TOP_UP_BANK, "bank", "中国银行苏州分行", None),
        )
        for code, kind, name, level in institutions:
            session.add_institution(
                code=code,
                kind=kind,
                name=name,
                region="苏州",
                level=level,
                effective_date=OPENED_ON,
                actor=actor,
            )
        session.define_product(terms=terms, actor=actor)
        session.open_pool(
            code="SZ-POOL",
            name="苏州市风险补偿资金池",
            owner="SZ-CZJ",
            level="city",
            products=[PRODUCT],
            effective_date=OPENED_ON,
            actor=actor,
        )

    app = RiskLedger(Settings(db=db, operator=OPERATOR))
    try:
        app.transact(programme)
    finally:
        app.close()
    fund(db, loans, "bench-funds-1")


def fund(db: str, loans: int, ref: str) -> None:
    """Pays enough into the pool for `loans` more loans (R3)."""
    actor = Actor("SZ-KJJ", OPERATOR, "cli")

    def contribution(session: Session) -> None:
        session.fund_pool(
            pool="SZ-POOL",
            amount_fen=max(loans, 1) * FUNDS_PER_LOAN_FEN,
            funder="SZ-CZJ",
            ref=ref,
            effective_date=OPENED_ON,
            actor=actor,
        )

    app = RiskLedger(Settings(db=db, operator=OPERATOR))
    try:
        app.transact(contribution)
    finally:
        app.close()


def run_import(
    db: str, book: Path, bank: str, result: Path, profile: Path | None = None
) -> ImportRun:
    """Imports `book` into `db` in a child process; returns what it did and its peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), db, str(book), bank, str(result)]
    if profile is not None:
        command += ["--profile", str(profile)]
    subprocess.run(command, check=True)
    found = json.loads(result.read_text())
    found["rss_by_rows"] = [tuple(point) for point in found["rss_by_rows"]]
    return ImportRun(**found)


def _peak_rss_kib() -> int:
    """This process's peak RSS in KiB: Linux's VmHWM, else ru_maxrss.

    Not ru_maxrss on Linux: exec keeps the larger of the old and the new image's peak in it,
    so a child started by a bench process already holding 500 MB would report 500 MB.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def _import_here(db: str, book: Path, bank: str, result: Path, profile: Path | None) -> None:
    app = RiskLedger(Settings(db=db, operator=OPERATOR))
    profiler = cProfile.Profile() if profile is not None else None
    rss_by_rows: list[tuple[int, int]] = []

    def progress(rows: int, _total: int | None, _refused: int) -> None:
        rss_by_rows.append((rows, _peak_rss_kib()))

    try:
        if profiler is not None:
            profiler.enable()
        summary = import_loans(
            app,
            book,
            MAPPING,
            bank=bank,
            product=PRODUCT,
            progress=progress,
            errors=result.with_suffix(".errors.csv"),
        )
        if profiler is not None:
            profiler.disable()
    finally:
        app.close()
    if profiler is not None and profile is not None:
        profiler.dump_stats(profile)
    run = ImportRun(
        rows=summary.rows,
        imported=summary.imported,
        errors=summary.errors,
        events=summary.events,
        seconds=summary.seconds,
        peak_rss_kib=_peak_rss_kib(),
        rss_by_rows=rss_by_rows,
    )
    result.write_text(json.dumps(asdict(run)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Imports one loan book (bench/run.py's child).")
    parser.add_argument("db")
    parser.add_argument("book", type=Path)
    parser.add_argument("bank")
    parser.add_argument("result", type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    _import_here(args.db, args.book, args.bank, args.result, args.profile)


if __name__ == "__main__":
    main()
