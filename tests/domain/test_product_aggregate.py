"""Products: terms versions in force by date (R15) and one pool per level."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.errors import Conflict, NotFound, RuleViolation
from domain.ids import product_id
from domain.product import Product


@pytest.fixture
def product(su_ke_dai, fund_manager):
    return Product.define(su_ke_dai, fund_manager)


@pytest.fixture
def revised(product, su_ke_dai, fund_manager):
    """苏科贷 with a second version from 2025: the bank's share falls to 20%."""
    v2 = replace(
        su_ke_dai,
        effective_from=date(2025, 1, 1),
        shares=(("pool.province", 4000), ("pool.city", 4000), ("bank", 2000)),
    )
    assert product.revise(v2, fund_manager) is True
    return product


def test_a_defined_product_is_found_by_its_code_and_has_its_first_version(product, su_ke_dai):
    assert product.id == product_id("SKD")
    assert product.name == "苏科贷"
    assert product.versions == [su_ke_dai]
    assert [type(e).__name__ for e in product.collect_events()] == ["Defined"]


def test_terms_on_picks_the_version_in_force_on_the_day(revised):
    assert revised.terms_on(date(2024, 1, 1))[0] == 1
    assert revised.terms_on(date(2024, 12, 31))[0] == 1
    number, terms = revised.terms_on(date(2025, 1, 1))
    assert number == 2
    assert dict(terms.shares)["bank"] == 2000
    assert revised.terms_on(date(2030, 6, 1))[0] == 2
    assert revised.terms_version(1).shares[2] == ("bank", 3000)


def test_a_day_before_the_first_version_has_no_terms_in_force(product):
    with pytest.raises(RuleViolation) as refused:
        product.terms_on(date(2023, 12, 31))
    assert refused.value.rule == "R15"
    assert refused.value.field == "start_date"


def test_revising_with_the_latest_terms_again_is_a_no_op(product, su_ke_dai, fund_manager):
    product.collect_events()
    assert product.revise(su_ke_dai, fund_manager) is False
    assert product.pending_events == []


@pytest.mark.parametrize("day", [date(2023, 6, 1), date(2024, 1, 1)])
def test_a_new_version_must_take_effect_after_the_latest(product, su_ke_dai, fund_manager, day):
    product.collect_events()
    earlier = replace(su_ke_dai, effective_from=day, default_days=60)
    with pytest.raises(RuleViolation) as refused:
        product.revise(earlier, fund_manager)
    assert refused.value.rule == "R15"
    assert product.pending_events == []
    assert len(product.versions) == 1


def test_a_products_structure_cannot_change(product, su_ke_dai, fund_manager):
    product.collect_events()
    guaranteed = replace(su_ke_dai, structure="guaranteed", effective_from=date(2025, 1, 1))
    with pytest.raises(Conflict):
        product.revise(guaranteed, fund_manager)
    assert product.pending_events == []


def test_binds_one_pool_per_level_and_finds_it_by_party(product, fund_manager):
    product.collect_events()
    product.bind_pool("city", "SZ-CITY", date(2024, 1, 1), fund_manager)
    product.bind_pool("city", "SZ-CITY", date(2024, 2, 1), fund_manager)
    assert len(product.collect_events()) == 1
    assert product.pool_for("pool.city") == "SZ-CITY"


def test_binding_a_second_pool_at_a_level_is_a_conflict(product, fund_manager):
    product.bind_pool("city", "SZ-CITY", date(2024, 1, 1), fund_manager)
    product.collect_events()
    with pytest.raises(Conflict):
        product.bind_pool("city", "WX-CITY", date(2024, 1, 1), fund_manager)
    assert product.pending_events == []
    assert product.pool_for("pool.city") == "SZ-CITY"


def test_a_share_with_no_pool_bound_is_not_found(product):
    with pytest.raises(NotFound) as refused:
        product.pool_for("pool.province")
    assert refused.value.field == "pool"


def test_replaying_the_events_rebuilds_every_version_and_pool(revised, fund_manager):
    revised.bind_pool("province", "JS-PROV", date(2024, 1, 1), fund_manager)
    rebuilt = None
    for domain_event in revised.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt.versions == revised.versions
    assert rebuilt.pools == {"province": "JS-PROV"}
    assert rebuilt.version == revised.version
