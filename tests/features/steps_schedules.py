"""Steps for schedules and the waterfall (R12), classification (R5) and default (R6)."""

from __future__ import annotations

from datetime import date

from pytest_bdd import given, then, when

from domain.actor import Actor
from domain.classification import CLASS_NAMES
from domain.errors import DomainError
from domain.loan import Loan
from domain.money import format_yuan, parse_bps
from domain.repayment import DUE, FUTURE, OVERDUE, PAID
from domain.schedule import ANNUITY, EQUAL_PRINCIPAL, INTEREST_ONLY
from ledger.app import Session
from ledger.close_of_business import DayClose, close_business_day

from .programme import FUND_MANAGER, TERMS_FROM, Programme, amount, body, clerk, text, uscc_for

SCHEDULER = Actor("riskledger", "night-batch", "scheduler")
# A schedule as a clerk names it: its kind and the months between payments.
SCHEDULES = {
    "先息后本": (INTEREST_ONLY, 1),
    "先息后本按季付息": (INTEREST_ONLY, 3),
    "等额本息": (ANNUITY, 1),
    "等额本金": (EQUAL_PRINCIPAL, 1),
}
STATUSES = {PAID: "已还清", OVERDUE: "逾期", DUE: "当期", FUTURE: "未到期"}
CLASSES = {name: code for code, name in CLASS_NAMES.items()}
WATERFALL = ("逾期利息", "逾期本金", "当期利息", "当期本金", "提前还本")


def loan_of(programme: Programme, loan: str) -> Loan:
    return programme.ledger.get_loan(programme.bank_of(loan), loan)


def events_since(programme: Programme, kind: str) -> list:
    """The events of `kind` written by the last command."""
    notifications = programme.ledger.recorder.select_notifications(
        start=programme.events_before, limit=1000, inclusive_of_start=False
    )
    written = [programme.ledger.mapper.to_domain_event(n) for n in notifications]
    return [e for e in written if type(e).__name__ == kind]


# -- lending on a schedule ---------------------------------------------------------------------


@given(
    text(
        "{bank:Code}于{day:Date}在“{product}”项下向“{enterprise}”发放{kind}贷款{loan:Code}，"
        "金额{principal:Yuan}元，年利率{rate}，期限{term:d}个月"
    )
)
def loan_lent_on_schedule(
    programme, bank, day, product, enterprise, kind, loan, principal, rate, term
):
    schedule, every = SCHEDULES[kind]
    programme.loans.setdefault(loan, bank)

    def register(session: Session) -> None:
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
        session.register_loan(
            bank=bank,
            reference=loan,
            uscc=uscc_for(enterprise),
            product=product,
            principal_fen=principal,
            annual_rate_bps=parse_bps(rate),
            term_months=term,
            start_date=day,
            schedule=schedule,
            interest_every_months=every,
            actor=clerk(bank),
        )

    programme.run(register)
    programme.run(programme.disbursement(bank, loan, principal, day, f"{loan}-disbursement"))


def payment(bank: str, loan: str, paid: int, day: date, ref: str):
    return lambda s: s.receive_payment(
        bank=bank, reference=loan, amount_fen=paid, value_date=day, ref=ref, actor=clerk(bank)
    )


@given(text("{bank:Code}已于{day:Date}收到贷款{loan:Code}的还款{paid:Yuan}元，凭证号{ref:Code}"))
def payment_received(programme, bank, day, loan, paid, ref):
    programme.run(payment(bank, loan, paid, day, ref))


@when(text("{bank:Code}于{day:Date}收到贷款{loan:Code}的还款{paid:Yuan}元，凭证号{ref:Code}"))
def payment_receiving(programme, bank, day, loan, paid, ref):
    programme.attempt(payment(bank, loan, paid, day, ref))


@when(text("{bank:Code}于{day:Date}宣告贷款{loan:Code}违约，原因为“{reason}”"))
def default_declaring(programme, bank, day, loan, reason):
    programme.attempt(programme.default(bank, loan, day, reason))


# -- close of business -------------------------------------------------------------------------


@given(text("{day:Date}日终批处理已运行"))
def day_closed(programme, day):
    closing = close_business_day(programme.ledger, day, SCHEDULER)
    assert closing.closed_now, f"{day} was closed already"


@when(text("{day:Date}日终批处理运行"))
def day_closing(programme, day):
    programme.events_before = programme.ledger.event_count()
    programme.answer, programme.refusal = None, None
    try:
        programme.answer = close_business_day(programme.ledger, day, SCHEDULER)
    except DomainError as error:
        programme.refusal = error


# -- what the schedule says ---------------------------------------------------------------------


def _plan_rows(programme: Programme, loan: str) -> dict[str, tuple[str, ...]]:
    found = loan_of(programme, loan)
    return {
        str(i.number): (
            i.due_date.isoformat(),
            str((i.due_date - i.period_start).days),
            format_yuan(i.principal_fen),
            format_yuan(i.interest_fen),
            format_yuan(i.total_fen),
        )
        for i in found.schedule_on(date.max)
    }


@then(text("贷款{loan:Code}的还款计划为:"))
def plan_is(programme, loan, datatable):
    """Columns: 期次, 到期日, 计息天数, 本金, 利息, 本息合计."""
    expected = {
        number: (due, days, *(format_yuan(amount(c)) for c in cells))
        for number, due, days, *cells in body(datatable)
    }
    assert _plan_rows(programme, loan) == expected


@then(text("贷款{loan:Code}各期本金合计{total:Yuan}元"))
def plan_principal_total(programme, loan, total):
    found = loan_of(programme, loan)
    assert format_yuan(sum(i.principal_fen for i in found.schedule_on(date.max))) == format_yuan(
        total
    )


@then(text("贷款{loan:Code}于{day:Date}的还款情况包括:"))
def standing_includes(programme, loan, day, datatable):
    """Columns: 期次, 到期日, 本金, 利息, 已还本金, 已还利息, 状态."""
    standing = loan_of(programme, loan).statement_on(day)
    found = {
        str(s.number): (
            s.due_date.isoformat(),
            *(
                format_yuan(fen)
                for fen in (
                    s.principal_fen,
                    s.interest_fen,
                    s.principal_paid_fen,
                    s.interest_paid_fen,
                )
            ),
            STATUSES[s.status],
        )
        for s in standing.instalments
    }
    for number, due, *cells, status in body(datatable):
        expected = (due, *(format_yuan(amount(c)) for c in cells), status)
        assert found[number] == expected, f"instalment {number}"


@then("该笔还款依次分配如下:")
def allocated_as(programme, datatable):
    """Columns: 顺序, 用途, 金额."""
    allocation, recorded = programme.answer
    assert recorded
    parts = (
        allocation.overdue_interest_fen,
        allocation.overdue_principal_fen,
        allocation.current_interest_fen,
        allocation.current_principal_fen,
        allocation.prepaid_principal_fen,
    )
    found = [(label, format_yuan(fen)) for label, fen in zip(WATERFALL, parts, strict=True)]
    assert found == [(label, format_yuan(amount(cell))) for _, label, cell in body(datatable)]


@then(text("贷款{loan:Code}于{day:Date}逾期{days:d}天，未还本金{outstanding:Yuan}元"))
def past_due_on(programme, loan, day, days, outstanding):
    found = loan_of(programme, loan)
    assert (found.days_past_due(day), format_yuan(found.outstanding_fen)) == (
        days,
        format_yuan(outstanding),
    )


@then(text("贷款{loan:Code}的状态为{state:State}"))
def loan_state_is(programme, loan, state):
    assert loan_of(programme, loan).state == state


# -- classes and defaults ----------------------------------------------------------------------


@then(text("贷款{loan:Code}逾期{days:d}天，五级分类为“{label}”"))
def classified_as(programme, loan, days, label):
    closing = programme.answer
    assert isinstance(closing, DayClose)
    found = loan_of(programme, loan)
    assert (found.days_past_due(closing.business_date), found.classification) == (
        days,
        CLASSES[label],
    )


@then("本次日终批处理记录的分类事件为:")
def class_events_written(programme, datatable):
    """Columns: 贷款, 原分类, 新分类, 逾期天数, 未还本金."""
    found = [
        (
            loan_reference(programme, e.originator_id),
            CLASS_NAMES[e.old_class],
            CLASS_NAMES[e.new_class],
            str(e.days_past_due),
            format_yuan(e.outstanding_fen),
        )
        for e in events_since(programme, "Classified")
    ]
    expected = [
        (loan, old, new, days, format_yuan(amount(outstanding)))
        for loan, old, new, days, outstanding in body(datatable)
    ]
    assert found == expected


def loan_reference(programme: Programme, loan_id) -> str:
    return programme.ledger.repository.get(loan_id).reference


@then("本次日终批处理没有记录分类事件")
def no_class_events_written(programme):
    assert events_since(programme, "Classified") == []


@then(text("贷款{loan:Code}于{day:Date}违约，原因为“{reason}”，违约时未还本金{outstanding:Yuan}元"))
def defaulted_on(programme, loan, day, reason, outstanding):
    found = loan_of(programme, loan)
    (declared,) = [
        e
        for e in programme.ledger.repository.event_store.get(found.id)
        if type(e).__name__ == "Defaulted"
    ]
    assert (found.state, found.default_date, declared.reason) == ("defaulted", day, reason)
    assert format_yuan(found.outstanding_at_default_fen) == format_yuan(outstanding)
