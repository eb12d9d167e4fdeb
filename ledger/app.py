"""The riskledger application: every command a programme's parties can give.

Commands run inside a `Session`, which loads the aggregates a command needs, lets the
domain decide, and is saved in one atomic write with optimistic concurrency: either every
event of the session is stored or none is. A version conflict reruns the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

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
from ledger.settings import Settings
from ledger.suspension import SuspensionCommands
from ledger.transcodings import ActorAsDict, DateAsISO, snapshot_transcodings

R = TypeVar("R")

MAX_ATTEMPTS = 5


class ConcurrencyError(DomainError):
    """Other writers kept changing the same aggregates; the command was not applied."""


class RiskLedger(Application[UUID]):
    """The ledger of one risk-sharing programme, stored as events."""

    name = "riskledger"
    # Every registration and principal repayment under a product lands on its exposure (R3):
    # a snapshot every 200 events keeps loading it short however long its history grows.
    snapshotting_intervals: ClassVar[dict[type[Aggregate], int]] = {Exposure: 200}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__(env=settings.event_store_env())

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ActorAsDict())
        # What aggregates keep beyond plain data, so any of them can be snapshotted.
        for transcoding in snapshot_transcodings():
            transcoder.register(transcoding)

    def transact(self, command: Callable[[Session], R]) -> R:
        """Runs `command` in a session and saves all it changed atomically; retries conflicts."""
        for _ in range(MAX_ATTEMPTS):
            session = Session(self)
            result = command(session)
            try:
                self.save(*session.touched())
            except RecordConflictError:
                continue
            return result
        raise ConcurrencyError(
            "ledger", f"the command conflicted with other writers {MAX_ATTEMPTS} times; try again"
        )

    def event_count(self) -> int:
        """How many events the ledger holds."""
        return self.recorder.max_notification_id() or 0

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
