"""What the benchmark measures on a ledger, and how each figure becomes a row of the table:
the import and its baselines, the rebuild and its scan, the reports, the as-of ledger, and
the profiles of the targets missed."""

from __future__ import annotations

import cProfile
import math
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from baselines import Rate, library_saves, postgres_copy, read_and_decode, sqlite_executemany
from loanbook import BANK, TOP_UP_BANK, ImportRun, fund, generate, head, open_programme, run_import
from results import (
    MET,
    MISSED,
    NOT_MEASURED,
    Profile,
    Row,
    latency,
    percentile,
    profile_text,
    ratio,
    whole,
)
from sqlalchemy import Engine
from stores import POSTGRES, SQLITE, Ledger

from ledger.database import PostgresDatabase
from projections.dated import Moment
from projections.reports import NOW, pool_balances, product_statistics

SEED = 2024

# The targets.
IMPORT_TARGET = 50_000  # events/s, SQLite
REBUILD_TARGET = 100_000  # events/s
AS_OF_P95_TARGET = 0.100  # seconds
AS_OF_EVENTS_TARGET = 1_000_000
RSS_TARGET_BYTES = 500_000_000
RSS_TARGET_LOANS = 1_000_000
# The reference figures for this kind of machine (100,000 loans, 400,000 events).
RAW_WRITE_REFERENCE = {SQLITE: "≈ 212,000 (reference, executemany)", POSTGRES: "≈ 307,000 (COPY)"}
ONE_PER_SAVE_REFERENCE = {SQLITE: "≈ 7,200 (reference)"}
BATCHED_SAVE_REFERENCE = {SQLITE: "≈ 24,000 (reference, 100–1,000 per save)"}
SCAN_REFERENCE = "≈ 107,000 (reference)"
BATCHED_PER_SAVE = 500
# Each eventsourcing baseline stops after this long: its rate is steady well before.
BASELINE_SECONDS = 30.0

Report = Callable[[Engine, Moment], list[dict[str, Any]]]
REPORTS: tuple[tuple[str, Report], ...] = (
    ("report pools", pool_balances),
    ("report products", product_statistics),
)


@dataclass(frozen=True)
class Options:
    """What one run measures, and how much of it."""

    loans: int
    backends: tuple[str, ...]
    out: Path
    as_of_events: int
    as_of: date
    report_runs: int
    baseline_events: int
    profile_loans: int
    postgres_read_side: bool
    postgres_admin: str
    workdir: Path | None
    keep: bool
    command: str


def timed(work: Callable[[], int]) -> Rate:
    """Runs `work` (which returns how many things it did) and times it."""
    started = time.perf_counter()
    count = work()
    return Rate(count, time.perf_counter() - started)


def report_samples(ledger: Ledger, report: Report, moment: Moment, runs: int) -> list[float]:
    """Seconds per run of a report as the command line gives it (read models caught up
    first), after one warm-up run."""
    samples = []
    for number in range(runs + 1):
        started = time.perf_counter()
        ledger.read_models.catch_up()
        report(ledger.engine, moment)
        if number:
            samples.append(time.perf_counter() - started)
    return samples


def cli_seconds(db: str, arguments: Sequence[str]) -> str:
    """Runs `riskledger --db DB ARGUMENTS` once in a new process; returns its wall time."""
    command = [sys.executable, "-c", "from cli.main import main; main()", "--db", db]
    started = time.perf_counter()
    done = subprocess.run([*command, *arguments], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed (exit {done.returncode}): {reason}"
    return f"{seconds * 1000:,.0f} ms (one run, process start-up included)"


@dataclass
class Bench:
    """One run of the benchmark: its options, its work directory and what it found."""

    options: Options
    workdir: Path
    rows: list[Row] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    missed: set[str] = field(default_factory=set)
    postgres_version: str | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, *row: str) -> None:
        self.rows.append(Row(*row))

    def verdict(self, name: str, met: bool) -> str:
        if not met:
            self.missed.add(name)
        return MET if met else MISSED

    # -- one store ---------------------------------------------------------------------------

    def measure_store(self, backend: str, db: str, book: Path) -> tuple[Ledger, ImportRun]:
        """Imports the book into the empty ledger `db` and measures everything on it; returns
        the ledger, still open, and what the import did."""
        options = self.options
        open_programme(db, options.loans)
        run = run_import(db, book, BANK, self.workdir / f"import-{backend}.json")
        self._import_rows(backend, run, options.loans)
        ledger = Ledger.open(db)
        self._write_baselines(backend, ledger, run)
        if backend == POSTGRES and not options.postgres_read_side:
            self.add("rebuild and reports", backend, "not measured (--postgres-rebuild)")
            return ledger, run
        self._rebuild_rows(backend, ledger)
        self._report_rows(backend, ledger, "report {}")
        return ledger, run

    def _import_rows(self, backend: str, run: ImportRun, loans: int) -> None:
        label = f"{whole(run.events)} events in {run.seconds:,.1f} s; "
        label += f"{whole(run.imported)} of {whole(run.rows)} loans imported, "
        label += f"{whole(run.errors)} refused"
        rate = run.events_per_second
        if backend == SQLITE:
            target, verdict = (
                f"≥ {whole(IMPORT_TARGET)} (target)",
                self.verdict("import", rate >= IMPORT_TARGET),
            )
        else:
            target, verdict = "", ""
        self.add("import: events/s", backend, f"{whole(rate)} ({label})", target, verdict)
        peak = run.peak_rss_kib * 1024
        rss = f"{peak / 1e6:,.0f} MB at {whole(loans)} loans"
        projected = run.projected_rss_bytes(RSS_TARGET_LOANS)
        if projected is not None and loans < RSS_TARGET_LOANS:
            rss += f"; ≈ {projected / 1e6:,.0f} MB projected at {whole(RSS_TARGET_LOANS)}"
        if backend == SQLITE:
            if loans >= RSS_TARGET_LOANS or projected is None:
                verdict = self.verdict("rss", peak <= RSS_TARGET_BYTES)
                if loans < RSS_TARGET_LOANS:
                    verdict += f" at {whole(loans)} loans"
            else:
                verdict = self.verdict("rss", projected <= RSS_TARGET_BYTES) + " (projected)"
            target = f"≤ 500 MB for {whole(RSS_TARGET_LOANS)} loans (target)"
        else:
            target, verdict = "", ""
        self.add("import: peak RSS", backend, rss, target, verdict)

    def _write_baselines(self, backend: str, ledger: Ledger, run: ImportRun) -> None:
        options = self.options
        recorder: Any = ledger.app.recorder
        if backend == SQLITE:
            raw = sqlite_executemany(
                ledger.settings.sqlite_path, recorder.events_table_name, self.workdir / "raw.db"
            )
            how = "sqlite3 executemany, one transaction"
        else:
            postgres = ledger.settings.postgres
            assert postgres is not None
            raw = postgres_copy(
                postgres.connect_kwargs(), recorder.datastore.schema, recorder.events_table_name
            )
            how = "binary COPY, one transaction"
        self.add(
            "raw write of the same rows: rows/s",
            backend,
            f"{whole(raw.per_second)} ({whole(raw.count)} rows, {how})",
            RAW_WRITE_REFERENCE[backend],
        )
        import_rate = run.events_per_second
        self.add("import ÷ raw write", backend, ratio(import_rate, raw.per_second))
        for per_save, reference in ((1, ONE_PER_SAVE_REFERENCE), (BATCHED_PER_SAVE, None)):
            saved = library_saves(
                self._baseline_env(backend, ledger, per_save),
                options.baseline_events,
                per_save,
                BASELINE_SECONDS,
            )
            noun = "aggregate" if per_save == 1 else "aggregates"
            compared = (reference or BATCHED_SAVE_REFERENCE).get(backend, "")
            self.add(
                f"eventsourcing, {per_save} {noun} per save: events/s",
                backend,
                f"{whole(saved.per_second)} ({whole(saved.count)} events)",
                compared,
            )
            if per_save == 1:
                self.add(
                    "import ÷ eventsourcing 1 aggregate per save",
                    backend,
                    ratio(import_rate, saved.per_second),
                )

    def _baseline_env(self, backend: str, ledger: Ledger, per_save: int) -> dict[str, str]:
        if backend == SQLITE:
            scratch = self.workdir / f"baseline-{per_save}.db"
            scratch.unlink(missing_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(scratch),
                "CREATE_TABLE": "y",
            }
        postgres = ledger.settings.postgres
        assert postgres is not None
        # Its own tables (baseline_events …) in the bench's database, emptied first.
        self._drop_baseline_tables(postgres)
        return postgres.event_store_env()

    @staticmethod
    def _drop_baseline_tables(postgres: PostgresDatabase) -> None:
        import psycopg

        with psycopg.connect(**postgres.connect_kwargs(), autocommit=True) as connection:
            connection.execute("DROP TABLE IF EXISTS baseline_events")

    def _rebuild_rows(self, backend: str, ledger: Ledger) -> None:
        rebuilt = timed(ledger.read_models.rebuild)
        scanned = read_and_decode(ledger.app)
        if backend == SQLITE:
            target = f"≥ {whole(REBUILD_TARGET)} (target)"
            verdict = self.verdict("rebuild", rebuilt.per_second >= REBUILD_TARGET)
        else:
            target, verdict = "", ""
        self.add(
            "rebuild of every read model: events/s",
            backend,
            f"{whole(rebuilt.per_second)} ({whole(rebuilt.count)} events in "
            f"{rebuilt.seconds:,.1f} s)",
            target,
            verdict,
        )
        self.add(
            "read-and-decode scan: events/s", backend, whole(scanned.per_second), SCAN_REFERENCE
        )
        self.add("rebuild ÷ scan", backend, ratio(rebuilt.per_second, scanned.per_second))

    def _report_rows(self, backend: str, ledger: Ledger, title: str) -> dict[str, list[float]]:
        """Adds a row per report, now and as of the past date; returns the as-of samples."""
        runs = self.options.report_runs
        past = Moment(as_of=self.options.as_of)
        as_of_samples = {}
        for name, report in REPORTS:
            label = title.format(name.removeprefix("report "))
            self.add(label, backend, latency(report_samples(ledger, report, NOW, runs)))
            samples = report_samples(ledger, report, past, runs)
            as_of_samples[name] = samples
            self.add(f"{label} --as-of {self.options.as_of}", backend, latency(samples))
        return as_of_samples

    # -- the as-of target --------------------------------------------------------------------

    def as_of_ledger(self, ledger: Ledger, first: ImportRun) -> None:
        """Tops the SQLite ledger up to --as-of-events with a second bank's book, catches the
        read models up and measures the as-of reports on it (the 1,000,000-event target)."""
        options = self.options
        wanted = options.as_of_events
        held = ledger.app.event_count()
        if held < wanted:
            per_loan = max(first.events / max(first.imported, 1), 1.0)
            top_up = math.ceil((wanted - held) / per_loan * 1.02) + 10
            book = generate(top_up, self.workdir / "top-up", SEED + 1)
            fund(ledger.db, top_up, "bench-funds-2")
            run = run_import(ledger.db, book, TOP_UP_BANK, self.workdir / "import-top-up.json")
            self.add(
                "top-up import: events/s",
                SQLITE,
                f"{whole(run.events_per_second)} ({whole(top_up)} loans of {TOP_UP_BANK}, "
                f"{whole(run.events)} events, {whole(run.errors)} refused; "
                f"peak RSS {run.peak_rss_kib * 1024 / 1e6:,.0f} MB)",
            )
            caught = timed(ledger.read_models.catch_up)
            self.add(
                "catch-up of the top-up's events: events/s",
                SQLITE,
                f"{whole(caught.per_second)} ({whole(caught.count)} events)",
            )
        events = ledger.app.event_count()
        self.add("as-of ledger: events", SQLITE, whole(events), f"≥ {whole(wanted)} wanted")
        samples = self._report_rows(SQLITE, ledger, "as-of ledger: report {}")
        worst = max(percentile(found, 0.95) for found in samples.values())
        full_size = events >= AS_OF_EVENTS_TARGET
        verdict = self.verdict("as-of", worst <= AS_OF_P95_TARGET) if full_size else NOT_MEASURED
        if not full_size:
            verdict += f" (ledger of {whole(events)} events)"
        self.add(
            "as-of report p95, worst of pools and products",
            SQLITE,
            f"{worst * 1000:,.1f} ms",
            f"≤ 100 ms on {whole(AS_OF_EVENTS_TARGET)} events (target)",
            verdict,
        )
        for name, _ in REPORTS:
            for extra in ([], ["--as-of", options.as_of.isoformat()]):
                arguments = [*name.split()[:2], *extra, "--format", "json"]
                self.add(
                    f"as-of ledger: riskledger {' '.join(arguments)}",
                    SQLITE,
                    cli_seconds(ledger.db, arguments),
                )
        if "as-of" in self.missed:
            self._profile_as_of(ledger)

    # -- profiles of the targets missed ------------------------------------------------------

    def _profile_as_of(self, ledger: Ledger) -> None:
        past = Moment(as_of=self.options.as_of)
        for name, report in REPORTS:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                report(ledger.engine, past)
            profiler.disable()
            self.profiles.append(
                Profile(
                    f"{name} --as-of {past.as_of}, 5 runs on the as-of ledger",
                    profile_text(profiler),
                )
            )

    def profile_import_and_rebuild(self, book: Path) -> None:
        """Profiles an import of the book's first --profile-loans loans into a new SQLite
        ledger, and the rebuild of its read models, when either target was missed."""
        loans = min(self.options.profile_loans, self.options.loans)
        if loans <= 0 or not self.missed & {"import", "rebuild"}:
            return
        db = str(self.workdir / "profile.db")
        open_programme(db, loans)
        part = head(book, loans, self.workdir / "profile-book.csv")
        dump = self.workdir / "import.prof"
        run = run_import(db, part, BANK, self.workdir / "import-profile.json", profile=dump)
        if "import" in self.missed:
            self.profiles.append(
                Profile(
                    f"import of {whole(loans)} loans ({whole(run.events)} events) on SQLite, "
                    "under cProfile",
                    profile_text(dump),
                )
            )
        if "rebuild" in self.missed:
            ledger = Ledger.open(db)
            try:
                profiler = cProfile.Profile()
                profiler.enable()
                ledger.read_models.rebuild()
                profiler.disable()
            finally:
                ledger.close()
            self.profiles.append(
                Profile(
                    f"rebuild of the same ledger ({whole(run.events)} events), under cProfile",
                    profile_text(profiler),
                )
            )


# -- how ------------------------------------------------------------------------------------


def notes(options: Options) -> list[str]:
    """How each figure was measured, for RESULTS.md."""
    return [
        "The book is `examples/import/generate.py --layout cn` (seed 2024), imported with "
        "`import_loans` (what `riskledger import loans` runs) under `examples/import/"
        "cn_bank_mapping.toml` and the 科技贷 product; each loan is registered, disbursed and "
        "repaid to date, some default and are written off, with its borrower's and the "
        "product exposure's events. events/s counts every event the import stored, over its "
        "own clock (file reading and rule checks included; process start-up excluded).",
        "Each import runs in a child process; its peak RSS is that process's VmHWM "
        "(/proc/self/status), sampled after every batch: ru_maxrss would carry over the "
        "bench's own RSS through exec. 'Projected' extends the peak's growth over the second "
        "half of the import linearly to 1,000,000 loans.",
        "Raw write: the stored-event rows the import wrote, read back and written again "
        "into an empty table of the same schema in one transaction (sqlite3 executemany; "
        "PostgreSQL binary COPY); only the write is timed.",
        f"eventsourcing baselines: the library's Application with its default settings "
        f"saving loans of four events each, 1 and {BATCHED_PER_SAVE} aggregates per save, "
        f"{whole(options.baseline_events)} events each or {BASELINE_SECONDS:.0f} s, whichever "
        "comes first; creating the aggregates is timed too.",
        "Rebuild: `ReadModels.rebuild()` (drop, recreate, fold every event, as `riskledger "
        "projections rebuild`). Scan: `select_notifications` in batches of 1,000 and "
        "`mapper.to_domain_event` for each, folding nothing.",
        f"Reports: `pool_balances` / `product_statistics` after `ReadModels.catch_up()`, as "
        f"the commands run them, in process, {options.report_runs} runs after one warm-up; "
        "p95 is the nearest-rank percentile. The riskledger command lines were run once each "
        "in a new process.",
        "Other work on the machine skews every figure: see the load averages above.",
    ]
