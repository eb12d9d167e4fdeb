"""The riskledger application: every command a programme's parties can give.

Commands run inside a `Session`, which loads the aggregates a command needs, lets the
domain decide, and is saved in one atomic write with optimistic concurrency: either every
event of the session is stored or none is. A version conflict reruns the session, after a
short random pause, a bounded number of times.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError
from eventsourcing.utils import Environment, EnvType

from domain.errors import DomainError
from domain.exposure import Exposure
from domain.loan import Loan
from domain.pool import RiskPool
from ledger.claims import ClaimCommands
from ledger.close_of_business import CloseOfBusinessCommands
from ledger.corrections import CorrectionCommands
from ledger.cover import CoverCommands
from ledger.lending import LendingCommands
from ledger.programme import ProgrammeCommands
from ledger.recorders import EXPECTED_VERSIONS, RECORDER_TOPICS
from ledger.settings import Settings
from ledger.suspension import SuspensionCommands
from ledger.transcodings import ActorAsDict, DateAsISO, snapshot_transcodings

R = TypeVar("R")

MAX_ATTEMPTS = 20
# Full jitter: after a command's n-th conflict it waits a random time of up to
# min(BACKOFF_CAP, BACKOFF_BASE * 2**(n-1)) seconds before rerunning, so writers that collided
# spread out instead of colliding again in lockstep. Under eight writers on one product the
# busiest aggregate (its exposure) meets a conflict every other command or so (bench/
# concurrency.py); the 19 pauses of a command that never gets through add up to 7.1 s at
# most, 3.6 s on average, before it is refused with ConcurrencyError.
BACKOFF_BASE = 0.01
BACKOFF_CAP = 0.5
_jitter = random.Random()


def _pause_before_rerun(conflicts_before: int) -> None:
    """Sleeps a random time, longer the more conflicts the command already met."""
    time.sleep(_jitter.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**conflicts_before)))


class ConcurrencyError(DomainError):
    """Other writers kept changing the same aggregates; the command was not applied."""


class RiskLedger(Application[UUID]):
    """The ledger of one risk-sharing programme, stored as events."""

    name = "riskledger"
    # Every registration and principal repayment under a product lands on its exposure (R3):
    # a snapshot every 200 events keeps loading it short however long its history grows.
    snapshotting_intervals: ClassVar[dict[type[Aggregate], int]] = {Exposure: 200}
    # A process that gives many commands (a worker, the scheduler, the demo) keeps the
    # aggregates it loaded and only reads the events stored since: each load still sees the
    # latest state, and the busy exposure is not replayed from its snapshot every time.
    # AGGREGATE_CACHE_MAXSIZE in the environment overrides the size.
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Save conflicts this ledger object has met since it was opened (bench/ reads it).
        self.conflicts = 0
        env = settings.event_store_env()
        # The recorder that also refuses a save when what a decision read has moved on.
        topic = RECORDER_TOPICS.get(env.get("PERSISTENCE_MODULE", ""))
        if topic is not None:
            env.setdefault("APPLICATION_RECORDER_TOPIC", topic)
        postgres = settings.postgres
        if postgres is not None:
            # One short connection first: an unreachable database is named at once, and
            # where the tables exist the library skips its dozen CREATE … IF NOT EXISTS.
            tables = [f"{self.name}_events", f"{self.name}_snapshots"]
            schema = os.environ.get("POSTGRES_SCHEMA", "").strip() or "public"
            timeout = int(env["POSTGRES_CONNECT_TIMEOUT"])
            if not postgres.missing_tables(tables, schema, timeout):
                env["CREATE_TABLE"] = "n"
        super().__init__(env=env)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # eventsourcing reads RISKLEDGER_<KEY> before <KEY>: where the settings name the
        # store (the --db URL, the pool), no such variable in the shell may override them.
        environment = super().construct_env(name, env)
        for key in env or {}:
            environment.pop(f"{name.upper()}_{key}", None)
        return environment

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ActorAsDict())
        # What aggregates keep beyond plain data, so any of them can be snapshotted.
        for transcoding in snapshot_transcodings():
            transcoder.register(transcoding)

    def transact(self, command: Callable[[Session], R]) -> R:
        """Runs `command` in a session and saves all it changed atomically; retries conflicts.

        A conflict (another writer saved one of the aggregates the session changed or relied
        on) reruns the command on fresh state after a random pause; after MAX_ATTEMPTS
        conflicts in a row, ConcurrencyError, and nothing of the command is written.
        """
        for attempt in range(MAX_ATTEMPTS):
            session = Session(self)
            result = command(session)
            try:
                self.save(*session.touched(), **{EXPECTED_VERSIONS: session.expected_versions()})
            except RecordConflictError:
                self.conflicts += 1
                if attempt + 1 < MAX_ATTEMPTS:
                    _pause_before_rerun(attempt)
                continue
            return result
        raise ConcurrencyError(
            "ledger", f"the command conflicted with other writers {MAX_ATTEMPTS} times; try again"
        )

    def last_position(self) -> int:
        """The position of the last recorded event, 0 before any.

        Positions order the log but do not count it: PostgreSQL's sequence skips the number
        a lost race took.
        """
        return self.recorder.max_notification_id() or 0

    def event_count(self) -> int:
        """How many events the ledger holds."""
        recorder = self.recorder
        if not hasattr(recorder, "datastore"):  # in memory: nothing is ever skipped
            return self.last_position()
        schema = getattr(recorder.datastore, "schema", None)
        table = (
            f'"{schema}"."{recorder.events_table_name}"' if schema else (recorder.events_table_name)
        )
        with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute(f"SELECT COUNT(*) AS n FROM {table}")
            return int(cursor.fetchone()["n"])

    def get_loan(self, bank: str, reference: str) -> Loan:
        """Returns the loan a bank registered under `reference`."""
        return Session(self).loan(bank, reference)

    def get_pool(self, code: str) -> RiskPool:
        return Session(self).pool(code)


class Session(
    ProgrammeCommands,
    LendingCommands,
    ClaimCommands,
    CoverCommands,
    CloseOfBusinessCommands,
    CorrectionCommands,
    SuspensionCommands,
):
    """Every command a programme's parties can give, on one session's aggregates."""
