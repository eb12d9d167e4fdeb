"""Steps shared by the features, and the checks run around every step.

After every step the ledger's invariants must hold (projections.invariants). A `When` the
ledger refuses keeps the refusal, and the very next step must be one that inspects it, so a
refusal can never pass unnoticed nor an expected one be missed.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from domain.errors import Conflict, RuleViolation
from domain.money import format_yuan, parse_bps
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.settings import Settings
from projections.invariants import check_invariants

from .programme import (
    CLAIM_STATES,
    FUND_MANAGER,
    TERMS_FROM,
    Programme,
    amount,
    body,
    checks_refusal,
    party,
    pool_code,
    text,
)


@pytest.fixture
def ledger(tmp_path) -> RiskLedger:
    return RiskLedger(Settings(db=str(tmp_path / "l.db"), operator="bdd"))


@pytest.fixture
def programme(ledger) -> Programme:
    return Programme(ledger)


def pytest_bdd_before_step(request, feature, scenario, step, step_func) -> None:
    refusal = request.getfixturevalue("programme").refusal
    if refusal is not None and not getattr(step_func, "checks_refusal", False):
        pytest.fail(
            f"the command before '{step.keyword.strip()} {step.name}' was refused: {refusal}"
        )


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    violations = check_invariants(request.getfixturevalue("ledger"))
    assert violations == [], f"after '{step.keyword.strip()} {step.name}': " + "; ".join(violations)
    refusal = request.getfixturevalue("programme").refusal
    if step is scenario.steps[-1] and refusal is not None:
        pytest.fail(f"the scenario ends on a refusal nobody checked: {refusal}")


# -- the programme: product, pools ----------------------------------------------------------


@given(text("the direct product {product} shares each approved loss as follows:"))
@given(text("产品“{product}”按下列比例分担每笔核定损失:"))
def product_shares(programme, product, datatable):
    terms = parse_terms(
        {
            "code": product,
            "name": product,
            "structure": "direct",
            "effective_from": TERMS_FROM,
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


@given(text("the risk pools of {product} are opened and funded:"))
@given(text("“{product}”的风险补偿资金池已开立并注资:"))
def pools_funded(programme, product, datatable):
    def open_pools(session: Session) -> None:
        for label, funder, _ in body(datatable):
            level = party(label).removeprefix("pool.")
            session.add_institution(
                code=funder,
                kind="pool_owner",
                name=funder,
                region=funder[:2],
                level=level,
                effective_date=TERMS_FROM,
                actor=FUND_MANAGER,
            )
            session.open_pool(
                code=pool_code(product, label),
                name=f"{product} {label}",
                owner=funder,
                level=level,
                products=[product],
                effective_date=TERMS_FROM,
                actor=FUND_MANAGER,
            )

    programme.run(open_pools)
    for label, funder, funds in body(datatable):
        fund = programme.contribution(product, label, funder, amount(funds), TERMS_FROM, "initial")
        programme.run(fund)


@then(text("the risk pools of {product} hold:"))
@then(text("“{product}”的风险补偿资金池余额为:"))
def pools_hold(programme, product, datatable):
    for label, balance in body(datatable):
        held = programme.ledger.get_pool(pool_code(product, label)).available_fen
        assert format_yuan(held) == format_yuan(amount(balance)), f"the {label} holds"


# -- loans ----------------------------------------------------------------------------------


@given(
    text(
        "{bank:Code} lent {principal:Yuan} to {enterprise} under {product} "
        "as loan {loan:Code} on {day:Date}"
    )
)
@given(
    text(
        "{bank:Code}于{day:Date}在“{product}”项下向“{enterprise}”"
        "发放贷款{loan:Code}，金额{principal:Yuan}元"
    )
)
def loan_lent(programme, bank, principal, enterprise, product, loan, day):
    programme.run(programme.registration(bank, loan, principal, enterprise, product, day))
    programme.run(programme.disbursement(bank, loan, principal, day, f"{loan}-disbursement"))


@when(
    text(
        "{bank:Code} registers loan {loan:Code} of {principal:Yuan} to {enterprise} "
        "under {product} on {day:Date}"
    )
)
def loan_registration(programme, bank, loan, principal, enterprise, product, day):
    programme.attempt(programme.registration(bank, loan, principal, enterprise, product, day))


REPAYMENT = (
    "a repayment on loan {loan:Code} of {principal:Yuan} principal and {interest:Yuan} "
    "interest on {day:Date} under reference {ref:Code}"
)


@given(text("{bank:Code} received " + REPAYMENT))
def repayment_received(programme, bank, loan, principal, interest, day, ref):
    programme.run(programme.repayment(bank, loan, principal, interest, day, ref))


@when(text("{bank:Code} records " + REPAYMENT))
def repayment_recording(programme, bank, loan, principal, interest, day, ref):
    programme.attempt(programme.repayment(bank, loan, principal, interest, day, ref))


@given(text("{bank:Code} declared loan {loan:Code} in default on {day:Date}"))
@given(text("{bank:Code}宣告贷款{loan:Code}于{day:Date}违约"))
def default_declared(programme, bank, loan, day):
    programme.run(programme.default(bank, loan, day, "90 days overdue"))


@then(text("loan {loan:Code} is {state:State} with {outstanding:Yuan} outstanding"))
def loan_state(programme, loan, state, outstanding):
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert (found.state, format_yuan(found.outstanding_fen)) == (state, format_yuan(outstanding))


# -- claims: filing, approval, burdens, legs ------------------------------------------------


@given(text("{bank:Code} filed a claim on loan {loan:Code} on {day:Date}"))
@given(text("{bank:Code}于{day:Date}就贷款{loan:Code}提出补偿申请"))
def claim_filed(programme, bank, loan, day):
    programme.run(programme.filing(bank, loan, day, f"{loan}-claim"))


@given(
    text("{bank:Code} filed a claim on loan {loan:Code} on {day:Date} under reference {ref:Code}")
)
def claim_filed_under(programme, bank, loan, day, ref):
    programme.run(programme.filing(bank, loan, day, ref))


@when(
    text("{bank:Code} files a claim on loan {loan:Code} on {day:Date} under reference {ref:Code}")
)
def claim_filing(programme, bank, loan, day, ref):
    programme.attempt(programme.filing(bank, loan, day, ref))


@given(
    text("the fund manager approved {approved:Yuan} of the claim on loan {loan:Code} on {day:Date}")
)
@given(text("基金管理人于{day:Date}核准贷款{loan:Code}的补偿申请，核准金额{approved:Yuan}元"))
def claim_approved(programme, approved, loan, day):
    programme.run(programme.approval(loan, approved, day))


@when(
    text("the fund manager approves {approved:Yuan} of the claim on loan {loan:Code} on {day:Date}")
)
def claim_approval(programme, approved, loan, day):
    programme.attempt(programme.approval(loan, approved, day))


@when(text("the fund manager approves the claim on loan {loan:Code} in full on {day:Date}"))
def claim_approval_in_full(programme, loan, day):
    programme.attempt(programme.approval(loan, None, day))


@then(text("the burdens of the claim on loan {loan:Code} are:"))
def burdens_are(programme, loan, datatable):
    expected = {party(label): format_yuan(amount(cell)) for label, cell in body(datatable)}
    burdens = programme.claim(loan).burdens
    assert {p: format_yuan(fen) for p, fen in burdens.items()} == expected


@given(text("the fund manager paid the legs of the claim on loan {loan:Code} on {day:Date}"))
@given(text("基金管理人于{day:Date}支付了贷款{loan:Code}补偿申请的全部补偿款"))
def legs_paid(programme, loan, day):
    programme.run(programme.leg_payment(loan, None, day))


@given(
    text(
        "the fund manager paid only the {payer}'s leg of the claim on loan {loan:Code} "
        "on {day:Date}"
    )
)
@given(text("基金管理人于{day:Date}仅支付了贷款{loan:Code}补偿申请中{payer}的补偿款"))
def one_leg_paid(programme, payer, loan, day):
    programme.run(programme.leg_payment(loan, [party(payer)], day))


@when(text("the fund manager pays the legs of the claim on loan {loan:Code} on {day:Date}"))
def legs_payment(programme, loan, day):
    programme.attempt(programme.leg_payment(loan, None, day))


@when(
    text("the fund manager pays the {payer}'s leg of the claim on loan {loan:Code} on {day:Date}")
)
def one_leg_payment(programme, payer, loan, day):
    programme.attempt(programme.leg_payment(loan, [party(payer)], day))


@then(text("these legs of the claim on loan {loan:Code} are paid to {bank:Code}:"))
def legs_are_paid(programme, loan, bank, datatable):
    expected = {party(label): format_yuan(amount(cell)) for label, cell in body(datatable)}
    assert {p: format_yuan(fen) for p, fen in programme.answer.items()} == expected
    claim = programme.claim(loan)
    assert (claim.bank, claim.claimant) == (bank, "bank")
    assert {p: format_yuan(claim.legs[p]) for p in expected if p in claim.legs_paid} == expected


@then(text("no leg of the claim on loan {loan:Code} is paid"))
def no_leg_paid(programme, loan):
    assert programme.claim(loan).legs_paid == {}


@then(text("the claim on loan {loan:Code} is {state:State}"))
@then(text("贷款{loan:Code}的补偿申请状态为“{state}”"))
def claim_state(programme, loan, state):
    assert programme.claim(loan).state == CLAIM_STATES.get(state, state)


# -- recoveries -----------------------------------------------------------------------------

RECOVERY = (
    "a recovery of {recovered:Yuan} on loan {loan:Code} on {day:Date} under reference {ref:Code}"
)


@given(text("{bank:Code} recorded " + RECOVERY))
@given(
    text("{bank:Code}已于{day:Date}登记贷款{loan:Code}的追偿款{recovered:Yuan}元，凭证号{ref:Code}")
)
def recovery_recorded(programme, bank, recovered, loan, day, ref):
    programme.run(programme.recovery(bank, loan, recovered, day, ref))


@when(text("{bank:Code} records " + RECOVERY))
@when(
    text("{bank:Code}于{day:Date}登记贷款{loan:Code}的追偿款{recovered:Yuan}元，凭证号{ref:Code}")
)
def recovery_recording(programme, bank, recovered, loan, day, ref):
    programme.attempt(programme.recovery(bank, loan, recovered, day, ref))


@then(text("the recovery on loan {loan:Code} is shared back as follows:"))
@then(text("贷款{loan:Code}本次追偿款返还如下:"))
def recovery_shared(programme, loan, datatable):
    """Columns: party, this recovery, recovered so far, burden."""
    claim = programme.claim(loan)
    expected = {
        party(label): tuple(format_yuan(amount(cell)) for cell in cells)
        for label, *cells in body(datatable)
    }
    shared = {
        p: tuple(
            format_yuan(fen)
            for fen in (programme.answer[p], claim.recovered_by_party[p], claim.burdens[p])
        )
        for p in programme.answer
    }
    assert shared == expected


@then(text("the recoveries on loan {loan:Code} total {recovered:Yuan}"))
@then(text("贷款{loan:Code}的累计追偿款为{recovered:Yuan}元"))
def recoveries_total(programme, loan, recovered):
    assert format_yuan(programme.claim(loan).recovered_fen) == format_yuan(recovered)


# -- refusals and what was written ----------------------------------------------------------


@then(text('the command is refused on the field "{field_name}"'))
@checks_refusal
def refused_on(programme, field_name):
    refusal = programme.take_refusal()
    assert refusal.field == field_name, str(refusal)


@then(text('the command is refused under rule {rule:Code} on the field "{field_name}"'))
@then(text("该指令被拒绝，依据规则{rule:Code}，指向字段“{field_name}”"))
@checks_refusal
def refused_by_rule(programme, rule, field_name):
    refusal = programme.take_refusal()
    assert isinstance(refusal, RuleViolation), f"{type(refusal).__name__}: {refusal}"
    assert (refusal.rule, refusal.field) == (rule, field_name), str(refusal)


@then(text('the command is refused as a conflict on the field "{field_name}"'))
@then(text("该指令因冲突被拒绝，指向字段“{field_name}”"))
@checks_refusal
def refused_as_conflict(programme, field_name):
    refusal = programme.take_refusal()
    assert isinstance(refusal, Conflict), f"{type(refusal).__name__}: {refusal}"
    assert refusal.field == field_name, str(refusal)


@then(text('the reason says "{words}"'))
@then(text("拒绝理由包含“{words}”"))
def reason_says(programme, words):
    assert programme.checked_refusal is not None
    assert words in str(programme.checked_refusal), str(programme.checked_refusal)


@then("nothing is written to the ledger")
@then("账本没有写入任何事件")
def nothing_written(programme):
    assert programme.ledger.event_count() == programme.events_before
