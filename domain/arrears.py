"""Where a loan stands on a date: its schedule of draws, arrears, class and default (R5, R6, R12).

Pure functions over what a loan recorded; `Loan` delegates to them, so the aggregate keeps
its state and events and the arithmetic can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from domain.classification import classify
from domain.repayment import Statement
from domain.schedule import Draw, Instalment, schedule_of_draws
from domain.terms import Classification


def schedule_on(
    draws: Sequence[Draw],
    as_of: date,
    *,
    annual_rate_bps: int,
    term_months: int,
    start_date: date,
    kind: str,
    interest_every_months: int,
) -> tuple[Instalment, ...]:
    """Returns the schedule of the tranches drawn by `as_of`, each repaid over the periods
    after its value date and charged interest from it (R12); empty before the first draw."""
    drawn = tuple(draw for draw in draws if draw.value_date <= as_of)
    if not drawn:
        return ()
    return schedule_of_draws(
        draws=drawn,
        annual_rate_bps=annual_rate_bps,
        term_months=term_months,
        start_date=start_date,
        kind=kind,
        interest_every_months=interest_every_months,
    )


def paid_off_by(paid_off_on: date | None, as_of: date) -> bool:
    """True when the loan was paid off on or before `as_of`: it has no arrears then (R5)."""
    # Explicit repayments may pay a loan off leaving scheduled interest unpaid.
    return paid_off_on is not None and paid_off_on <= as_of


def class_change(days_past_due: int, bounds: Classification, current: str) -> str | None:
    """Returns the class `days_past_due` puts a loan in, or None when it is `current` (R5)."""
    new_class = classify(days_past_due, bounds)
    return None if new_class == current else new_class


def overdue_default_date(owed: Statement, default_days: int) -> date | None:
    """Returns the day the arrears in `owed` reached `default_days` (R6); None before then.

    That is the statement's date when every business day is closed, earlier when days were
    missed.
    """
    if owed.oldest_unpaid_due_date is None or owed.days_past_due < default_days:
        return None
    return owed.oldest_unpaid_due_date + timedelta(days=default_days)


def interest_unpaid_by(owed: Statement, day: date) -> int:
    """Returns the interest fallen due by `day` and unpaid in `owed` (欠息)."""
    return sum(i.unpaid_interest_fen for i in owed.instalments if i.due_date <= day)
