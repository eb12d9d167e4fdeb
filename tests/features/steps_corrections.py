"""Steps of corrections by reversal (R13): repayments, contributions, recoveries, leg payments.

Balances and statistics are read both from the aggregates and from the read models the
reports print, so a reversal that the fold missed fails the scenario. Imported by the
feature's test module with the rule and schedule steps it reuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from pytest_bdd import given, then, when
from sqlalchemy import Engine

from domain.errors import InvalidInput, NotFound
from domain.ids import exposure_id
from domain.money import format_yuan
from domain.terms import POOL_PARTIES
from projections.reports import pool_balances, product_statistics
from projections.runner import ReadModels, open_engine

from .programme import (
    FUND_MANAGER,
    Command,
    Programme,
    amount,
    body,
    checks_refusal,
    clerk,
    party,
    pool_code,
    text,
)


@contextmanager
def read_models(programme: Programme) -> Iterator[Engine]:
    """The read models, caught up with every event the ledger holds."""
    engine = open_engine(programme.ledger.settings.read_model_url())
    try:
        ReadModels(programme.ledger, engine).catch_up()
        yield engine
    finally:
        engine.dispose()


def _yuan(fen: int) -> str:
    return format_yuan(fen)


def _cells(row: list[str]) -> tuple[str, ...]:
    return tuple(_yuan(amount(cell)) for cell in row)


# -- the money events reversed -------------------------------------------------------------


@given(
    text(
        "{bank:Code}已于{day:Date}收到贷款{loan:Code}的还款，本金{principal:Yuan}元、"
        "利息{interest:Yuan}元，凭证号{ref:Code}"
    )
)
def explicit_repayment_received(programme, bank, day, loan, principal, interest, ref):
    programme.run(programme.repayment(bank, loan, principal, interest, day, ref))


@given(text("{funder}已于{day:Date}向“{product}”的{pool}注资{funds:Yuan}元，凭证号{ref:Code}"))
def contribution_received(programme, funder, day, product, pool, funds, ref):
    programme.run(programme.contribution(product, pool, funder, funds, day, ref))


# -- the reversals -------------------------------------------------------------------------


def repayment_reversal(bank: str, loan: str, ref: str, reason: str, day: date) -> Command:
    return lambda s: s.reverse_repayment(
        bank=bank, reference=loan, ref=ref, reason=reason, effective_date=day, actor=clerk(bank)
    )


REPAYMENT_REVERSAL = "{bank:Code}于{day:Date}冲正贷款{loan:Code}凭证号为{ref:Code}的还款"


@given(text(REPAYMENT_REVERSAL.replace("于", "已于", 1) + "，原因为“{reason}”"))
def repayment_reversed(programme, bank, day, loan, ref, reason):
    programme.run(repayment_reversal(bank, loan, ref, reason, day))


@when(text(REPAYMENT_REVERSAL + "，原因为“{reason}”"))
def repayment_reversing(programme, bank, day, loan, ref, reason):
    programme.attempt(repayment_reversal(bank, loan, ref, reason, day))


@when(text(REPAYMENT_REVERSAL + "，未说明原因"))
def repayment_reversing_without_reason(programme, bank, day, loan, ref):
    programme.attempt(repayment_reversal(bank, loan, ref, "", day))


@when(
    text("基金管理人于{day:Date}冲正“{product}”的{pool}凭证号为{ref:Code}的注资，原因为“{reason}”")
)
def contribution_reversing(programme, day, product, pool, ref, reason):
    programme.attempt(
        lambda s: s.reverse_contribution(
            pool=pool_code(product, pool),
            ref=ref,
            reason=reason,
            effective_date=day,
            actor=FUND_MANAGER,
        )
    )


@when(
    text("{bank:Code}于{day:Date}冲正贷款{loan:Code}凭证号为{ref:Code}的追偿款，原因为“{reason}”")
)
def recovery_reversing(programme, bank, day, loan, ref, reason):
    programme.attempt(
        lambda s: s.reverse_recovery(
            bank=bank,
            reference=loan,
            ref=ref,
            reason=reason,
            effective_date=day,
            actor=clerk(bank),
        )
    )


LEG_REVERSAL = (
    "基金管理人于{day:Date}冲正贷款{loan:Code}补偿申请中{payer}的补偿款支付，"
    "冲正凭证号{ref:Code}，原因为“{reason}”"
)


def leg_payment_reversal(
    programme: Programme, day: date, loan: str, payer: str, ref: str, reason: str
) -> Command:
    bank = programme.bank_of(loan)
    return lambda s: s.reverse_leg_payment(
        bank=bank,
        reference=loan,
        party=party(payer),
        ref=ref,
        reason=reason,
        effective_date=day,
        actor=FUND_MANAGER,
    )


@given(text(LEG_REVERSAL.replace("于", "已于", 1)))
def leg_payment_reversed(programme, day, loan, payer, ref, reason):
    programme.run(leg_payment_reversal(programme, day, loan, payer, ref, reason))


@when(text(LEG_REVERSAL))
def leg_payment_reversing(programme, day, loan, payer, ref, reason):
    programme.attempt(leg_payment_reversal(programme, day, loan, payer, ref, reason))


# -- what a reversal answers ---------------------------------------------------------------


@then("冲正的还款为:")
def repayment_reversed_is(programme, datatable):
    """Columns: 起息日, 本金, 利息."""
    repayment, _ = programme.answer
    (value_date, *cells), *_ = body(datatable)
    found = (_yuan(repayment.principal_fen), _yuan(repayment.interest_fen))
    assert (str(repayment.value_date), *found) == (value_date, *_cells(cells))


@then(text("冲正的注资为{reversed_fen:Yuan}元"))
@then(text("冲正的补偿款为{reversed_fen:Yuan}元"))
def amount_reversed_is(programme, reversed_fen):
    fen, new = programme.answer
    assert (_yuan(fen), new) == (_yuan(reversed_fen), True)


@then(text("贷款{loan:Code}冲正的追偿款按当初返还的金额退回:"))
def recovery_given_back(programme, loan, datatable):
    """Columns: party, given back, recovered so far, burden."""
    shares, new = programme.answer
    assert new
    claim = programme.claim(loan)
    found = {
        p: tuple(_yuan(f) for f in (fen, claim.recovered_by_party[p], claim.burdens[p]))
        for p, fen in shares.items()
    }
    expected = {party(label): _cells(cells) for label, *cells in body(datatable)}
    assert found == expected


@then("该冲正为重复指令，返回首次冲正的结果")
def reversal_repeated(programme):
    _, new = programme.answer
    assert new is False


@then(text("该指令被拒绝，指向字段“{field_name}”"))
@checks_refusal
def refused_on_field(programme, field_name):
    refusal = programme.take_refusal()
    assert isinstance(refusal, InvalidInput | NotFound), f"{type(refusal).__name__}: {refusal}"
    assert refusal.field == field_name, str(refusal)


# -- balances and statistics, from the aggregates and the reports -------------------------


@then(text("“{product}”的资金池收支如下:"))
def pool_ledger_is(programme, product, datatable):
    """Columns: pool, contributed, paid out, recoveries received, available."""
    with read_models(programme) as engine:
        reported = {row["pool"]: row for row in pool_balances(engine)}
    for label, *cells in body(datatable):
        code = pool_code(product, label)
        pool = programme.ledger.get_pool(code)
        held = (pool.contributed_fen, pool.paid_out_fen, pool.recovered_fen, pool.available_fen)
        row = reported[code]
        shown = (row["contributed_fen"], row["paid_out_fen"], row["recovered_fen"])
        assert tuple(_yuan(f) for f in held) == _cells(cells), code
        assert tuple(_yuan(f) for f in (*shown, row["available_fen"])) == _cells(cells), code


@then(text("“{product}”的贷款统计如下:"))
def loan_statistics_are(programme, product, datatable):
    """Columns: disbursed, principal repaid, interest received, outstanding, loans paid off."""
    with read_models(programme) as engine:
        (row,) = [r for r in product_statistics(engine) if r["product"] == product]
    (*cells, paid_off), *_ = body(datatable)
    keys = ("disbursed_fen", "repaid_fen", "interest_fen", "outstanding_fen")
    assert tuple(_yuan(row[key]) for key in keys) == _cells(cells)
    assert row["paid_off_loans"] == int(paid_off)


@then(text("“{product}”各方的承担、已付补偿款与追偿返还如下:"))
def party_statistics_are(programme, product, datatable):
    """Columns: party, burden, compensation paid, recovery shares."""
    with read_models(programme) as engine:
        (row,) = [r for r in product_statistics(engine) if r["product"] == product]
    keys = ("burden_fen", "compensation_paid_fen", "recovery_share_fen")
    for label, *cells in body(datatable):
        p = party(label)
        assert tuple(_yuan(row[key][p]) for key in keys) == _cells(cells), label
    pools_paid = sum(row["compensation_paid_fen"].get(p, 0) for p in POOL_PARTIES)
    with read_models(programme) as engine:
        paid_out = sum(r["paid_out_fen"] for r in pool_balances(engine))
    assert pools_paid == paid_out, "the pools paid out what their legs say"


@then(text("“{product}”在保贷款本金为{covered:Yuan}元"))
def covered_outstanding_is(programme, product, covered):
    exposure = programme.ledger.repository.get(exposure_id(product))
    assert _yuan(exposure.covered_fen) == _yuan(covered)
