"""Where a loan stands against its schedule on a date, and how one repayment is applied (R12).

Repayments are matched to instalments oldest first, principal and interest each in their
own order, so an instalment is paid once every earlier one is. Interest is never charged on
principal already repaid: an instalment's interest is ACT/360 on the lesser of its
scheduled opening principal and the principal actually outstanding when its period began
(drawn by then, less repaid by then), plus each tranche drawn during the period from its
value date. Overdue principal is not charged more than the schedule says (no penalty
interest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.schedule import Instalment, period_rate, round_half_up

PAID = "paid"
OVERDUE = "overdue"
DUE = "due"
FUTURE = "future"


@dataclass(frozen=True, slots=True)
class Repayment:
    """Money received on a value date, as principal and interest."""

    value_date: date
    principal_fen: int
    interest_fen: int


@dataclass(frozen=True, slots=True)
class InstalmentStanding:
    """One instalment as of a date: what it asks for and what of it is paid."""

    number: int
    due_date: date
    principal_fen: int
    interest_fen: int
    principal_paid_fen: int
    interest_paid_fen: int
    status: str

    @property
    def unpaid_principal_fen(self) -> int:
        return self.principal_fen - self.principal_paid_fen

    @property
    def unpaid_interest_fen(self) -> int:
        return self.interest_fen - self.interest_paid_fen

    @property
    def paid_fen(self) -> int:
        return self.principal_paid_fen + self.interest_paid_fen

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.interest_fen


@dataclass(frozen=True, slots=True)
class Statement:
    """A loan's standing on `as_of`: each instalment, what is overdue, what is current."""

    as_of: date
    instalments: tuple[InstalmentStanding, ...]
    disbursed_fen: int
    principal_paid_fen: int
    interest_paid_fen: int
    oldest_unpaid_due_date: date | None
    overdue_interest_fen: int
    overdue_principal_fen: int
    current_interest_fen: int
    current_principal_fen: int

    @property
    def outstanding_fen(self) -> int:
        return self.disbursed_fen - self.principal_paid_fen

    @property
    def days_past_due(self) -> int:
        """Days since the oldest unpaid instalment fell due (0 when none is overdue) (R5)."""
        if self.oldest_unpaid_due_date is None:
            return 0
        return (self.as_of - self.oldest_unpaid_due_date).days

    @property
    def later_principal_fen(self) -> int:
        """Principal not yet due: what a prepayment repays."""
        return self.outstanding_fen - self.overdue_principal_fen - self.current_principal_fen

    @property
    def payoff_fen(self) -> int:
        """Everything owed on `as_of`: interest overdue and current, and all principal left."""
        return self.overdue_interest_fen + self.current_interest_fen + self.outstanding_fen


def _paid_towards(paid_fen: int, earlier_fen: int, owed_fen: int) -> int:
    """Returns the part of `owed_fen` that `paid_fen` covers after `earlier_fen` went first."""
    return max(0, min(owed_fen, paid_fen - earlier_fen))


def _interest_on(instalment: Instalment, charged_on_fen: int, annual_rate_bps: int) -> int:
    """Returns the instalment's interest on `charged_on_fen` from its period's start, and on
    each tranche drawn during the period from its value date (ACT/360, rounded once)."""
    due = instalment.due_date
    owed = charged_on_fen * period_rate(annual_rate_bps, instalment.period_start, due)
    for draw in instalment.drawn_in_period:
        owed += draw.amount_fen * period_rate(annual_rate_bps, draw.value_date, due)
    return round_half_up(owed)


def statement(
    schedule: Sequence[Instalment],
    annual_rate_bps: int,
    repayments: Sequence[Repayment],
    as_of: date,
) -> Statement:
    """Returns the loan's standing on `as_of`, from its schedule and repayments valued by then."""
    known = [r for r in repayments if r.value_date <= as_of]
    disbursed = sum(i.principal_fen for i in schedule)
    principal_paid = sum(r.principal_fen for r in known)
    interest_paid = sum(r.interest_fen for r in known)
    standings: list[InstalmentStanding] = []
    principal_before = interest_before = 0
    overdue_interest = overdue_principal = current_interest = current_principal = 0
    oldest_unpaid: date | None = None
    current_found = False
    scheduled_before = 0  # principal the schedule repaid before this instalment's period
    for instalment in schedule:
        repaid_by_start = sum(
            r.principal_fen for r in known if r.value_date <= instalment.period_start
        )
        drawn_by_start = instalment.opening_fen + scheduled_before
        scheduled_before += instalment.principal_fen
        charged_on = min(instalment.opening_fen, max(0, drawn_by_start - repaid_by_start))
        interest = (
            instalment.interest_fen
            if charged_on == instalment.opening_fen
            else _interest_on(instalment, charged_on, annual_rate_bps)
        )
        principal_paid_here = _paid_towards(
            principal_paid, principal_before, instalment.principal_fen
        )
        interest_paid_here = _paid_towards(interest_paid, interest_before, interest)
        principal_before += instalment.principal_fen
        interest_before += interest
        unpaid_principal = instalment.principal_fen - principal_paid_here
        unpaid_interest = interest - interest_paid_here
        settled = unpaid_principal == 0 and unpaid_interest == 0
        if instalment.due_date < as_of:
            status = PAID if settled else OVERDUE
            overdue_interest += unpaid_interest
            overdue_principal += unpaid_principal
            if not settled and oldest_unpaid is None:
                oldest_unpaid = instalment.due_date
        elif not current_found:
            current_found = True
            status = PAID if settled else DUE
            current_interest, current_principal = unpaid_interest, unpaid_principal
        else:
            status = PAID if settled else FUTURE
        standings.append(
            InstalmentStanding(
                number=instalment.number,
                due_date=instalment.due_date,
                principal_fen=instalment.principal_fen,
                interest_fen=interest,
                principal_paid_fen=principal_paid_here,
                interest_paid_fen=interest_paid_here,
                status=status,
            )
        )
    return Statement(
        as_of=as_of,
        instalments=tuple(standings),
        disbursed_fen=disbursed,
        principal_paid_fen=principal_paid,
        interest_paid_fen=interest_paid,
        oldest_unpaid_due_date=oldest_unpaid,
        overdue_interest_fen=overdue_interest,
        overdue_principal_fen=overdue_principal,
        current_interest_fen=current_interest,
        current_principal_fen=current_principal,
    )


@dataclass(frozen=True, slots=True)
class Allocation:
    """How one repayment was applied, in the order of the waterfall (R12)."""

    overdue_interest_fen: int = 0
    overdue_principal_fen: int = 0
    current_interest_fen: int = 0
    current_principal_fen: int = 0
    prepaid_principal_fen: int = 0

    @property
    def interest_fen(self) -> int:
        return self.overdue_interest_fen + self.current_interest_fen

    @property
    def principal_fen(self) -> int:
        return self.overdue_principal_fen + self.current_principal_fen + self.prepaid_principal_fen

    @property
    def amount_fen(self) -> int:
        return self.interest_fen + self.principal_fen

    def to_record(self) -> dict[str, int]:
        """Returns the allocation as plain integers, for storing in an event."""
        return {
            "overdue_interest_fen": self.overdue_interest_fen,
            "overdue_principal_fen": self.overdue_principal_fen,
            "current_interest_fen": self.current_interest_fen,
            "current_principal_fen": self.current_principal_fen,
            "prepaid_principal_fen": self.prepaid_principal_fen,
        }

    @classmethod
    def from_record(cls, record: dict[str, int]) -> Allocation:
        return cls(**record)


def waterfall(standing: Statement, amount_fen: int) -> Allocation:
    """Returns `amount_fen` applied to overdue interest, overdue principal, current interest,
    current principal, then principal not yet due; the parts always sum to the amount.

    The caller refuses more than `standing.payoff_fen` first: nothing else is owed.
    """
    if not 0 <= amount_fen <= standing.payoff_fen:
        raise ValueError(f"{amount_fen} fen is outside 0..{standing.payoff_fen} fen owed")
    remaining = amount_fen
    parts: list[int] = []
    for owed in (
        standing.overdue_interest_fen,
        standing.overdue_principal_fen,
        standing.current_interest_fen,
        standing.current_principal_fen,
        standing.later_principal_fen,
    ):
        part = min(remaining, owed)
        parts.append(part)
        remaining -= part
    return Allocation(*parts)
