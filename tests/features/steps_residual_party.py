"""Steps for publishing a product whose pools' caps name a residual party (R8)."""

from __future__ import annotations

from pytest_bdd import then, when

from domain.errors import InvalidTerms
from domain.money import format_yuan, parse_bps
from domain.terms_parsing import parse_terms
from ledger.app import Session

from .programme import FUND_MANAGER, TERMS_FROM, body, checks_refusal, party, text

STRUCTURES = {"直接补偿": "direct", "担保类": "guaranteed", "保险类": "insured"}


@when(
    text(
        "基金管理人发布{structure}产品“{product}”，资金池每笔最多承担{cap:Yuan}元，"
        "超出部分由{residual}承担，分担比例如下:"
    )
)
def product_publishing(programme, structure, product, cap, residual, datatable):
    data = {
        "code": product,
        "name": product,
        "structure": STRUCTURES[structure],
        "effective_from": TERMS_FROM,
        "shares": {party(label): parse_bps(share) for label, share in body(datatable)},
        "caps": {"per_claim": format_yuan(cap), "residual_party": party(residual)},
    }

    def publish(session: Session) -> None:
        # Read inside the command: terms the rules refuse are a refusal like any other.
        session.define_product(terms=parse_terms(data), actor=FUND_MANAGER)

    programme.attempt(publish)


@then(text("产品“{product}”已发布，资金池补偿上限扣减的部分由{residual}承担"))
def product_published(programme, product, residual):
    terms = Session(programme.ledger).product(product).latest
    assert terms.caps.residual_party == party(residual)


@then(text("该产品条款被拒绝，指向条款“{key}”"))
@checks_refusal
def terms_refused(programme, key):
    refusal = programme.take_refusal()
    assert isinstance(refusal, InvalidTerms), f"{type(refusal).__name__}: {refusal}"
    assert [path for path, _ in refusal.problems] == [key], str(refusal)
