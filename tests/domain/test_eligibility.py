"""R1 and R2 as pure verdicts, and the enterprise and LPR history they read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.eligibility import Applicant, rate_cap_bps, registration_violations
from domain.enterprise import Enterprise
from domain.errors import InvalidInput, RuleViolation
from domain.lpr import LprHistory
from domain.terms import Limits, ProductTerms

USCC = "91320505MA1ABCDE09"
START = date(2024, 2, 1)
CLEAN = Applicant(
    USCC, holds_qualification=True, blacklisted_because=None, outstanding_under_product_fen=0
)


def _verdicts(terms, applicant=CLEAN, principal=3_000_000_00, rate=385, lpr=345):
    return [
        (v.rule, v.field)
        for v in registration_violations(
            terms,
            applicant,
            principal_fen=principal,
            annual_rate_bps=rate,
            start_date=START,
            lpr_bps=lpr,
        )
    ]


@pytest.fixture
def capped(su_ke_dai):
    return replace(
        su_ke_dai,
        qualifications=("高新技术企业",),
        limits=Limits(max_enterprise_outstanding_fen=8_000_000_00, lpr_spread_bps=40),
    )


def test_a_qualified_clean_applicant_within_every_limit_may_borrow(capped):
    assert _verdicts(capped) == []


def test_every_broken_rule_is_reported_not_just_the_first(capped):
    applicant = Applicant(USCC, False, "失信", 6_000_000_00)
    assert _verdicts(capped, applicant, rate=400) == [
        ("R1", "uscc"),
        ("R1", "uscc"),
        ("R2", "principal"),
        ("R2", "rate"),
    ]


def test_a_product_without_qualifications_admits_any_clean_enterprise(su_ke_dai):
    assert _verdicts(su_ke_dai, Applicant(USCC, False, None, 0)) == []


def test_an_lpr_capped_product_refuses_when_no_lpr_was_recorded(capped):
    assert _verdicts(capped, lpr=None) == [("R2", "rate")]


@given(st.integers(1, 2000), st.integers(0, 500), st.integers(1, 3000))
def test_the_rate_cap_is_the_lpr_plus_the_spread_to_the_basis_point(lpr, spread, rate):
    terms = ProductTerms(
        "X", "X", "direct", START, (("bank", 10_000),), limits=Limits(lpr_spread_bps=spread)
    )
    assert rate_cap_bps(terms, lpr) == lpr + spread
    assert bool(_verdicts(terms, rate=rate, lpr=lpr)) == (rate > lpr + spread)


def _enterprise(actor) -> Enterprise:
    enterprise = Enterprise.register(
        uscc=USCC, name="某科技", region="苏州", effective_date=date(2023, 1, 1), actor=actor
    )
    enterprise.grant_qualification(
        name="高新技术企业",
        valid_from=date(2023, 1, 1),
        valid_to=date(2025, 12, 31),
        certificate="GR1",
        actor=actor,
    )
    return enterprise


def test_a_qualification_covers_its_dates_inclusive_and_can_end_early(fund_manager):
    enterprise = _enterprise(fund_manager)
    assert enterprise.holds(("高新技术企业",), date(2025, 12, 31))
    assert not enterprise.holds(("高新技术企业",), date(2026, 1, 1))
    assert not enterprise.holds(("科技型中小企业",), date(2024, 1, 1))
    enterprise.revoke_qualification(
        name="高新技术企业", effective_date=date(2024, 7, 1), actor=fund_manager
    )
    assert enterprise.holds(("高新技术企业",), date(2024, 6, 30))
    assert not enterprise.holds(("高新技术企业",), date(2024, 7, 1))
    replayed = None
    for recorded in enterprise.collect_events():  # the events alone rebuild the same spans
        replayed = recorded.mutate(replayed)
    assert replayed.qualifications == enterprise.qualifications


def test_granting_the_same_qualification_twice_records_it_once(fund_manager):
    enterprise = _enterprise(fund_manager)
    enterprise.collect_events()
    assert not enterprise.grant_qualification(
        name="高新技术企业",
        valid_from=date(2023, 1, 1),
        valid_to=date(2025, 12, 31),
        certificate="GR1",
        actor=fund_manager,
    )
    assert enterprise.pending_events == []


def test_a_qualification_ending_before_it_starts_is_refused(fund_manager):
    enterprise = _enterprise(fund_manager)
    enterprise.collect_events()
    with pytest.raises(InvalidInput, match="to"):
        enterprise.grant_qualification(
            name="专精特新",
            valid_from=date(2024, 1, 1),
            valid_to=date(2023, 1, 1),
            certificate="",
            actor=fund_manager,
        )
    assert enterprise.pending_events == []


def test_the_blacklist_holds_from_its_day_until_cleared(fund_manager):
    enterprise = _enterprise(fund_manager)
    enterprise.add_to_blacklist(reason="失信", effective_date=date(2024, 3, 1), actor=fund_manager)
    assert enterprise.blacklist_on(date(2024, 2, 29)) is None
    assert enterprise.blacklist_on(date(2024, 3, 1)) == "失信"
    with pytest.raises(RuleViolation, match="already blacklisted"):
        enterprise.add_to_blacklist(
            reason="again", effective_date=date(2024, 4, 1), actor=fund_manager
        )
    enterprise.clear_blacklist(effective_date=date(2024, 6, 1), actor=fund_manager)
    assert enterprise.blacklist_on(date(2024, 5, 31)) == "失信"
    assert enterprise.blacklist_on(date(2024, 6, 1)) is None
    with pytest.raises(RuleViolation, match="not blacklisted"):
        enterprise.clear_blacklist(effective_date=date(2024, 7, 1), actor=fund_manager)


def test_the_lpr_in_force_is_the_latest_fixing_on_or_before_the_day(fund_manager):
    history = LprHistory.start(fund_manager)
    history.set_rate(effective_from=date(2024, 1, 22), rate_bps=345, actor=fund_manager)
    history.set_rate(effective_from=date(2024, 7, 22), rate_bps=335, actor=fund_manager)
    assert history.rate_on(date(2024, 1, 21)) is None
    assert history.rate_on(date(2024, 1, 22)) == 345
    assert history.rate_on(date(2024, 7, 21)) == 345
    assert history.rate_on(date(2025, 1, 1)) == 335
    assert (
        history.set_rate(effective_from=date(2024, 1, 22), rate_bps=345, actor=fund_manager)
        is False
    )
    with pytest.raises(RuleViolation, match="not changed"):
        history.set_rate(effective_from=date(2024, 1, 22), rate_bps=350, actor=fund_manager)
