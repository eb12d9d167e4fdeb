"""Corrections by reversal (R13): a mistaken money event is undone, never edited or deleted.

A reversal names the money event it undoes by the caller's reference that event was recorded
under (a leg payment by its payer, the reversal carrying a reference of its own) and says
why. It is itself idempotent: the same reversal again is a no-op that returns the first
one's answer; with another reason or date it is a conflict (R14).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from domain.errors import Conflict, InvalidInput


def check_reason(reason: str) -> None:
    """Raises unless a reversal says why it is made (R13)."""
    if not reason.strip():
        raise InvalidInput("reason", "a reversal needs a reason")


@dataclass(frozen=True, slots=True)
class Reversal:
    """Why and on which business date a money event was reversed."""

    reason: str
    effective_date: date


@dataclass(frozen=True, slots=True)
class LegReversal:
    """A claim's leg payment reversed under the caller's reference: whose leg, why, on which
    business date, and the amount it put back to unpaid."""

    party: str
    reason: str
    effective_date: date
    amount_fen: int


class Reversals:
    """The money events an aggregate has reversed, by the reference each was recorded under."""

    def __init__(self) -> None:
        self._done: dict[str, Reversal] = {}

    def is_repeat(self, ref: str, reason: str, effective_date: date) -> bool:
        """True when `ref` was reversed before with this reason and date; Conflict when not."""
        done = self._done.get(ref)
        if done is None:
            return False
        if done.reason != reason:
            raise Conflict(
                "reason",
                f"{ref!r} was already reversed on {done.effective_date} because {done.reason!r}",
            )
        if done.effective_date != effective_date:
            raise Conflict("date", f"{ref!r} was already reversed on {done.effective_date}")
        return True

    def remember(self, ref: str, reason: str, effective_date: date) -> None:
        self._done[ref] = Reversal(reason, effective_date)

    def done(self) -> dict[str, Reversal]:
        """Returns each reversed reference with its reversal."""
        return dict(self._done)

    @classmethod
    def of(cls, done: dict[str, Reversal]) -> Reversals:
        """Returns the reversals `done` gave (a snapshot's)."""
        reversals = cls()
        reversals._done.update(done)
        return reversals

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reversals) and self._done == other._done

    def __contains__(self, ref: object) -> bool:
        return ref in self._done

    def __iter__(self) -> Iterator[str]:
        return iter(self._done)

    def __len__(self) -> int:
        return len(self._done)
