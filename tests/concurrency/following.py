"""`riskledger projections follow` as a process of its own, and the read models' contents.

The follower runs as the real command line in a child process, on the `--db` a test names,
with no RISKLEDGER_* variable from the shell that started pytest. Its output goes to a file
(never a pipe a test might forget to drain).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ledger.app import RiskLedger
from ledger.settings import Settings
from projections.runner import ReadModels, open_engine
from projections.schema import metadata, schema, tracking

RISKLEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
# A safety net for waits on another process: generous, and never reached when all is well.
PATIENCE_SECONDS = 120.0


def riskledger_env() -> dict[str, str]:
    """This process's environment without any RISKLEDGER_* setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RISKLEDGER_")}


class FollowerProcess:
    """`riskledger --db DB projections follow` started, killed or stopped by a test."""

    def __init__(self, db: str, log: Path, *, interval: float = 0.05, report_every: float = 1.0):
        self.argv = [
            *RISKLEDGER,
            "--db",
            db,
            "projections",
            "follow",
            "--interval",
            str(interval),
            "--report-every",
            str(report_every),
        ]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> FollowerProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, env=riskledger_env()
            )
        return self

    def kill(self) -> int:
        """SIGKILL: the follower gets no chance to finish anything. Returns the exit code."""
        return self._signal(signal.SIGKILL)

    def stop(self) -> int:
        """SIGTERM: the follower stops after the batch it is folding. Returns the exit code."""
        return self._signal(signal.SIGTERM)

    def _signal(self, number: int) -> int:
        assert self.process is not None, "the follower was never started"
        self.process.send_signal(number)
        return self.process.wait(timeout=PATIENCE_SECONDS)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Polls `condition` until it holds; fails naming `what` if it never does."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def read_models_of(ledger: RiskLedger) -> ReadModels:
    """The read models of the ledger's store, on an engine of their own (tables made if new)."""
    settings: Settings = ledger.settings
    return ReadModels(ledger, open_engine(settings.read_model_url(), settings.read_model_options()))


def read_model_tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows, in a fixed order: equal contents compare equal."""
    bookkeeping = {schema.name, tracking.name}
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.execute(select(table))),
                key=repr,
            )
            for table in metadata.sorted_tables
            if table.name not in bookkeeping
        }


def differences(
    followed: dict[str, list[tuple[Any, ...]]], rebuilt: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    """Names each table whose rows differ, with a few of the rows only one side has."""
    found: list[str] = []
    for name in sorted(set(followed) | set(rebuilt)):
        mine, theirs = set(followed.get(name, [])), set(rebuilt.get(name, []))
        if mine != theirs or len(followed.get(name, [])) != len(rebuilt.get(name, [])):
            only_followed = sorted(mine - theirs, key=repr)[:3]
            only_rebuilt = sorted(theirs - mine, key=repr)[:3]
            found.append(
                f"{name}: followed {len(followed.get(name, []))} rows, rebuilt "
                f"{len(rebuilt.get(name, []))}; only followed {only_followed}; "
                f"only rebuilt {only_rebuilt}"
            )
    return found
