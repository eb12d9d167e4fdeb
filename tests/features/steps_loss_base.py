"""Steps for a claim's loss base (R7): principal at default, and unpaid interest when the
product covers interest."""

from __future__ import annotations

from pytest_bdd import given, then

from domain.money import format_yuan, parse_bps
from domain.terms_parsing import parse_terms
from ledger.app import Session

from .programme import FUND_MANAGER, TERMS_FROM, body, party, text


@given(text("产品“{product}”按下列比例分担每笔核定损失，并补偿违约时未还的利息:"))
def product_covering_interest(programme, product, datatable):
    terms = parse_terms(
        {
            "code": product,
            "name": product,
            "structure": "direct",
            "effective_from": TERMS_FROM,
            "covers_interest": True,
            "shares": {party(label): parse_bps(share) for label, share in body(datatable)},
        }
    )

    def define(session: Session) -> None:
        session.add_institution(
            code=FUND_MANAGER.institution,
            kind="operator",
            name="苏州市科学技术局",
            region="苏州",
            level=None,
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )
        session.define_product(terms=terms, actor=FUND_MANAGER)

    programme.run(define)


@then(
    text(
        "贷款{loan:Code}的补偿申请损失基数为{loss_base:Yuan}元，"
        "其中未还本金{principal:Yuan}元、未还利息{interest:Yuan}元"
    )
)
def loss_base_is(programme, loan, loss_base, principal, interest):
    claim = programme.claim(loan)
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert format_yuan(found.outstanding_at_default_fen) == format_yuan(principal)
    assert format_yuan(claim.loss_base_fen - found.outstanding_at_default_fen) == format_yuan(
        interest
    )
    assert format_yuan(claim.loss_base_fen) == format_yuan(loss_base)
