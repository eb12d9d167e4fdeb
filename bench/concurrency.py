"""Events written per second by eight writer processes at once, on SQLite and PostgreSQL.

    python bench/concurrency.py                        # 8 writers x 300 commands, both stores
    python bench/concurrency.py --commands 100 --backends sqlite
    python bench/concurrency.py --follow               # with `projections follow` running too

The writers give the mixed stream of tests/concurrency/workload.py (registrations toward the
leverage limit, repayments, defaults, claims filed, approved and paid on the same loans,
contributions, recoveries), all on one product and one pool: every registration, principal
repayment and approval lands on the product's exposure, so the writers keep colliding. Per
store it prints the commands given, the events written, the seconds from the moment every
writer was ready to the moment the last one finished, events/s and commands/s, the
conflicts met (each reran its command after a random pause) and the commands given up
after MAX_ATTEMPTS conflicts. It is a script, not a test: nothing here fails on a figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "concurrency"))

from following import FollowerProcess, read_models_of, wait_until  # noqa: E402
from workload import run_workers, set_up  # noqa: E402

from ledger.app import MAX_ATTEMPTS, RiskLedger  # noqa: E402
from ledger.database import PostgresDatabase  # noqa: E402
from ledger.settings import Settings  # noqa: E402

DEFAULT_POSTGRES_ADMIN = os.environ.get(
    "RISKLEDGER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def store(backend: str, folder: Path, admin_url: str) -> Iterator[str]:
    """Yields the `--db` of a new, empty store; a PostgreSQL database is dropped after."""
    if backend == "sqlite":
        yield str(folder / "concurrency.db")
        return
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    admin = PostgresDatabase.from_url(admin_url)
    name = f"riskledger_bench_concurrency_{os.getpid()}"

    def run(statement: sql.Composable) -> None:
        with closing(psycopg.connect(**admin.connect_kwargs(), autocommit=True)) as connection:
            connection.execute(statement)

    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def measure(db: str, folder: Path, *, workers: int, commands: int, follow: bool) -> dict[str, Any]:
    """Runs the writers once on the empty store `db`; returns what they did and how fast."""
    ledger = RiskLedger(Settings(db=db, operator="bench"))
    set_up(ledger)
    follower = None
    if follow:
        models = read_models_of(ledger)
        follower = FollowerProcess(db, folder / "follow.log", interval=0.1).start()
    reports = run_workers(db, workers=workers, seed=1, count=commands, folder=folder)
    if follower is not None:
        last = ledger.recorder.max_notification_id()
        wait_until(lambda: models.position() == last, "the follower to catch up")
        follower.stop()
        models.engine.dispose()
    ledger.close()
    outcomes = [o for report in reports for o in report["outcomes"]]
    seconds = max(report["seconds"] for report in reports)
    written = sum(report["written"] for report in reports)
    conflicts = sum(report["conflicts"] for report in reports)
    return {
        "commands": len(outcomes),
        "events": written,
        "seconds": seconds,
        "events_per_second": written / seconds,
        "commands_per_second": len(outcomes) / seconds,
        "conflicts": conflicts,
        "conflicts_per_command": conflicts / len(outcomes),
        "gave_up": sum(o["result"] == "gave_up" for o in outcomes),
        "retried_by_client": sum(o["tries"] > 1 for o in outcomes),
        "results": Counter(o["result"] for o in outcomes),
        "refusals": Counter(o["why"] for o in outcomes if o["result"] == "refused"),
    }


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench/concurrency.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--workers", type=int, default=8, help="writer processes [8]")
    parser.add_argument("--commands", type=int, default=300, help="commands per writer [300]")
    parser.add_argument("--backends", default="sqlite,postgres", help="[sqlite,postgres]")
    parser.add_argument(
        "--follow", action="store_true", help="run `projections follow` during the writing"
    )
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_ADMIN, help="admin URL")
    options = parser.parse_args(argv)
    print(
        f"{options.workers} writers x {options.commands} commands, one product and pool; "
        f"{os.cpu_count()} cores; conflicts retried up to {MAX_ATTEMPTS} attempts"
        + ("; projections follow running" if options.follow else "")
    )
    for backend in options.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="riskledger-concurrency-") as tmp:
            folder = Path(tmp)
            before = load_average()
            with store(backend, folder, options.postgres) as db:
                found = measure(
                    db,
                    folder,
                    workers=options.workers,
                    commands=options.commands,
                    follow=options.follow,
                )
        results = ", ".join(f"{k} {v}" for k, v in sorted(found["results"].items()))
        refusals = ", ".join(f"{k} {v}" for k, v in found["refusals"].most_common())
        print(
            f"\n{backend}: {found['events']:,} events from {found['commands']:,} commands in "
            f"{found['seconds']:.1f} s: {found['events_per_second']:,.0f} events/s, "
            f"{found['commands_per_second']:,.0f} commands/s\n"
            f"  conflicts {found['conflicts']:,} ({found['conflicts_per_command']:.2f} per "
            f"command); given up {found['gave_up']} (given again by the writer: "
            f"{found['retried_by_client']})\n"
            f"  {results}; refused by {refusals}\n"
            f"  load average before {before}, after {load_average()}"
        )


if __name__ == "__main__":
    main()
