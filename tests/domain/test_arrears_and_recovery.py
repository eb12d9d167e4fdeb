"""The pure arithmetic the Loan and Claim aggregates delegate to (R5, R6, R9, R11, R14)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.arrears import class_change, paid_off_by, schedule_on
from domain.classification import NORMAL
from domain.corrections import LegReversal
from domain.errors import InvalidInput, RuleViolation
from domain.recovery import (
    check_recovery_amount,
    leg_reversal_differences,
    unpaid_legs,
)
from domain.schedule import INTEREST_ONLY, Draw
from domain.terms import Classification


def test_the_schedule_counts_only_the_tranches_drawn_by_the_day():
    draws = [Draw(date(2024, 1, 1), 100_00), Draw(date(2024, 3, 1), 50_00)]
    terms = {
        "annual_rate_bps": 400,
        "term_months": 6,
        "start_date": date(2024, 1, 1),
        "kind": INTEREST_ONLY,
        "interest_every_months": 1,
    }
    assert schedule_on(draws, date(2023, 12, 31), **terms) == ()
    early = schedule_on(draws, date(2024, 2, 1), **terms)
    later = schedule_on(draws, date(2024, 3, 1), **terms)
    assert sum(i.principal_fen for i in early) == 100_00
    assert sum(i.principal_fen for i in later) == 150_00


def test_a_loan_paid_off_has_no_arrears_from_that_day_and_a_class_changes_only_when_it_moves():
    assert not paid_off_by(None, date(2024, 1, 1))
    assert not paid_off_by(date(2024, 1, 2), date(2024, 1, 1))
    assert paid_off_by(date(2024, 1, 1), date(2024, 1, 1))
    assert class_change(0, Classification(), NORMAL) is None
    assert class_change(91, Classification(), NORMAL) not in (None, NORMAL)


def test_recoveries_stay_positive_and_within_the_loss():
    check_recovery_amount(40, recovered_fen=60, loss_fen=100)
    with pytest.raises(InvalidInput):
        check_recovery_amount(0, recovered_fen=0, loss_fen=100)
    with pytest.raises(RuleViolation) as error:
        check_recovery_amount(41, recovered_fen=60, loss_fen=100)
    assert (error.value.rule, error.value.field) == ("R11", "amount")


def test_unpaid_legs_and_a_repeated_leg_reversal_named_by_what_differs():
    assert unpaid_legs({"pool.city": 3, "bank": 1}, {"bank": date(2024, 1, 1)}) == {"pool.city": 3}
    done = LegReversal("pool.city", "wrong account", date(2024, 2, 1), 3)
    same = {"party": "pool.city", "reason": "wrong account", "effective_date": date(2024, 2, 1)}
    assert leg_reversal_differences(done, **same) == []
    assert leg_reversal_differences(done, **{**same, "party": "insurer"}) == ["party"]
