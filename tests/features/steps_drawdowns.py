"""Steps for a loan registered first and paid out in tranches afterwards (R12)."""

from __future__ import annotations

from pytest_bdd import given, when

from domain.money import parse_bps
from ledger.app import Session

from .programme import FUND_MANAGER, TERMS_FROM, clerk, text, uscc_for
from .steps_schedules import SCHEDULES


@given(
    text(
        "{bank:Code}于{day:Date}在“{product}”项下向“{enterprise}”登记{kind}贷款{loan:Code}，"
        "金额{principal:Yuan}元，年利率{rate}，期限{term:d}个月"
    )
)
def loan_registered_on_schedule(
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


TRANCHE = "{bank:Code}于{day:Date}发放贷款{loan:Code}共{disbursed:Yuan}元，凭证号{ref:Code}"


@given(text(TRANCHE.replace("于", "已于", 1)))
def tranche_disbursed(programme, bank, day, loan, disbursed, ref):
    programme.run(programme.disbursement(bank, loan, disbursed, day, ref))


@when(text(TRANCHE))
def tranche_disbursing(programme, bank, day, loan, disbursed, ref):
    programme.attempt(programme.disbursement(bank, loan, disbursed, day, ref))
