"""Planned ledger commands: what the demo will tell the ledger, and on which business date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.actor import Actor

# Not a session command: the builder closes the business day as the scheduler would.
CLOSE_DAY = "close_business_day"


@dataclass(frozen=True, slots=True)
class Step:
    """One ledger command on its business date: `Session.<command>(actor=..., **args)`.

    A step about a planned loan names it by `loan` (its number in the plan) and is skipped
    when the loan was never made. Unless `loan_keys` is False, the replay passes the loan's
    bank and the bank's reference, known only once the loan is registered (R4 may send it
    to another bank). `actor` None means that bank's clerk.
    """

    day: date
    command: str
    actor: Actor | None
    args: Mapping[str, Any]
    loan: int | None = None
    loan_keys: bool = True


class Steps:
    """The steps planned so far, in the order they were planned."""

    def __init__(self) -> None:
        self.planned: list[Step] = []

    def add(
        self,
        day: date,
        command: str,
        actor: Actor | None,
        *,
        loan: int | None = None,
        loan_keys: bool = True,
        **args: Any,
    ) -> None:
        self.planned.append(Step(day, command, actor, args, loan, loan_keys))

    def by_date(self, until: date) -> tuple[Step, ...]:
        """Returns the steps up to `until` by business date, each day's close last.

        A stable sort keeps each day in planned order, and each loan's steps are planned in
        lifecycle order, so on a shared date they still follow one another as the rules
        require (registered before disbursed, and so on).
        """
        return tuple(
            sorted(
                (step for step in self.planned if step.day <= until),
                key=lambda step: (step.day, step.command == CLOSE_DAY),
            )
        )
