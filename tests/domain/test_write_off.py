"""Writing off (核销) a defaulted loan: it leaves the outstanding, and only once."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.loan import Loan

START = date(2024, 2, 1)


def _defaulted(terms, clerk) -> Loan:
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91320505MA1ABCDE09",
        terms=terms,
        terms_version=1,
        principal_fen=3_000_000_00,
        annual_rate_bps=385,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=3_000_000_00, value_date=START, ref="D", actor=clerk)
    loan.repay(
        principal_fen=1_000_000_00,
        interest_fen=0,
        value_date=date(2024, 5, 1),
        ref="R",
        actor=clerk,
    )
    loan.declare_default(default_date=date(2024, 9, 1), reason="逾期", actor=clerk)
    return loan


def test_a_write_off_takes_what_is_still_owed_off_the_outstanding(su_ke_dai, clerk):
    loan = _defaulted(su_ke_dai, clerk)
    assert loan.write_off(effective_date=date(2024, 12, 1), reason="核销", actor=clerk)
    assert (loan.written_off_fen, loan.outstanding_fen) == (2_000_000_00, 0)
    assert loan.outstanding_at_default_fen == 2_000_000_00  # the claim's loss base is unchanged


def test_writing_off_twice_is_a_no_op(su_ke_dai, clerk):
    loan = _defaulted(su_ke_dai, clerk)
    loan.write_off(effective_date=date(2024, 12, 1), reason="核销", actor=clerk)
    loan.collect_events()
    assert loan.write_off(effective_date=date(2024, 12, 1), reason="核销", actor=clerk) is False
    assert loan.pending_events == []


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [(date(2024, 12, 2), "核销", "date"), (date(2024, 12, 1), "again", "reason")],
)
def test_a_second_write_off_of_other_content_is_a_conflict_naming_the_field(
    su_ke_dai, clerk, day, reason, field
):
    loan = _defaulted(su_ke_dai, clerk)
    loan.write_off(effective_date=date(2024, 12, 1), reason="核销", actor=clerk)
    loan.collect_events()
    with pytest.raises(Conflict) as refused:
        loan.write_off(effective_date=day, reason=reason, actor=clerk)
    assert refused.value.field == field
    assert loan.pending_events == []


@pytest.mark.parametrize(
    ("day", "reason", "error", "field"),
    [
        (date(2024, 12, 1), " ", InvalidInput, "reason"),
        (date(2024, 8, 31), "核销", InvalidInput, "date"),
    ],
)
def test_a_write_off_needs_a_reason_and_a_date_after_the_default(
    su_ke_dai, clerk, day, reason, error, field
):
    loan = _defaulted(su_ke_dai, clerk)
    loan.collect_events()
    with pytest.raises(error) as refused:
        loan.write_off(effective_date=day, reason=reason, actor=clerk)
    assert refused.value.field == field
    assert loan.pending_events == []


def test_only_a_defaulted_loan_can_be_written_off(su_ke_dai, clerk):
    loan = Loan.register(
        bank="ICBC",
        reference="L2",
        enterprise="91320505MA1ABCDE09",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=100_00,
        annual_rate_bps=385,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.collect_events()
    with pytest.raises(RuleViolation, match="cannot be written off"):
        loan.write_off(effective_date=date(2024, 12, 1), reason="核销", actor=clerk)
    assert loan.pending_events == []
