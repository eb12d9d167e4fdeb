"""A demo loan's life as ledger steps: registered, covered, repaid to the schedule, or stopped.

Repayments are the schedule's own instalments to the fen (R12), received on their due dates
through the waterfall, so a healthy loan is never past due. A defaulting loan simply stops
paying: the month-end close of business classifies it and defaults it at 90 days past due
(R5, R6), unless its bank declares the default first (bankruptcy, fraud).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain.coverage import covered_fen, rate_allowance_fen
from domain.schedule import add_months
from domain.terms import ProductTerms
from ledger.demo.dates import AS_OF, month_end, next_weekday
from ledger.demo.institutions import GUARANTOR, INSURER, REGUARANTOR
from ledger.demo.loans import GUARANTEE, Cover, PlannedLoan
from ledger.demo.steps import Steps

BANKRUPTCIES = (
    "企业向法院申请破产清算，银行宣布贷款提前到期",
    "法院裁定受理企业破产重整申请，银行宣布违约",
    "实际控制人涉嫌合同诈骗被立案侦查，银行宣布违约",
)


@dataclass(frozen=True, slots=True)
class Default:
    """A planned loan's default: its date, when the ledger learns it, and its loss base."""

    loan: PlannedLoan
    default_date: date
    # The bank's declaration, or the month-end close that first finds it 90 days past due.
    known_on: date
    loss_base_fen: int


def plan_loan_life(
    steps: Steps, loan: PlannedLoan, rng: random.Random, terms: ProductTerms
) -> Default | None:
    """Adds the loan's steps up to the as-of date; returns its default, if it defaults."""
    n = loan.number
    steps.add(loan.start_date, "register_loan", None, loan=n, **loan.registration())
    steps.add(
        loan.start_date,
        "disburse",
        None,
        loan=n,
        amount_fen=loan.principal_fen,
        value_date=loan.start_date,
        ref="FK-1",
    )
    missed = loan.missed_instalment
    stops_on = loan.instalments[missed - 1].due_date if missed is not None else loan.maturity
    if loan.cover is not None:
        plan_cover(steps, loan, loan.cover, stops_on)
    repaid_principal = 0
    for instalment in loan.instalments:
        if instalment.due_date > AS_OF:
            return None
        if instalment.number == missed:
            return plan_default(steps, loan, rng, terms, instalment.due_date, repaid_principal)
        steps.add(
            instalment.due_date,
            "receive_payment",
            None,
            loan=n,
            amount_fen=instalment.total_fen,
            value_date=instalment.due_date,
            ref=f"HK-{instalment.number:02d}",
        )
        repaid_principal += instalment.principal_fen
    if loan.cover is not None and loan.cover.kind == GUARANTEE:
        # Paid off: the guarantor lets its guarantee go.
        steps.add(
            loan.maturity,
            "release_guarantee",
            GUARANTOR.actor,
            loan=n,
            guarantor=GUARANTOR.code,
            effective_date=loan.maturity,
        )
    return None


def plan_cover(steps: Steps, loan: PlannedLoan, cover: Cover, stops_on: date) -> None:
    """Adds the guarantee or policy, issued with the loan, and its fees or premiums paid a
    year ahead on each anniversary while the loan pays (R16, R17)."""
    n, start = loan.number, loan.start_date
    if cover.kind == GUARANTEE:
        steps.add(
            start,
            "issue_guarantee",
            GUARANTOR.actor,
            loan=n,
            guarantor=GUARANTOR.code,
            contract=cover.reference,
            coverage_bps=cover.coverage_bps,
            fee_rate_bps=cover.rate_bps,
            reguarantor=REGUARANTOR.code,
            reguarantee_fee_bps=cover.reguarantee_fee_bps,
            issued_on=start,
        )
    else:
        steps.add(
            start,
            "issue_policy",
            INSURER.actor,
            loan=n,
            insurer=INSURER.code,
            number=cover.reference,
            coverage_bps=cover.coverage_bps,
            premium_rate_bps=cover.rate_bps,
            issued_on=start,
        )
    base = covered_fen(loan.principal_fen, cover.coverage_bps)
    rates = [(cover.rate_bps, False)]
    if cover.reguarantee_fee_bps is not None:
        rates.append((cover.reguarantee_fee_bps, True))
    for year in range((loan.term_months + 11) // 12):
        day = add_months(start, 12 * year)
        if day > AS_OF or day >= stops_on:
            return
        months = min(12 * (year + 1), loan.term_months)
        for rate, reguarantee in rates:
            # Each year's part of the allowance, so the parts sum to it exactly.
            amount = rate_allowance_fen(base, rate, months) - rate_allowance_fen(
                base, rate, 12 * year
            )
            if cover.kind == GUARANTEE:
                steps.add(
                    day,
                    "pay_guarantee_fee",
                    GUARANTOR.actor,
                    loan=n,
                    guarantor=GUARANTOR.code,
                    amount_fen=amount,
                    ref=f"{'ZDBF' if reguarantee else 'DBF'}-{year + 1}",
                    paid_on=day,
                    reguarantee=reguarantee,
                )
            else:
                steps.add(
                    day,
                    "pay_premium",
                    INSURER.actor,
                    loan=n,
                    insurer=INSURER.code,
                    amount_fen=amount,
                    ref=f"BF-{year + 1}",
                    paid_on=day,
                )


def plan_default(
    steps: Steps,
    loan: PlannedLoan,
    rng: random.Random,
    terms: ProductTerms,
    missed_on: date,
    repaid_principal: int,
) -> Default:
    """Returns the default of a loan that stopped paying on `missed_on`; adds the bank's
    declaration when it comes before the arrears reach the threshold."""
    loss_base = loan.principal_fen - repaid_principal
    if not loan.declared_default:
        default_date = missed_on + timedelta(days=terms.default_days)
        return Default(loan, default_date, month_end(default_date), loss_base)
    declared_on = next_weekday(missed_on + timedelta(days=rng.randint(25, 75)))
    steps.add(
        declared_on,
        "declare_default",
        None,
        loan=loan.number,
        default_date=declared_on,
        reason=rng.choice(BANKRUPTCIES),
    )
    return Default(loan, declared_on, declared_on, loss_base)
