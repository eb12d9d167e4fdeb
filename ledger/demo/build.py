"""Recording the demo programme into an empty ledger, through the ordinary commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from domain.errors import RuleViolation
from ledger.app import RiskLedger, Session
from ledger.demo.dates import AS_OF
from ledger.demo.institutions import INSTITUTIONS
from ledger.demo.plan import FULL_SIZE_LOANS, plan_demo
from ledger.demo.steps import Step

Progress = Callable[[str, int, int], None]

# Steps per atomic save. Bigger batches reload fewer loans between saves; a few thousand
# events per SQLite transaction is still quick to write.
BATCH_STEPS = 2500


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo recorded: the programme's size and the ledger's event count."""

    seed: int
    as_of: date
    institutions: int
    enterprises: int
    loans: int
    loans_paid_off: int
    defaults: int
    claims_filed: int
    claims_approved: int
    claims_rejected: int
    recoveries: int
    events: int


def _record(steps: Sequence[Step], session: Session) -> None:
    # Only the session's own commands, so the demo passes every rule a user's input would.
    for step in steps:
        getattr(session, step.command)(actor=step.actor, **step.args)


def build_demo(
    ledger: RiskLedger,
    *,
    seed: int = 2024,
    loans: int = FULL_SIZE_LOANS,
    progress: Progress | None = None,
) -> DemoSummary:
    """Records a seeded city programme into an empty ledger; the same seed, the same ledger."""
    held = ledger.event_count()
    if held > 0:
        raise RuleViolation(
            "demo", "db", f"the database already holds {held} events; the demo needs an empty one"
        )
    report = progress or (lambda stage, done, total: None)
    report("planning", 0, 1)
    plan = plan_demo(seed=seed, loans=loans)
    report("planning", 1, 1)
    total = len(plan.steps)
    report("recording", 0, total)
    for first in range(0, total, BATCH_STEPS):
        batch = plan.steps[first : first + BATCH_STEPS]
        ledger.transact(partial(_record, batch))
        report("recording", first + len(batch), total)
    return DemoSummary(
        seed=seed,
        as_of=AS_OF,
        institutions=len(INSTITUTIONS),
        enterprises=len(plan.enterprises),
        loans=len(plan.loans),
        loans_paid_off=plan.paid_off,
        defaults=plan.count("declare_default"),
        claims_filed=plan.count("file_claim"),
        claims_approved=plan.count("approve_claim"),
        claims_rejected=plan.count("reject_claim"),
        recoveries=plan.count("record_recovery"),
        events=ledger.event_count(),
    )
