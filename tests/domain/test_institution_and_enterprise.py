"""Institutions and enterprises: registered once under their own codes, checked on the way in."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.enterprise import Enterprise
from domain.errors import InvalidInput
from domain.ids import enterprise_id, institution_id
from domain.institution import Institution
from domain.uscc import check_character

DAY = date(2024, 1, 2)
USCC = "91350100M000100Y43"


def register_institution(actor, **changes) -> Institution:
    command = {
        "code": "SZ-KJJ",
        "kind": "pool_owner",
        "name": "苏州市科学技术局",
        "region": "320500",
        "level": "city",
        "effective_date": DAY,
        "actor": actor,
    }
    return Institution.register(**(command | changes))


def test_an_institution_is_found_by_its_code(fund_manager):
    institution = register_institution(fund_manager)
    assert institution.id == institution_id("SZ-KJJ")
    assert (institution.kind, institution.level) == ("pool_owner", "city")
    assert institution.same_registration("pool_owner", "苏州市科学技术局", "320500", "city")
    assert not institution.same_registration("pool_owner", "苏州市科技局", "320500", "city")
    assert [type(e).__name__ for e in institution.collect_events()] == ["Registered"]


def test_a_bank_needs_no_government_level(clerk):
    bank = register_institution(clerk, code="ICBC", kind="bank", name="工商银行", level=None)
    assert bank.level is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "  "}, "code"),
        ({"kind": "broker"}, "kind"),
        ({"name": ""}, "name"),
        ({"level": "town"}, "level"),
        ({"level": None}, "level"),  # a government pool owner needs its level
    ],
)
def test_a_malformed_institution_is_refused_naming_the_field(fund_manager, changes, field):
    with pytest.raises(InvalidInput) as refused:
        register_institution(fund_manager, **changes)
    assert refused.value.field == field


def test_an_enterprise_is_found_by_its_upper_cased_code(clerk):
    first17 = "91320500MA1MXXXX0"
    code = first17 + check_character(first17)
    enterprise = Enterprise.register(
        uscc=code.lower(),
        name="苏州某科技有限公司",
        region="320500",
        effective_date=DAY,
        actor=clerk,
    )
    assert enterprise.uscc == code
    assert enterprise.id == enterprise_id(code)
    assert enterprise.same_registration("苏州某科技有限公司", "320500")
    assert not enterprise.same_registration("苏州某科技有限公司", "320600")


def test_an_enterprise_with_an_invalid_code_is_refused(clerk):
    with pytest.raises(InvalidInput) as refused:
        Enterprise.register(
            uscc=USCC[:-1] + "4", name="某公司", region="350100", effective_date=DAY, actor=clerk
        )
    assert refused.value.field == "uscc"


def test_an_enterprise_needs_a_name(clerk):
    with pytest.raises(InvalidInput) as refused:
        Enterprise.register(uscc=USCC, name=" ", region="350100", effective_date=DAY, actor=clerk)
    assert refused.value.field == "name"


def test_every_event_records_a_known_channel():
    assert str(Actor("ICBC", "clerk", "cli")) == "clerk@ICBC via cli"
    with pytest.raises(ValueError, match="channel"):
        Actor("ICBC", "clerk", "email")
