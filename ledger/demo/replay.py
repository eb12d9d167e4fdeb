"""Replaying the plan into the ledger: the ordinary session commands, in business-date order.

The plan cannot know how the ledger will stand when a loan is registered: a month-end close
of business may have suspended the bank under the product (R4). That one refusal is
expected and handled the same way every time: the loan goes to the next bank in the cast's
order that may still lend under the product (a new loan number there), and all its later
steps follow it; when the product has stopped, or every bank is suspended, the loan is not
made and its steps are skipped. Any other refusal is a fault of the plan and fails the build.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from ledger.app import Session
from ledger.close_of_business import DayClose, close_business_day
from ledger.demo.institutions import BANKS, bank_actor
from ledger.demo.loans import PlannedLoan
from ledger.demo.steps import CLOSE_DAY, Step

if TYPE_CHECKING:
    from ledger.app import RiskLedger

R = TypeVar("R")
# Steps per atomic save. Bigger batches save less often; a few thousand events per SQLite
# transaction is still quick to write.
BATCH_STEPS = 2500
# Loans a suspended bank could not take are numbered from here at the bank that took them.
REFERRED_FROM = 90_001

Progress = Callable[[str, int, int], None]


class ReplayLedger:
    """The ledger as the demo, its only writer, drives it: what it saved stays loaded.

    It offers what sessions and the close of business use of a `RiskLedger` (a repository to
    load from, `transact`, the notification log), but keeps every aggregate it loaded or
    saved, so an open loan's history is read once rather than at every month's payments and
    every close. With no other writer, what memory holds is what the store holds: a save
    that conflicts is a fault, never retried.
    """

    def __init__(self, ledger: RiskLedger) -> None:
        self.ledger = ledger
        self.recorder = ledger.recorder
        self.mapper = ledger.mapper
        self.repository = self
        self._loaded: dict[UUID, Aggregate] = {}

    def get(self, aggregate_id: UUID) -> Aggregate:
        """Returns the aggregate as last saved, read from the store the first time only."""
        found = self._loaded.get(aggregate_id)
        if found is None:
            found = self._loaded[aggregate_id] = self.ledger.repository.get(aggregate_id)
        return found

    def transact(self, command: Callable[[Session], R]) -> R:
        """Runs `command` in a session and saves everything it changed atomically."""
        session = Session(self)  # type: ignore[arg-type]  # the parts of RiskLedger it uses
        result = command(session)
        touched = session.touched()
        self.ledger.save(*touched)
        self._loaded.update((aggregate.id, aggregate) for aggregate in touched)
        return result

    def aggregates(self) -> list[Aggregate]:
        """Every aggregate loaded or saved so far."""
        return list(self._loaded.values())


class Replay:
    """Records a plan's steps, routing each planned loan to the bank that registered it."""

    def __init__(self, ledger: RiskLedger, loans: Sequence[PlannedLoan]) -> None:
        self.writer = ReplayLedger(ledger)
        self.loans = {loan.number: loan for loan in loans}
        self.routes: dict[int, tuple[str, str]] = {}
        self.refused: set[int] = set()
        self.rerouted = 0
        self.referred: dict[tuple[str, int], int] = {}
        self.done: Counter[str] = Counter()
        self.closes: list[DayClose] = []

    def run(self, steps: Sequence[Step], progress: Progress) -> None:
        """Records every step in order: batches of commands, and each close between them."""
        batch: list[Step] = []
        progress("recording", 0, len(steps))
        for position, step in enumerate(steps, start=1):
            if step.command != CLOSE_DAY:
                batch.append(step)
                if len(batch) < BATCH_STEPS and position < len(steps):
                    continue
            if batch:
                self.writer.transact(lambda s, batch=batch: self.record(batch, s))
                batch = []
            if step.command == CLOSE_DAY:
                self.close(step)
            progress("recording", position, len(steps))

    def close(self, step: Step) -> None:
        """Closes the business day as the scheduler does (R4, R5, R6)."""
        assert step.actor is not None
        closing = close_business_day(self.writer, step.day, step.actor)  # type: ignore[arg-type]
        if not closing.closed_now:
            raise RuntimeError(f"the demo's close of {step.day} found the day closed already")
        self.closes.append(closing)
        self.done[CLOSE_DAY] += 1

    def record(self, steps: Sequence[Step], session: Session) -> None:
        # Only the session's own commands, so the demo passes every rule a user's input would.
        for step in steps:
            if step.loan in self.refused:
                continue
            if step.command == "register_loan":
                self.register(step, session)
                continue
            keys: dict[str, str] = {}
            if step.loan is not None and step.loan_keys:
                keys["bank"], keys["reference"] = self.routes[step.loan]
            actor = step.actor or bank_actor(keys["bank"])
            getattr(session, step.command)(actor=actor, **keys, **step.args)
            self.done[step.command] += 1

    def register(self, step: Step, session: Session) -> None:
        """Registers a planned loan at its bank, or at the next one R4 still lets lend."""
        assert step.loan is not None
        loan = self.loans[step.loan]
        start = [bank.code for bank in BANKS].index(loan.bank)
        for bank in (BANKS[(start + offset) % len(BANKS)] for offset in range(len(BANKS))):
            referred = bank.code != loan.bank
            numbering = (bank.code, loan.start_date.year)
            number = self.referred.get(numbering, REFERRED_FROM)
            reference = (
                f"{bank.loan_prefix}{numbering[1]}{number:05d}" if referred else loan.reference
            )
            try:
                # R4 is judged before the registration changes anything: a refusal writes
                # nothing, and the same session goes on.
                session.register_loan(
                    bank=bank.code, reference=reference, actor=bank_actor(bank.code), **step.args
                )
            except RuleViolation as refused:
                if refused.rule != "R4" or refused.field not in ("bank", "product"):
                    raise
                if refused.field == "product":
                    break  # the product has stopped: no bank may lend under it
                continue
            if referred:
                self.referred[numbering] = number + 1
                self.rerouted += 1
            self.routes[loan.number] = (bank.code, reference)
            self.done[step.command] += 1
            return
        self.refused.add(loan.number)
