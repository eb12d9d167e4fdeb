"""Steps of the split rules (R8), the pools' queues (R10) and after-recovery settlement (R11).

The product's rule book is written down step by step (shares or revenue tiers, bonus, caps,
settlement mode) and then published by the fund manager in one step, as a terms file would
be. Imported by the three feature modules; the checks around every step (conftest) apply.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from parse import with_pattern
from pytest_bdd import given, parsers, then, when

from domain.claimant_account import ClaimantAccount
from domain.errors import NotFound
from domain.money import format_bps, format_yuan, parse_bps, parse_fen
from domain.split import loan_shares
from domain.terms_parsing import parse_terms
from ledger.app import Session
from projections.reports import pool_balances
from projections.runner import ReadModels, open_engine

from .programme import (
    FUND_MANAGER,
    TERMS_FROM,
    TYPES,
    Command,
    Programme,
    amount,
    body,
    clerk,
    party,
    pool_code,
    uscc_for,
)

# How a loan is described: 首贷 (first loan), 信用贷款 (pure credit), both, or neither.
LOAN_KINDS = {
    "贷款": (False, False),
    "首贷": (True, False),
    "信用贷款": (False, True),
    "首贷信用贷款": (True, True),
}
LEG_STATES = ("已支付", "排队中", "未支付")


@with_pattern("|".join(sorted(LOAN_KINDS, key=len, reverse=True)))
def _kind(cell: str) -> tuple[bool, bool]:
    return LOAN_KINDS[cell]


@with_pattern(r"\d[\d,.]*(?:万|亿)?")
def _revenue(cell: str) -> int:
    return parse_fen(cell, "revenue", allow_zero=True)


def text(pattern: str) -> parsers.parse:
    """Like programme.text, also reading {x:Kind} loan kinds and {x:Revenue} 1500万 amounts."""
    return parsers.parse(pattern, extra_types={**TYPES, "Kind": _kind, "Revenue": _revenue})


@pytest.fixture
def rule_book() -> dict[str, dict[str, Any]]:
    """The terms of each product as the steps write them down, before it is published."""
    return {}


def _terms(rule_book: dict[str, dict[str, Any]], product: str) -> dict[str, Any]:
    return rule_book.setdefault(
        product,
        {"code": product, "name": product, "structure": "direct", "effective_from": TERMS_FROM},
    )


def _shares(header: list[str], row: list[str]) -> dict[str, int]:
    return {party(label): parse_bps(cell) for label, cell in zip(header, row, strict=True)}


# -- the rule book --------------------------------------------------------------------------


@given(text("产品“{product}”按下列比例分担核定损失:"))
def shares_written(rule_book, product, datatable):
    _terms(rule_book, product)["shares"] = {
        party(label): parse_bps(share) for label, share in body(datatable)
    }


@given(text("产品“{product}”按企业年营业收入分档分担核定损失:"))
def tiers_written(rule_book, product, datatable):
    """Columns: the revenue band (低于2000万, or 其余 for the last), then one per party."""
    header = [cell.strip() for cell in datatable[0][1:]]
    tiers = []
    for band, *shares in body(datatable):
        tier: dict[str, Any] = {"shares": _shares(header, shares)}
        if band.startswith("低于"):
            tier["below_revenue"] = band.removeprefix("低于")
        tiers.append(tier)
    _terms(rule_book, product)["tiers"] = tiers


@given(text("首贷企业的贷款，“{product}”将银行比例中的{bonus}转由资金池承担"))
def first_loan_bonus(rule_book, product, bonus):
    _terms(rule_book, product).setdefault("bonus", {})["first_loan"] = bonus


@given(text("信用贷款，“{product}”将银行比例中的{bonus}转由资金池承担"))
def pure_credit_bonus(rule_book, product, bonus):
    _terms(rule_book, product).setdefault("bonus", {})["pure_credit"] = bonus


@given(text("“{product}”的资金池对每笔补偿申请最多承担{cap:Yuan}元"))
def per_claim_cap(rule_book, product, cap):
    _terms(rule_book, product).setdefault("caps", {})["per_claim"] = format_yuan(cap)


@given(text("“{product}”的资金池对每笔补偿申请最多承担核定损失的{share}"))
def per_claim_share_cap(rule_book, product, share):
    _terms(rule_book, product).setdefault("caps", {})["per_claim_share"] = share


@given(
    text(
        "“{product}”的资金池对同一家银行累计承担的补偿不超过其核定损失的{share}，超出部分由银行承担"
    )
)
def cumulative_cap(rule_book, product, share):
    caps = _terms(rule_book, product).setdefault("caps", {})
    caps.update(cumulative_share=share, residual_party="bank")


@given(text("“{product}”在借款企业的追偿结束后才予补偿"))
def after_recovery_settlement(rule_book, product):
    _terms(rule_book, product)["settlement"] = "after_recovery"


@given(text("基金管理人发布了产品“{product}”"))
def product_published(programme: Programme, rule_book, product):
    terms = parse_terms(_terms(rule_book, product))

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


# -- loans with the facts the split needs ---------------------------------------------------


def _lending(
    programme: Programme,
    bank: str,
    loan: str,
    principal: int,
    enterprise: str,
    product: str,
    day: date,
    kind: tuple[bool, bool],
    revenue: int | None,
) -> Command:
    """Returns the command registering a loan with its enterprise's revenue and its flags."""
    programme.loans.setdefault(loan, bank)
    first_loan, pure_credit = kind

    def register(session: Session) -> Any:
        session.add_institution(
            code=bank,
            kind="bank",
            name=f"{bank} 苏州分行",
            region="苏州",
            level=None,
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )
        session.add_enterprise(
            uscc=uscc_for(enterprise),
            name=enterprise,
            region="苏州",
            effective_date=TERMS_FROM,
            actor=FUND_MANAGER,
        )
        return session.register_loan(
            bank=bank,
            reference=loan,
            uscc=uscc_for(enterprise),
            product=product,
            principal_fen=principal,
            annual_rate_bps=385,
            term_months=12,
            start_date=day,
            first_loan=first_loan,
            pure_credit=pure_credit,
            annual_revenue_fen=revenue,
            actor=clerk(bank),
        )

    return register


@given(
    text(
        "{bank:Code}于{day:Date}在“{product}”项下向年营业收入{revenue:Revenue}的“{enterprise}”"
        "发放{kind:Kind}{loan:Code}，金额{principal:Yuan}元"
    )
)
def loan_lent_with_revenue(
    programme, bank, day, product, revenue, enterprise, kind, loan, principal
):
    programme.run(
        _lending(programme, bank, loan, principal, enterprise, product, day, kind, revenue)
    )
    programme.run(programme.disbursement(bank, loan, principal, day, f"{loan}-disbursement"))


@when(
    text(
        "{bank:Code}于{day:Date}在“{product}”项下登记向“{enterprise}”发放的{kind:Kind}{loan:Code}，"
        "金额{principal:Yuan}元，未填报企业年营业收入"
    )
)
def loan_registration_without_revenue(
    programme, bank, day, product, enterprise, kind, loan, principal
):
    programme.attempt(
        _lending(programme, bank, loan, principal, enterprise, product, day, kind, None)
    )


@then(text("贷款{loan:Code}未登记"))
def loan_not_registered(programme, loan):
    with pytest.raises(NotFound):
        programme.ledger.get_loan(programme.bank_of(loan), loan)


@given(text("{bank:Code}的贷款{loan:Code}于{day:Date}违约，并于{filed:Date}提出补偿申请"))
def defaulted_and_claimed(programme, bank, loan, day, filed):
    programme.run(programme.default(bank, loan, day, "逾期90天"))
    programme.run(programme.filing(bank, loan, filed, f"{loan}-claim"))


# -- approval and the burdens ---------------------------------------------------------------


@when(text("基金管理人于{day:Date}核准贷款{loan:Code}的补偿申请，核准金额{approved:Yuan}元"))
def claim_approval(programme, day, loan, approved):
    programme.attempt(programme.approval(loan, approved, day))


@then(text("贷款{loan:Code}适用的分担比例为:"))
def loan_shares_are(programme, loan, datatable):
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    terms = Session(programme.ledger).product(found.product).terms_version(found.terms_version)
    shares = loan_shares(
        terms,
        annual_revenue_fen=found.annual_revenue_fen,
        first_loan=found.first_loan,
        pure_credit=found.pure_credit,
    )
    expected = {party(label): format_bps(parse_bps(cell)) for label, cell in body(datatable)}
    assert {p: format_bps(bps) for p, bps in shares} == expected


@then(text("贷款{loan:Code}的补偿申请各方承担如下:"))
def burdens_are(programme, loan, datatable):
    expected = {party(label): format_yuan(amount(cell)) for label, cell in body(datatable)}
    burdens = programme.claim(loan).burdens
    assert {p: format_yuan(fen) for p, fen in burdens.items()} == expected


@when(text("基金管理人依次核准下列补偿申请:"))
def claims_approved_in_turn(programme, datatable):
    """Columns: loan, approval date, amount approved."""
    for loan, day, approved in body(datatable):
        programme.attempt(programme.approval(loan, amount(approved), date.fromisoformat(day)))
        assert programme.refusal is None, f"approving {loan}: {programme.refusal}"


@then(text("各笔补偿申请的承担如下:"))
def each_claims_burdens(programme, datatable):
    """Columns: loan, then one per party."""
    header = [cell.strip() for cell in datatable[0][1:]]
    for loan, *cells in body(datatable):
        burdens = programme.claim(loan).burdens
        expected = {
            party(label): format_yuan(amount(cell))
            for label, cell in zip(header, cells, strict=True)
        }
        found = {p: format_yuan(burdens.get(p, 0)) for p in expected}
        assert found == expected, f"loan {loan}"
        assert sum(burdens.values()) == programme.claim(loan).shared_loss_fen


@then(text("{bank:Code}在“{product}”项下累计核定损失{losses:Yuan}元，资金池累计承担{pools:Yuan}元"))
def claimant_account(programme, bank, product, losses, pools):
    account = programme.ledger.repository.get(ClaimantAccount.create_id(product, bank))
    assert (format_yuan(account.losses_fen), format_yuan(account.pool_burdens_fen)) == (
        format_yuan(losses),
        format_yuan(pools),
    )


# -- legs and the pools' queues (R10) -------------------------------------------------------


@when(text("基金管理人于{day:Date}支付贷款{loan:Code}补偿申请的全部补偿款"))
def legs_payment(programme, day, loan):
    programme.attempt(programme.leg_payment(loan, None, day))


@when(text("基金管理人于{day:Date}支付贷款{loan:Code}补偿申请中{payer}的补偿款"))
def one_leg_payment(programme, day, loan, payer):
    programme.attempt(programme.leg_payment(loan, [party(payer)], day))


@given(text("基金管理人于{day:Date}已支付贷款{loan:Code}补偿申请的全部补偿款"))
def legs_paid_or_queued(programme, day, loan):
    programme.run(programme.leg_payment(loan, None, day))


def _leg_states(programme: Programme, loan: str) -> dict[str, tuple[str, str, str]]:
    """Each leg of the loan's claim: its amount, whether paid, queued or unpaid, and when."""
    claim = programme.claim(loan)
    product = Session(programme.ledger).product(claim.product)
    states: dict[str, tuple[str, str, str]] = {}
    for payer, fen in claim.legs.items():
        if payer in claim.legs_paid:
            states[payer] = (format_yuan(fen), "已支付", str(claim.legs_paid[payer]))
            continue
        queue = {}
        if payer.startswith("pool."):
            queue = programme.ledger.get_pool(product.pool_for(payer)).queue
        if claim.id in queue:
            states[payer] = (format_yuan(fen), "排队中", str(queue[claim.id].queued_on))
        else:
            states[payer] = (format_yuan(fen), "未支付", "")
    return states


@then(text("贷款{loan:Code}补偿申请的补偿款如下:"))
def legs_are(programme, loan, datatable):
    """Columns: payer, amount, 已支付 / 排队中 / 未支付, the date paid or queued."""
    expected = {
        party(label): (format_yuan(amount(fen)), state, day)
        for label, fen, state, day in body(datatable)
    }
    assert all(state in LEG_STATES for _, state, _ in expected.values())
    assert _leg_states(programme, loan) == expected


@when(text("{funder}于{day:Date}向“{product}”的{pool}注资{funds:Yuan}元，凭证号{ref:Code}"))
def pool_contribution(programme, funder, day, product, pool, funds, ref):
    programme.attempt(programme.contribution(product, pool, funder, funds, day, ref))


@then(text("“{product}”的资金池报表如下:"))
def pool_report(programme, product, datatable):
    """Columns: pool, available, queued; read from the report and from the pools themselves."""
    engine = open_engine(programme.ledger.settings.read_model_url())
    try:
        ReadModels(programme.ledger, engine).catch_up()
        rows = {row["pool"]: row for row in pool_balances(engine)}
    finally:
        engine.dispose()
    for label, available, queued in body(datatable):
        code = pool_code(product, label)
        pool = programme.ledger.get_pool(code)
        expected = (format_yuan(amount(available)), format_yuan(amount(queued)))
        assert (format_yuan(pool.available_fen), format_yuan(pool.queued_fen)) == expected, code
        reported = (format_yuan(rows[code]["available_fen"]), format_yuan(rows[code]["queued_fen"]))
        assert reported == expected, f"report of {code}"


@then(text("“{product}”的{pool}排队等候的补偿款依次为:"))
def queue_order(programme, product, pool, datatable):
    """Columns: loan, payer, amount, date queued; oldest first."""
    queue = programme.ledger.get_pool(pool_code(product, pool)).queue
    found = [
        (leg.payer, format_yuan(leg.amount_fen), str(leg.queued_on), leg.claim)
        for leg in queue.values()
    ]
    expected = [
        (party(payer), format_yuan(amount(fen)), day, programme.claim(loan).id)
        for loan, payer, fen, day in body(datatable)
    ]
    assert found == expected


# -- after-recovery settlement (R11) --------------------------------------------------------


@when(text("{bank:Code}于{day:Date}结束贷款{loan:Code}的追偿"))
def recovery_closing(programme, bank, day, loan):
    programme.attempt(
        lambda s: s.close_recovery(bank=bank, reference=loan, effective_date=day, actor=clerk(bank))
    )


@given(text("{bank:Code}已于{day:Date}结束贷款{loan:Code}的追偿"))
def recovery_closed(programme, bank, day, loan):
    programme.run(
        lambda s: s.close_recovery(bank=bank, reference=loan, effective_date=day, actor=clerk(bank))
    )


@then(text("贷款{loan:Code}的补偿申请已确定分担比例，尚无承担额和补偿款:"))
def shares_fixed_without_burdens(programme, loan, datatable):
    claim = programme.claim(loan)
    expected = {party(label): format_bps(parse_bps(cell)) for label, cell in body(datatable)}
    assert {p: format_bps(bps) for p, bps in claim.shares.items()} == expected
    assert (claim.burdens, claim.legs) == ({}, {})


@then(text("贷款{loan:Code}尚待分担的损失为{left:Yuan}元"))
def loss_left_to_split(programme, loan, left):
    claim = programme.claim(loan)
    assert format_yuan(claim.approved_fen - claim.recovered_fen) == format_yuan(left)
