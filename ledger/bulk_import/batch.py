"""Batches of rows saved one after another, each in one atomic write.

A batch's loans, their covers and borrowers and the product's exposure are saved together
(`app.save(*aggregates)`: one transaction), so a batch is all or nothing; memory holds one
batch and what it shares with the next, never the file.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain.errors import DomainError
from domain.guarantee import Guarantee
from domain.ids import enterprise_id, guarantee_id, loan_id, policy_id
from domain.loan import Loan
from domain.policy import InsurancePolicy
from ledger.bulk_import.admission import IMPORTED, ImportSession
from ledger.bulk_import.records import LoanRow, RowError, RowRefused
from ledger.bulk_import.store import stored_versions
from ledger.recorders import EXPECTED_VERSIONS

if TYPE_CHECKING:
    from ledger.app import RiskLedger

MAX_ATTEMPTS = 8
# After this many conflicts in a row a batch is split in halves (smaller saves conflict less).
SPLIT_AFTER = 2
# Full jitter: after its n-th conflict a batch waits up to min(CAP, BASE * 2**n) seconds.
BACKOFF_BASE = 0.01
BACKOFF_CAP = 0.5
_jitter = random.Random()


@dataclass
class BatchOutcome:
    """What one batch did: loans imported, rows already in the ledger, row errors, events."""

    imported: int = 0
    present: int = 0
    events: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, other: BatchOutcome) -> BatchOutcome:
        """Returns this outcome and `other` together (two halves of one batch)."""
        return BatchOutcome(
            imported=self.imported + other.imported,
            present=self.present + other.present,
            events=self.events + other.events,
            errors=[*self.errors, *other.errors],
        )


class ConcurrencyError(DomainError):
    """Other writers kept changing what a batch shares; the batch was not saved."""


def batch_ids(rows: Sequence[LoanRow]) -> set[UUID]:
    """The loans and borrowers a batch's rows may create."""
    ids: set[UUID] = set()
    for row in rows:
        ids.update((loan_id(row.bank, row.reference), enterprise_id(row.uscc)))
    return ids


def _absent(candidates: set[UUID], stored: Iterable[UUID]) -> set[UUID]:
    """The candidates the store lacks, with the covers of the loans it lacks: a guarantee or
    policy is only ever issued on a loan already recorded."""
    missing = candidates.difference(stored)
    return missing | {cover(id_) for id_ in missing for cover in (guarantee_id, policy_id)}


# A file names each loan once: its loan and cover are seldom needed by a later batch.
_NOT_CARRIED = (Loan, Guarantee, InsurancePolicy)


class BatchWriter:
    """Saves batches of rows one after another, each atomically.

    What a batch loaded or created (the product, its pools and exposure, the banks, the
    batch's borrowers and loans) is carried into the next batch rather than read again: the
    exposure alone gains a few events per loan, and replaying them from the store at every
    batch would cost more than the batch. A carried aggregate is used only while the store
    still holds it at the version carried; anything another writer changed meanwhile is
    read afresh, and a save that conflicts all the same drops everything carried and reruns.
    """

    def __init__(self, app: RiskLedger, operator: str) -> None:
        self.app = app
        self.operator = operator
        self._carried: dict[UUID, Aggregate] = {}

    def save(self, rows: Sequence[LoanRow]) -> BatchOutcome:
        """Admits every row and saves the batch atomically; returns what it did.

        A save that conflicts with another writer is rerun on fresh state after a short
        random pause; a batch that keeps conflicting is split in halves, each saved on its
        own, so a busy product still lets a bulk import through.
        """
        for attempt in range(MAX_ATTEMPTS):
            outcome = self._attempt(rows)
            if outcome is not None:
                return outcome
            self._carried = {}
            if len(rows) > 1 and attempt + 1 >= SPLIT_AFTER:
                half = len(rows) // 2
                return self.save(rows[:half]).add(self.save(rows[half:]))
            time.sleep(_jitter.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
        raise ConcurrencyError(
            "FILE",
            f"a batch conflicted with other writers {MAX_ATTEMPTS} times; the batches before "
            "it are saved: run the import again to complete it",
        )

    def _attempt(self, rows: Sequence[LoanRow]) -> BatchOutcome | None:
        """Admits the rows and saves them at once; None when the save conflicted."""
        candidates = batch_ids(rows)
        versions = stored_versions(self.app, candidates | self._carried.keys())
        session = ImportSession(
            self.app,
            self.operator,
            absent=_absent(candidates, versions),
            carried=[a for a in self._carried.values() if versions.get(a.id) == a.version],
        )
        outcome = BatchOutcome()
        for row in rows:
            try:
                admitted = session.admit(row)
            except RowRefused as refusal:
                outcome.errors.append(refusal.error)
                continue
            if admitted == IMPORTED:
                outcome.imported += 1
            else:
                outcome.present += 1
        changed = session.changed()
        outcome.events = sum(len(aggregate.pending_events) for aggregate in changed)
        if changed:
            try:
                self.app.save(*changed, **{EXPECTED_VERSIONS: session.expected_versions()})
            except RecordConflictError:
                return None
        self._carried = {
            aggregate.id: aggregate
            for aggregate in session.used()
            if not isinstance(aggregate, _NOT_CARRIED)
        }
        return outcome
