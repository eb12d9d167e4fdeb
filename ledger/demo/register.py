"""The enterprise register (企业库): when each enterprise entered it, and what it is recognised as.

Qualifications carry their validity dates (R1). Most last beyond the demo; a few lapse (a
certificate not renewed), and the planner lends under a product that asks for one only
while the borrower holds it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.enterprise import Qualification
from domain.schedule import add_months
from ledger.demo.dates import (
    AS_OF,
    FIRST_BATCH_UNTIL,
    REGISTER_FROM,
    REGISTER_UNTIL,
    next_weekday,
)
from ledger.demo.enterprises import DemoEnterprise

HIGH_TECH = "高新技术企业"
TECH_SME = "科技型中小企业"
# The register opened with a large first batch; the rest joined as the programme grew.
FIRST_BATCH_SHARE = 0.4
QUALIFICATION_SHARES = ((TECH_SME, 0.75), (HIGH_TECH, 0.40))
LAPSING_SHARE = 0.06
# 科技型中小企业 entries of the demo's years are valid through the end of 2026.
TECH_SME_VALID_TO = date(2026, 12, 31)
# A bank lends no sooner than this after the enterprise entered the register.
DUE_DILIGENCE_DAYS = 14


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """An enterprise's entry in the register and the qualifications recorded with it."""

    entered_on: date
    qualifications: tuple[Qualification, ...]

    def may_borrow(self, required: Sequence[str], day: date) -> bool:
        """True when a bank may lend on `day` under a product asking for one of `required`."""
        if self.entered_on + timedelta(days=DUE_DILIGENCE_DAYS) > day:
            return False
        return not required or any(
            q.name in required and q.covers(day) for q in self.qualifications
        )


def _weekday_between(rng: random.Random, first: date, last: date) -> date:
    return next_weekday(first + timedelta(days=rng.randint(0, (last - first).days)))


def plan_register(
    rng: random.Random,
    enterprises: Sequence[DemoEnterprise],
    required: Sequence[Sequence[str]],
) -> list[RegisterEntry]:
    """Returns each enterprise's entry; `required[i]` are the qualifications its product asks
    for (one of them), which it is then sure to hold when it enters."""
    entries = []
    for number, (enterprise, needs) in enumerate(zip(enterprises, required, strict=True), 1):
        if rng.random() < FIRST_BATCH_SHARE:
            entered = _weekday_between(rng, REGISTER_FROM, FIRST_BATCH_UNTIL)
        else:
            entered = _weekday_between(rng, FIRST_BATCH_UNTIL, REGISTER_UNTIL)
        held = [name for name, share in QUALIFICATION_SHARES if rng.random() < share]
        if needs and not set(needs) & set(held):
            held.append(needs[0])
        lapsing = held[rng.randrange(len(held))] if held and rng.random() < LAPSING_SHARE else None
        qualifications = []
        for name in held:
            if name == HIGH_TECH:
                # A 高新技术企业 certificate is valid for three years from its issue.
                valid_to = add_months(entered, 36) - timedelta(days=1)
                certificate = f"GR{entered.year}32{rng.randint(0, 999_999):06d}"
            else:
                valid_to = TECH_SME_VALID_TO
                certificate = f"{entered.year}{enterprise.uscc[2:8]}{number:05d}"
            if name == lapsing:
                # Not renewed: it lapses some months into the programme.
                valid_to = min(AS_OF, entered + timedelta(days=rng.randint(180, 540)))
            qualifications.append(Qualification(name, entered, valid_to, certificate))
        entries.append(RegisterEntry(entered, tuple(qualifications)))
    return entries
