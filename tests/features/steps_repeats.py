"""Steps for declarations a bank may send twice (R14): a default, a write-off, a claim; and
the Chinese wording of a conflict, refused naming the field that differs."""

from __future__ import annotations

from datetime import date

from pytest_bdd import given, then, when

from domain.errors import Conflict
from domain.money import format_yuan

from .programme import Command, Programme, checks_refusal, clerk, text


@then(text("该指令与首次提交的内容不同，作为冲突被拒绝，指向字段“{field_name}”"))
@checks_refusal
def refused_as_a_conflict(programme, field_name):
    refusal = programme.take_refusal()
    assert isinstance(refusal, Conflict), f"{type(refusal).__name__}: {refusal}"
    assert refusal.field == field_name, str(refusal)


@given(text("{bank:Code}已于{day:Date}宣告贷款{loan:Code}违约，原因为“{reason}”"))
def default_declared_because(programme, bank, day, loan, reason):
    programme.run(programme.default(bank, loan, day, reason))


def write_off(bank: str, loan: str, day: date, reason: str) -> Command:
    return lambda s: s.write_off(
        bank=bank, reference=loan, effective_date=day, reason=reason, actor=clerk(bank)
    )


WRITE_OFF = "{bank:Code}于{day:Date}核销贷款{loan:Code}，原因为“{reason}”"


@given(text(WRITE_OFF.replace("于", "已于", 1)))
def written_off(programme, bank, day, loan, reason):
    programme.run(write_off(bank, loan, day, reason))


@when(text(WRITE_OFF))
def writing_off(programme, bank, day, loan, reason):
    programme.attempt(write_off(bank, loan, day, reason))


@then(text("贷款{loan:Code}已于{day:Date}核销{written:Yuan}元，原因为“{reason}”"))
def written_off_is(programme: Programme, loan, day, written, reason):
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert (found.written_off_on, found.written_off_reason) == (day, reason)
    assert format_yuan(found.written_off_fen) == format_yuan(written)


FILING = "{bank:Code}于{day:Date}就贷款{loan:Code}提出补偿申请，凭证号{ref:Code}"


@given(text(FILING.replace("于", "已于", 1)))
def claim_filed_under(programme, bank, day, loan, ref):
    programme.run(programme.filing(bank, loan, day, ref))


@when(text(FILING))
def claim_filing_under(programme, bank, day, loan, ref):
    programme.attempt(programme.filing(bank, loan, day, ref))
