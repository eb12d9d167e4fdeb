"""Planned ledger commands: what the demo will tell the ledger, and on which business date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.actor import Actor


@dataclass(frozen=True, slots=True)
class Step:
    """One ledger command on its business date: `Session.<command>(actor=..., **args)`."""

    day: date
    command: str
    actor: Actor
    args: Mapping[str, Any]


class Steps:
    """The steps planned so far, in the order they were planned."""

    def __init__(self) -> None:
        self.planned: list[Step] = []

    def add(self, day: date, command: str, actor: Actor, **args: Any) -> None:
        self.planned.append(Step(day=day, command=command, actor=actor, args=args))

    def by_date(self) -> tuple[Step, ...]:
        """Returns the steps by business date; a stable sort keeps each day in planned order.

        Each loan's steps are planned in lifecycle order, so on a shared date they still
        follow one another as the rules require (registered before disbursed, and so on).
        """
        return tuple(sorted(self.planned, key=lambda step: step.day))
