"""A claim on a defaulted loan: filed in the window, approved and split, paid in legs, recovered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.claim import APPROVED, FILED, REJECTED, SETTLED, Claim
from domain.errors import Conflict, InvalidInput, RuleViolation
from domain.ids import claim_id
from domain.loan import Loan

START = date(2024, 3, 1)
DEFAULT_DAY = date(2024, 9, 1)
FILED_ON = date(2024, 10, 8)
LOSS = 2_000_000_00  # 200万 outstanding at default


@pytest.fixture
def defaulted_loan(su_ke_dai, clerk) -> Loan:
    """A 300万 苏科贷 loan, 100万 repaid, declared in default with 200万 outstanding."""
    loan = Loan.register(
        bank="ICBC",
        reference="ICBC-2024-0001",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=3_000_000_00,
        annual_rate_bps=385,
        term_months=24,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=3_000_000_00, value_date=START, ref="D1", actor=clerk)
    loan.repay(principal_fen=1_000_000_00, interest_fen=0, value_date=START, ref="R1", actor=clerk)
    loan.declare_default(default_date=DEFAULT_DAY, reason="破产清算", actor=clerk)
    loan.collect_events()
    return loan


@pytest.fixture
def claim(defaulted_loan, su_ke_dai, clerk) -> Claim:
    claim = Claim.file(
        loan=defaulted_loan, terms=su_ke_dai, reference="C1", filed_on=FILED_ON, actor=clerk
    )
    claim.collect_events()
    return claim


@pytest.fixture
def approved(claim, su_ke_dai, fund_manager) -> Claim:
    claim.approve(amount_fen=LOSS, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager)
    claim.collect_events()
    return claim


@pytest.fixture
def settled(approved, fund_manager) -> Claim:
    for payer in list(approved.unpaid_legs):
        approved.pay_leg(payer=payer, effective_date=FILED_ON, actor=fund_manager)
    approved.collect_events()
    return approved


def recover(claim, amount, ref, actor, day=date(2025, 1, 1)):
    return claim.record_recovery(amount_fen=amount, ref=ref, effective_date=day, actor=actor)


# -- filing (R7) ---------------------------------------------------------------------------


def test_a_claim_takes_the_outstanding_principal_at_default_as_its_loss_base(
    defaulted_loan, su_ke_dai, clerk
):
    claim = Claim.file(
        loan=defaulted_loan, terms=su_ke_dai, reference="C1", filed_on=FILED_ON, actor=clerk
    )
    assert claim.id == claim_id(defaulted_loan.id, "C1")
    assert claim.loss_base_fen == LOSS
    assert (claim.state, claim.claimant, claim.bank) == (FILED, "bank", "ICBC")
    assert claim.default_date == DEFAULT_DAY
    assert [type(e).__name__ for e in claim.collect_events()] == ["Filed"]


def test_a_claim_may_be_filed_on_the_last_day_of_the_window(defaulted_loan, su_ke_dai, clerk):
    last_day = date(2025, 2, 28)  # 180 days after 2024-09-01
    claim = Claim.file(
        loan=defaulted_loan, terms=su_ke_dai, reference="C1", filed_on=last_day, actor=clerk
    )
    assert claim.filed_on == last_day


def test_a_claim_outside_the_window_is_refused_r7(defaulted_loan, su_ke_dai, clerk):
    with pytest.raises(RuleViolation) as refused:
        Claim.file(
            loan=defaulted_loan,
            terms=su_ke_dai,
            reference="C1",
            filed_on=date(2025, 3, 1),
            actor=clerk,
        )
    assert (refused.value.rule, refused.value.field) == ("R7", "date")
    assert "181 days" in refused.value.reason


def test_the_window_is_the_products_term(defaulted_loan, su_ke_dai, clerk):
    short_window = replace(su_ke_dai, claim_window_days=30)
    with pytest.raises(RuleViolation):
        Claim.file(
            loan=defaulted_loan, terms=short_window, reference="C1", filed_on=FILED_ON, actor=clerk
        )


def test_a_claim_before_the_default_is_refused(defaulted_loan, su_ke_dai, clerk):
    with pytest.raises(InvalidInput) as refused:
        Claim.file(
            loan=defaulted_loan,
            terms=su_ke_dai,
            reference="C1",
            filed_on=date(2024, 8, 31),
            actor=clerk,
        )
    assert refused.value.field == "date"


def test_a_claim_needs_the_claimants_reference(defaulted_loan, su_ke_dai, clerk):
    with pytest.raises(InvalidInput) as refused:
        Claim.file(
            loan=defaulted_loan, terms=su_ke_dai, reference=" ", filed_on=FILED_ON, actor=clerk
        )
    assert refused.value.field == "ref"


def test_a_loan_not_in_default_cannot_be_claimed_r7(su_ke_dai, clerk):
    loan = Loan.register(
        bank="ICBC",
        reference="ICBC-2024-0002",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=100_000_00,
        annual_rate_bps=385,
        term_months=12,
        start_date=START,
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=100_000_00, value_date=START, ref="D1", actor=clerk)
    with pytest.raises(RuleViolation) as refused:
        Claim.file(loan=loan, terms=su_ke_dai, reference="C1", filed_on=FILED_ON, actor=clerk)
    assert refused.value.rule == "R7"
    assert "active" in refused.value.reason


def test_a_loan_with_an_open_claim_cannot_be_claimed_again_r7(
    defaulted_loan, claim, su_ke_dai, clerk
):
    defaulted_loan.open_claim_for(claim=claim.id, effective_date=FILED_ON, actor=clerk)
    with pytest.raises(RuleViolation) as refused:
        Claim.file(
            loan=defaulted_loan, terms=su_ke_dai, reference="C2", filed_on=FILED_ON, actor=clerk
        )
    assert refused.value.rule == "R7"


# -- approval and split (R7, R8, R9) -------------------------------------------------------


def test_approval_splits_the_loss_35_35_30_and_the_pools_owe_the_bank(approved):
    assert approved.state == APPROVED
    assert approved.approved_fen == LOSS
    assert approved.burdens == {
        "pool.province": 700_000_00,
        "pool.city": 700_000_00,
        "bank": 600_000_00,
    }
    assert sum(approved.burdens.values()) == LOSS
    assert approved.legs == {"pool.province": 700_000_00, "pool.city": 700_000_00}


def test_a_partial_approval_splits_only_the_approved_amount(claim, su_ke_dai, fund_manager):
    claim.approve(amount_fen=1_000_01, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager)
    # 35,000.35 / 35,000.35 / 30,000.3 fen: the odd fen goes to the first of the tied pools.
    assert claim.burdens == {"pool.province": 350_01, "pool.city": 350_00, "bank": 300_00}
    assert [type(e).__name__ for e in claim.collect_events()] == ["Approved"]


def test_approving_more_than_the_loss_base_is_refused_and_the_claim_is_unchanged(
    claim, su_ke_dai, fund_manager
):
    with pytest.raises(RuleViolation) as refused:
        claim.approve(
            amount_fen=LOSS + 1, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager
        )
    assert (refused.value.rule, refused.value.field) == ("R7", "amount")
    assert (claim.state, claim.approved_fen, claim.burdens) == (FILED, 0, {})
    assert claim.pending_events == []


@pytest.mark.parametrize(
    ("amount", "day", "field"),
    [(0, FILED_ON, "amount"), (-1, FILED_ON, "amount"), (LOSS, date(2024, 10, 7), "date")],
)
def test_an_approval_must_be_positive_and_not_before_the_filing(
    claim, su_ke_dai, fund_manager, amount, day, field
):
    with pytest.raises(InvalidInput) as refused:
        claim.approve(amount_fen=amount, terms=su_ke_dai, effective_date=day, actor=fund_manager)
    assert refused.value.field == field
    assert claim.state == FILED
    assert claim.pending_events == []


def test_a_claim_is_approved_or_rejected_only_once(approved, su_ke_dai, fund_manager):
    # Another amount for an approved claim is a conflict (R14); a rejection, refused (R7).
    with pytest.raises(Conflict) as conflict:
        approved.approve(amount_fen=1, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager)
    assert conflict.value.field == "amount"
    with pytest.raises(RuleViolation):
        approved.reject(reason="重复", effective_date=FILED_ON, actor=fund_manager)
    assert approved.approved_fen == LOSS
    assert approved.pending_events == []


def test_a_rejection_needs_a_reason_and_ends_the_claim(claim, su_ke_dai, fund_manager):
    with pytest.raises(InvalidInput) as refused:
        claim.reject(reason="  ", effective_date=FILED_ON, actor=fund_manager)
    assert refused.value.field == "reason"
    assert claim.pending_events == []
    claim.reject(reason="贷款用途不符", effective_date=FILED_ON, actor=fund_manager)
    assert claim.state == REJECTED
    with pytest.raises(RuleViolation):
        claim.approve(amount_fen=LOSS, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager)
    with pytest.raises(RuleViolation):
        claim.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=fund_manager)


# -- legs (R9) -----------------------------------------------------------------------------


def test_no_leg_is_paid_before_approval(claim, fund_manager):
    with pytest.raises(RuleViolation) as refused:
        claim.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=fund_manager)
    assert refused.value.rule == "R9"
    assert claim.pending_events == []


def test_the_claim_is_settled_when_every_leg_is_paid(approved, fund_manager):
    assert approved.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=fund_manager) == (
        700_000_00
    )
    assert approved.state == APPROVED
    assert approved.unpaid_legs == {"pool.province": 700_000_00}
    approved.pay_leg(payer="pool.province", effective_date=date(2024, 11, 1), actor=fund_manager)
    assert approved.state == SETTLED
    assert approved.legs_paid == {"pool.city": FILED_ON, "pool.province": date(2024, 11, 1)}
    assert [type(e).__name__ for e in approved.collect_events()] == [
        "LegPaid",
        "LegPaid",
        "Settled",
    ]


def test_a_leg_is_paid_once_and_only_by_a_party_that_owes_one(approved, fund_manager):
    approved.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=fund_manager)
    approved.collect_events()
    with pytest.raises(RuleViolation) as refused:
        approved.pay_leg(payer="pool.city", effective_date=FILED_ON, actor=fund_manager)
    assert refused.value.rule == "R9"
    for not_a_payer in ("bank", "insurer"):
        with pytest.raises(InvalidInput) as refused:
            approved.pay_leg(payer=not_a_payer, effective_date=FILED_ON, actor=fund_manager)
        assert refused.value.field == "party"
    assert approved.pending_events == []


def test_a_claim_whose_whole_loss_falls_on_the_claimant_is_settled_on_approval(
    claim, su_ke_dai, fund_manager, clerk
):
    # City 20 / bank 80: one fen falls wholly on the bank, so no party owes a leg.
    mostly_bank = replace(su_ke_dai, shares=(("pool.city", 2000), ("bank", 8000)))
    claim.approve(amount_fen=1, terms=mostly_bank, effective_date=FILED_ON, actor=fund_manager)
    assert claim.legs == {}
    assert claim.state == SETTLED
    assert [type(e).__name__ for e in claim.collect_events()] == ["Approved", "Settled"]
    assert recover(claim, 1, "REC1", clerk) == {"pool.city": 0, "bank": 1}


# -- recoveries (R11) ------------------------------------------------------------------------


def test_a_recovery_before_settlement_is_refused_r11(approved, clerk):
    with pytest.raises(RuleViolation) as refused:
        recover(approved, 100_00, "REC1", clerk)
    assert refused.value.rule == "R11"
    assert approved.recovered_fen == 0
    assert approved.pending_events == []


def test_a_recovery_is_shared_back_pro_rata_to_the_burdens(settled, clerk):
    assert recover(settled, 100_000_00, "REC1", clerk) == {
        "pool.province": 35_000_00,
        "pool.city": 35_000_00,
        "bank": 30_000_00,
    }
    assert settled.recovered_fen == 100_000_00
    assert [type(e).__name__ for e in settled.collect_events()] == ["RecoveryShared"]


def test_recoveries_beyond_the_loss_are_refused_and_the_claim_is_unchanged(settled, clerk):
    recover(settled, LOSS - 1, "REC1", clerk)
    settled.collect_events()
    with pytest.raises(RuleViolation) as refused:
        recover(settled, 2, "REC2", clerk)
    assert (refused.value.rule, refused.value.field) == ("R11", "amount")
    assert settled.recovered_fen == LOSS - 1
    assert settled.pending_events == []


def test_recoveries_that_clear_the_loss_return_exactly_each_burden(settled, clerk):
    for number, amount in enumerate([1, 33_333_33, 7, 1_000_000_00], start=1):
        recover(settled, amount, f"REC{number}", clerk)
    recover(settled, LOSS - settled.recovered_fen, "LAST", clerk)
    assert settled.recovered_by_party == settled.burdens


@pytest.mark.parametrize("amount", [0, -100])
def test_a_recovery_must_be_positive(settled, clerk, amount):
    with pytest.raises(InvalidInput):
        recover(settled, amount, "REC1", clerk)
    assert settled.pending_events == []


def test_a_repeated_recovery_reference_is_a_no_op_with_same_content_else_a_conflict(settled, clerk):
    recover(settled, 100_00, "REC1", clerk)
    settled.collect_events()
    assert recover(settled, 100_00, "REC1", clerk) is None
    with pytest.raises(Conflict):
        recover(settled, 200_00, "REC1", clerk)
    with pytest.raises(Conflict):
        recover(settled, 100_00, "REC1", clerk, day=date(2025, 1, 2))
    assert settled.recovered_fen == 100_00
    assert settled.pending_events == []


def test_a_claim_rebuilt_from_its_events_has_the_same_burdens_legs_and_recoveries(
    defaulted_loan, su_ke_dai, clerk, fund_manager
):
    claim = Claim.file(
        loan=defaulted_loan, terms=su_ke_dai, reference="C1", filed_on=FILED_ON, actor=clerk
    )
    claim.approve(amount_fen=LOSS, terms=su_ke_dai, effective_date=FILED_ON, actor=fund_manager)
    for payer in list(claim.unpaid_legs):
        claim.pay_leg(payer=payer, effective_date=FILED_ON, actor=fund_manager)
    recover(claim, 123_45, "REC1", clerk)
    rebuilt = None
    for domain_event in claim.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert (rebuilt.state, rebuilt.burdens, rebuilt.legs_paid) == (
        SETTLED,
        claim.burdens,
        claim.legs_paid,
    )
    assert rebuilt.recovered_by_party == claim.recovered_by_party
    assert recover(rebuilt, 123_45, "REC1", clerk) is None
