"""riskledger's benchmark: import, rebuild, reports and memory, measured in one run.

    python bench/run.py                      # 100,000 loans on SQLite and PostgreSQL
    python bench/run.py --quick              # 5,000 loans: a smoke run of every step
    python bench/run.py --loans 20000 --backends sqlite --as-of-events 0

On a generated bank export of N loans (each registered, disbursed and repaid to date, some
defaulted and written off) it measures, per store: the import's events/s and peak RSS, as
ratios to a raw write of the same rows and to the `eventsourcing` default of one aggregate
per save; the full rebuild of the read models against a raw read-and-decode scan; and the
latency of `report pools` and `report products`, now and as of a past date. The SQLite
ledger is then topped up to --as-of-events events for the as-of report target. It prints a
table and writes RESULTS.md with the machine's description and, for each target missed,
a profile. It is a script, not a test: nothing here fails on a slow figure.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from loanbook import generate
from machine import describe, load_average
from measure import AS_OF_EVENTS_TARGET, SEED, Bench, Options, notes
from results import table, whole, write_markdown
from stores import DEFAULT_POSTGRES_ADMIN, POSTGRES, SQLITE, PostgresServer

BENCH = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH / "RESULTS.md"


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--loans", type=int, help="loans in the generated book [100,000]")
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="stores, comma-separated [sqlite,postgres]"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 5,000 loans, fewer runs, no 1M ledger"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="[bench/RESULTS.md]")
    parser.add_argument(
        "--as-of-events",
        type=int,
        help="top the SQLite ledger up to this many events for the as-of target; 0 skips "
        "[1,000,000; --quick: 0]",
    )
    parser.add_argument(
        "--skip-as-of-ledger", action="store_true", help="the same as --as-of-events 0"
    )
    parser.add_argument(
        "--as-of", default="2024-12-31", help="the past business date of the as-of reports"
    )
    parser.add_argument("--report-runs", type=int, help="runs per report latency [30; quick 10]")
    parser.add_argument(
        "--baseline-events",
        type=int,
        help="events saved by each eventsourcing baseline, at most 30 s each "
        "[100,000; quick 20,000]",
    )
    parser.add_argument(
        "--profile-loans",
        type=int,
        help="loans of the profiled import and rebuild when a target is missed; 0 skips "
        "[5,000; quick 1,000]",
    )
    parser.add_argument(
        "--postgres-rebuild",
        action=argparse.BooleanOptionalAction,
        help="also rebuild the read models and time the reports on PostgreSQL "
        "[full run: no, it takes as long again as the import; --quick: yes]",
    )
    parser.add_argument(
        "--postgres-admin",
        default=DEFAULT_POSTGRES_ADMIN,
        help="URL of the server's admin database; the bench makes its own database beside it",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where the run's directory of files and SQLite ledgers goes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    backends = tuple(name.strip() for name in args.backends.split(",") if name.strip())
    unknown = [name for name in backends if name not in (SQLITE, POSTGRES)]
    if unknown or not backends:
        parser.error(f"--backends: choose from sqlite, postgres (got {args.backends!r})")
    quick = args.quick

    def chosen(value: int | None, full: int, smoke: int) -> int:
        return value if value is not None else (smoke if quick else full)

    as_of_events = chosen(args.as_of_events, AS_OF_EVENTS_TARGET, 0)
    return Options(
        loans=chosen(args.loans, 100_000, 5_000),
        backends=backends,
        out=args.out,
        as_of_events=0 if args.skip_as_of_ledger else as_of_events,
        as_of=date.fromisoformat(args.as_of),
        report_runs=max(chosen(args.report_runs, 30, 10), 1),
        baseline_events=chosen(args.baseline_events, 100_000, 20_000),
        profile_loans=chosen(args.profile_loans, 5_000, 1_000),
        postgres_read_side=quick if args.postgres_rebuild is None else args.postgres_rebuild,
        postgres_admin=args.postgres_admin,
        workdir=args.workdir,
        keep=args.keep,
        command=shlex.join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
    )


# -- the run ---------------------------------------------------------------------------------


@contextmanager
def work_directory(options: Options) -> Iterator[Path]:
    """A new directory for the run's files (under --workdir if given); removed afterwards
    unless --keep."""
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
    made = Path(tempfile.mkdtemp(prefix="riskledger-bench-", dir=options.workdir))
    try:
        yield made
    finally:
        if options.keep:
            print(f"kept {made}", file=sys.stderr)
        else:
            shutil.rmtree(made, ignore_errors=True)


def _postgres(bench: Bench, options: Options) -> PostgresServer | None:
    if POSTGRES not in options.backends:
        return None
    server = PostgresServer(options.postgres_admin)
    try:
        bench.postgres_version = server.version()
    except Exception as error:  # any reason the server cannot be used is reported, not raised
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        bench.add("PostgreSQL", POSTGRES, f"not measured: {first_line}")
        return None
    return server


def run(options: Options) -> Bench:
    with work_directory(options) as workdir:
        bench = Bench(options, workdir)
        server = _postgres(bench, options)
        book = generate(options.loans, workdir / "book", SEED)
        bench.add(
            "loan book",
            "",
            f"{whole(options.loans)} loans, {book.stat().st_size / 1e6:,.1f} MB of CSV",
        )
        for backend in options.backends:
            if backend == SQLITE:
                db = str(workdir / "ledger.db")
                ledger, imported = bench.measure_store(SQLITE, db, book)
                try:
                    if options.as_of_events > 0:
                        bench.as_of_ledger(ledger, imported)
                finally:
                    ledger.close()
            elif server is not None:
                with server.database() as url:
                    bench.measure_store(POSTGRES, url, book)[0].close()
        bench.profile_import_and_rebuild(book)
    return bench


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    started_at = datetime.now().astimezone()
    load_before = load_average()
    started = time.perf_counter()
    bench = run(options)
    duration = time.perf_counter() - started
    machine = [
        *describe(bench.postgres_version),
        ("load average (1/5/15 min) at start", load_before),
        ("load average (1/5/15 min) at end", load_average()),
    ]
    print(table(bench.rows))
    write_markdown(
        options.out,
        command=options.command,
        started=started_at.isoformat(timespec="seconds"),
        duration_seconds=duration,
        machine=machine,
        rows=bench.rows,
        profiles=bench.profiles,
        notes=notes(options),
    )
    print(f"\nwrote {options.out} ({duration / 60:.1f} minutes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
