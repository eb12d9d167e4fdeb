"""The circuit breaker (R4): ratios, the pure verdicts, and the product's record of them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.loan import Loan
from domain.product import Product
from domain.suspension import (
    COMPENSATION_RATE,
    NPL_RATIO,
    OVERDUE_RATIO,
    BankFigures,
    LoanStanding,
    ProductFigures,
    Verdict,
    bank_verdict,
    product_verdict,
    ratio_bps,
    standing_of,
    tally,
)
from domain.terms import Classification, Suspension

DEFAULT = Suspension()  # suspend at 5%, resume below 3%
KE_JI_BAO = Suspension(max_overdue_ratio_bps=1000)
CAPPED = Suspension(max_compensation_rate_bps=500, max_overdue_ratio_bps=1000)
MAY_2 = date(2024, 5, 2)

fen = st.integers(min_value=0, max_value=10**13)


def book(outstanding: int, npl: int) -> BankFigures:
    return BankFigures(outstanding_fen=outstanding, npl_fen=npl)


# -- ratios ---------------------------------------------------------------------------------


def test_a_ratio_is_in_basis_points_rounded_down_and_nothing_over_nothing_is_zero():
    assert ratio_bps(500_000_00, 10_000_000_00) == 500
    assert ratio_bps(500_000_00, 10_010_000_00) == 499  # 4.995%
    assert ratio_bps(500_000_00, 17_500_000_00) == 285  # 2.857%
    assert ratio_bps(0, 0) == 0
    assert ratio_bps(1, 1) == 10_000


@given(part=fen, whole=fen, threshold=st.integers(min_value=0, max_value=10_000))
def test_a_rounded_ratio_reaches_a_threshold_exactly_when_the_true_fraction_does(
    part, whole, threshold
):
    if whole == 0:
        assert ratio_bps(part, whole) == 0
        return
    assert (ratio_bps(part, whole) >= threshold) == (part * 10_000 >= threshold * whole)


# -- a bank's NPL ratio, with hysteresis ---------------------------------------------------


def test_a_bank_at_the_suspend_threshold_is_suspended_and_just_below_it_is_not():
    assert bank_verdict(False, book(10_000_000_00, 500_000_00), DEFAULT) == Verdict(
        True, NPL_RATIO, 500, 500
    )
    assert bank_verdict(False, book(10_010_000_00, 500_000_00), DEFAULT) is None


def test_a_suspended_bank_stays_suspended_at_four_percent_and_resumes_below_three():
    assert bank_verdict(True, book(12_500_000_00, 500_000_00), DEFAULT) is None
    assert bank_verdict(True, book(10_000_000_00, 300_000_00), DEFAULT) is None  # at 3%: not below
    assert bank_verdict(True, book(17_500_000_00, 500_000_00), DEFAULT) == Verdict(
        False, NPL_RATIO, 285, 300
    )


def test_a_suspended_bank_with_nothing_outstanding_resumes():
    assert bank_verdict(True, BankFigures(), DEFAULT) == Verdict(False, NPL_RATIO, 0, 300)


thresholds = st.integers(min_value=1, max_value=10_000).flatmap(
    lambda suspend: st.tuples(st.just(suspend), st.integers(min_value=0, max_value=suspend))
)


@given(outstanding=fen, share=st.integers(0, 10_000), bounds=thresholds, suspended=st.booleans())
def test_the_verdict_follows_the_hysteresis_band(outstanding, share, bounds, suspended):
    suspend, resume = bounds
    terms = Suspension(npl_suspend_bps=suspend, npl_resume_bps=resume)
    figures = book(outstanding, outstanding * share // 10_000)
    ratio = figures.npl_ratio_bps
    verdict = bank_verdict(suspended, figures, terms)
    # The state after the verdict: suspended at or above the upper bound, active below the
    # lower one, and in between whatever it was.
    after = suspended if verdict is None else verdict.suspend
    if ratio >= suspend:
        assert after is True
    elif ratio < resume:
        assert after is False
    else:
        assert after is suspended
    # A verdict is only ever a change, and names the figure and the bound it crossed.
    if verdict is not None:
        assert verdict.suspend is not suspended
        assert (verdict.figure, verdict.figure_bps) == (NPL_RATIO, ratio)
        assert verdict.threshold_bps == (suspend if verdict.suspend else resume)


@given(outstanding=fen, share=st.integers(0, 10_000), bounds=thresholds, suspended=st.booleans())
def test_applying_a_verdict_twice_changes_nothing_more(outstanding, share, bounds, suspended):
    terms = Suspension(npl_suspend_bps=bounds[0], npl_resume_bps=bounds[1])
    figures = book(outstanding, outstanding * share // 10_000)
    verdict = bank_verdict(suspended, figures, terms)
    after = suspended if verdict is None else verdict.suspend
    assert bank_verdict(after, figures, terms) is None


# -- a product's caps -----------------------------------------------------------------------


def product_figures(
    outstanding: int = 10_000_000_00, overdue: int = 0, registered: int = 0, compensated: int = 0
) -> ProductFigures:
    return ProductFigures(
        banks={"ICBC": book(outstanding, 0)},
        overdue_fen=overdue,
        registered_fen=registered,
        compensated_fen=compensated,
    )


def test_a_product_stops_when_its_overdue_ratio_reaches_its_cap():
    assert product_verdict(None, product_figures(overdue=999_000_00), KE_JI_BAO) is None
    assert product_verdict(None, product_figures(overdue=1_000_000_00), KE_JI_BAO) == Verdict(
        True, OVERDUE_RATIO, 1000, 1000
    )


def test_a_product_without_caps_never_stops():
    assert product_verdict(None, product_figures(overdue=10_000_000_00), DEFAULT) is None


def test_the_compensation_rate_is_named_first_when_both_caps_are_reached():
    figures = product_figures(overdue=2_000_000_00, registered=100, compensated=5)
    assert product_verdict(None, figures, CAPPED) == Verdict(True, COMPENSATION_RATE, 500, 500)


def test_a_stopped_product_restarts_only_once_every_capped_figure_is_below_its_cap():
    stopped_for_arrears = product_figures(overdue=0, registered=100, compensated=5)
    assert product_verdict(OVERDUE_RATIO, stopped_for_arrears, CAPPED) is None
    cleared = product_figures(overdue=0, registered=100, compensated=4)
    assert product_verdict(OVERDUE_RATIO, cleared, CAPPED) == Verdict(False, OVERDUE_RATIO, 0, 1000)


def test_a_product_stopped_under_a_cap_since_removed_restarts():
    verdict = product_verdict(OVERDUE_RATIO, product_figures(overdue=10_000_000_00), DEFAULT)
    assert verdict == Verdict(False, OVERDUE_RATIO, 10_000, None)
    assert verdict.describe() == "overdue ratio 100.00%, no longer capped"


@given(
    outstanding=fen,
    overdue_share=st.integers(0, 10_000),
    registered=fen,
    compensated_share=st.integers(0, 10_000),
    stopped_for=st.sampled_from([None, COMPENSATION_RATE, OVERDUE_RATIO]),
)
def test_a_product_is_stopped_after_its_verdict_exactly_when_a_cap_is_reached(
    outstanding, overdue_share, registered, compensated_share, stopped_for
):
    figures = product_figures(
        outstanding=outstanding,
        overdue=outstanding * overdue_share // 10_000,
        registered=registered,
        compensated=registered * compensated_share // 10_000,
    )
    verdict = product_verdict(stopped_for, figures, CAPPED)
    stopped_after = (stopped_for is not None) if verdict is None else verdict.suspend
    reached = figures.compensation_rate_bps >= 500 or figures.overdue_ratio_bps >= 1000
    assert stopped_after is reached


# -- tallying the loans -----------------------------------------------------------------------


def test_the_tally_sums_each_banks_book_and_the_products_arrears():
    standings = [
        LoanStanding("SKD", "ICBC", 9_500_000_00, non_performing=False, overdue=False),
        LoanStanding("SKD", "ICBC", 500_000_00, non_performing=True, overdue=True),
        LoanStanding("SKD", "BOC", 300_000_00, non_performing=False, overdue=True),
        LoanStanding("KJB", "BOC", 100_00, non_performing=False, overdue=False),
    ]
    figures = tally(standings)
    assert figures["SKD"].banks == {
        "BOC": book(300_000_00, 0),
        "ICBC": book(10_000_000_00, 500_000_00),
    }
    assert (figures["SKD"].outstanding_fen, figures["SKD"].overdue_fen) == (
        10_300_000_00,
        800_000_00,
    )
    assert figures["SKD"].banks["ICBC"].npl_ratio_bps == 500
    assert figures["KJB"].overdue_ratio_bps == 0


@given(
    st.lists(
        st.builds(
            LoanStanding,
            product=st.sampled_from(["SKD", "TKD"]),
            bank=st.sampled_from(["ICBC", "BOC", "ABC"]),
            outstanding_fen=st.integers(1, 10**11),
            non_performing=st.booleans(),
            overdue=st.booleans(),
        ),
        max_size=30,
    )
)
def test_the_tally_loses_no_fen(standings):
    figures = tally(standings)
    for product, found in figures.items():
        mine = [s for s in standings if s.product == product]
        assert found.outstanding_fen == sum(s.outstanding_fen for s in mine)
        assert found.npl_fen == sum(s.outstanding_fen for s in mine if s.non_performing)
        assert found.overdue_fen == sum(s.outstanding_fen for s in mine if s.overdue)
        assert all(b.npl_fen <= b.outstanding_fen for b in found.banks.values())


# -- the product's record of the verdicts ---------------------------------------------------


@pytest.fixture
def product(su_ke_dai, fund_manager) -> Product:
    return Product.define(su_ke_dai, fund_manager)


def replay(events) -> Product:
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, Product)
    return rebuilt


def test_a_suspended_bank_is_refused_naming_r4_and_its_ratio(product, fund_manager):
    assert product.apply_bank_verdict(
        bank="ICBC",
        verdict=Verdict(True, NPL_RATIO, 512, 500),
        effective_date=MAY_2,
        actor=fund_manager,
    )
    product.check_open_to("BOC")  # other banks lend on
    with pytest.raises(RuleViolation) as refused:
        product.check_open_to("ICBC")
    assert (refused.value.rule, refused.value.field) == ("R4", "bank")
    assert "its NPL ratio was 5.12%, at or above the 5.00% suspend threshold" in str(refused.value)
    assert "resume when it falls below 3.00%" in str(refused.value)


def test_a_verdict_already_in_force_writes_nothing(product, fund_manager):
    suspend = Verdict(True, NPL_RATIO, 600, 500)
    kwargs = {"bank": "ICBC", "verdict": suspend, "effective_date": MAY_2, "actor": fund_manager}
    assert product.apply_bank_verdict(**kwargs) is True
    assert product.apply_bank_verdict(**kwargs) is False
    stop = Verdict(True, OVERDUE_RATIO, 1000, 1000)
    assert product.apply_product_verdict(verdict=stop, effective_date=MAY_2, actor=fund_manager)
    assert not product.apply_product_verdict(verdict=stop, effective_date=MAY_2, actor=fund_manager)
    names = [type(e).__name__ for e in product.collect_events()]
    assert names == ["Defined", "BankSuspended", "Stopped"]


def test_a_stopped_product_refuses_every_bank_naming_the_figure(product, fund_manager):
    product.apply_product_verdict(
        verdict=Verdict(True, OVERDUE_RATIO, 1000, 1000), effective_date=MAY_2, actor=fund_manager
    )
    with pytest.raises(RuleViolation) as refused:
        product.check_open_to("BOC")
    assert (refused.value.rule, refused.value.field) == ("R4", "product")
    assert str(refused.value) == (
        "product: SKD stopped taking new loans on 2024-05-02: its overdue ratio 10.00% reached "
        "the cap of 10.00% (R4)"
    )


def test_the_breakers_replay_and_stand_as_they_did_on_each_day(product, fund_manager):
    def bank(suspend: bool, ratio: int, day: date) -> None:
        product.apply_bank_verdict(
            bank="ICBC",
            verdict=Verdict(suspend, NPL_RATIO, ratio, 500 if suspend else 300),
            effective_date=day,
            actor=fund_manager,
        )

    bank(True, 500, date(2024, 5, 2))
    bank(False, 285, date(2024, 5, 8))
    product.apply_product_verdict(
        verdict=Verdict(True, OVERDUE_RATIO, 1000, 1000),
        effective_date=date(2024, 5, 6),
        actor=fund_manager,
    )
    rebuilt = replay(product.collect_events())
    assert rebuilt.suspended_banks == {} and rebuilt.stopped == product.stopped
    on_may_5, stop_on_may_5 = rebuilt.breakers_on(date(2024, 5, 5))
    assert list(on_may_5) == ["ICBC"] and stop_on_may_5 is None
    on_may_7, stop_on_may_7 = rebuilt.breakers_on(date(2024, 5, 7))
    assert list(on_may_7) == ["ICBC"] and stop_on_may_7 is not None
    assert stop_on_may_7.describe() == "overdue ratio 10.00% ≥ 10.00%"
    assert rebuilt.breakers_on(date(2024, 5, 8))[0] == {}
    assert rebuilt.breakers_on(date(2024, 5, 1)) == ({}, None)


def test_a_bank_is_judged_on_its_npl_ratio_only(product, fund_manager):
    with pytest.raises(ValueError):
        product.apply_bank_verdict(
            bank="ICBC",
            verdict=Verdict(True, OVERDUE_RATIO, 1000, 1000),
            effective_date=MAY_2,
            actor=fund_manager,
        )


# -- one loan's standing on a day -----------------------------------------------------------


@pytest.fixture
def unpaid_loan(su_ke_dai, clerk) -> Loan:
    """100万 lent on 1 March 2024, 先息后本 monthly: its first interest fell due on 1 April."""
    loan = Loan.register(
        bank="ICBC",
        reference="L1",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=1_000_000_00,
        annual_rate_bps=385,
        term_months=12,
        start_date=date(2024, 3, 1),
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    loan.disburse(amount_fen=1_000_000_00, value_date=date(2024, 3, 1), ref="D1", actor=clerk)
    return loan


def test_a_loan_stands_by_its_days_past_due_on_the_day(unpaid_loan, su_ke_dai):
    bounds = su_ke_dai.classification
    assert standing_of(unpaid_loan, bounds, date(2024, 2, 28)) is None  # not lent yet
    assert standing_of(unpaid_loan, bounds, date(2024, 4, 1)) == LoanStanding(
        "SKD", "ICBC", 1_000_000_00, non_performing=False, overdue=False
    )
    assert standing_of(unpaid_loan, bounds, date(2024, 4, 15)) == LoanStanding(
        "SKD", "ICBC", 1_000_000_00, non_performing=False, overdue=True
    )
    assert standing_of(unpaid_loan, bounds, date(2024, 7, 1)) == LoanStanding(
        "SKD", "ICBC", 1_000_000_00, non_performing=True, overdue=True
    )


def test_a_loan_paid_off_or_written_off_by_the_day_stands_for_nothing(unpaid_loan, clerk):
    bounds = Classification()
    unpaid_loan.declare_default(default_date=date(2024, 7, 1), reason="破产", actor=clerk)
    unpaid_loan.write_off(effective_date=date(2024, 8, 1), reason="核销", actor=clerk)
    assert standing_of(unpaid_loan, bounds, date(2024, 7, 31)).outstanding_fen == 1_000_000_00
    assert standing_of(unpaid_loan, bounds, date(2024, 8, 1)) is None


def test_an_undrawn_loan_stands_for_nothing(su_ke_dai, clerk):
    loan = Loan.register(
        bank="ICBC",
        reference="L2",
        enterprise="91350100M000100Y43",
        terms=su_ke_dai,
        terms_version=1,
        principal_fen=1_000_000_00,
        annual_rate_bps=385,
        term_months=12,
        start_date=date(2024, 3, 1),
        first_loan=False,
        pure_credit=False,
        actor=clerk,
    )
    assert standing_of(loan, su_ke_dai.classification, date(2024, 9, 1)) is None
