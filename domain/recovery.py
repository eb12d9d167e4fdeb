"""A claim's bookkeeping of legs and recoveries: the pure checks and plans behind its commands.

`Claim` keeps the state and the events; these say what its legs are, which are unpaid, how
much may still be recovered and whether a repeated reversal is the same one (R9, R11, R13).
The split of a loss and of a recovery among the parties is in domain/split.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from domain.corrections import LegReversal
from domain.errors import InvalidInput, RuleViolation
from domain.legs import plan_legs
from domain.money import format_yuan


def leg_plan(
    structure: str, burdens: Mapping[str, int], claimant: str
) -> tuple[dict[str, int], dict[str, str]]:
    """Returns each paying party's leg and whom it pays, for the burdens of a claim (R9)."""
    legs = plan_legs(structure, burdens, claimant)
    return {leg.payer: leg.amount_fen for leg in legs}, {leg.payer: leg.payee for leg in legs}


def unpaid_legs(legs: Mapping[str, int], legs_paid: Mapping[str, date]) -> dict[str, int]:
    """Returns the legs whose payer has not paid them (R9)."""
    return {party: fen for party, fen in legs.items() if party not in legs_paid}


def check_recovery_amount(amount_fen: int, *, recovered_fen: int, loss_fen: int) -> None:
    """Raises unless the recovery is positive and keeps all recoveries within the loss (R11)."""
    if amount_fen <= 0:
        raise InvalidInput("amount", "a recovery must be positive")
    if recovered_fen + amount_fen > loss_fen:
        raise RuleViolation(
            "R11",
            "amount",
            f"recoveries would total {format_yuan(recovered_fen + amount_fen)}, "
            f"more than the loss {format_yuan(loss_fen)}",
        )


def leg_reversal_differences(
    done: LegReversal, *, party: str, reason: str, effective_date: date
) -> list[str]:
    """Names the fields in which a repeated leg reversal differs from the one `done` (R14)."""
    given = {"party": party, "reason": reason, "date": effective_date}
    first = {"party": done.party, "reason": done.reason, "date": done.effective_date}
    return [field for field, value in given.items() if first[field] != value]
