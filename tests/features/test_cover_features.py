"""Guaranteed and insured products (R7, R9, R16, R17): guarantees, policies, 代偿, their legs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when

from domain.actor import Actor
from domain.guarantee import RELEASED, Guarantee
from domain.money import format_yuan, parse_bps
from domain.policy import InsurancePolicy
from domain.terms_parsing import parse_terms
from ledger.app import Session

from .programme import FUND_MANAGER, TERMS_FROM, Command, Programme, amount, body, party, text

scenarios("guaranteed.feature", "insured.feature")

NONE = "none"
# The bounds a feature gives, as the terms file names them.
BOUNDS = {
    "least coverage": ("coverage", "min"),
    "most coverage": ("coverage", "max"),
    "guarantee fee": ("limits", "max_guarantee_fee"),
    "re-guarantee fee": ("limits", "max_reguarantee_fee"),
    "premium": ("limits", "max_premium"),
}


@pytest.fixture
def shares_of() -> dict[str, dict[str, Any]]:
    """The shares and structure of each product a Background named, until it is defined."""
    return {}


def staff(institution: str) -> Actor:
    return Actor(institution, "clerk", "api")


def _join(session: Session, code: str, kind: str) -> None:
    session.add_institution(
        code=code,
        kind=kind,
        name=code,
        region="江苏",
        level=None,
        effective_date=TERMS_FROM,
        actor=FUND_MANAGER,
    )


def _cover(programme: Programme, loan: str) -> tuple[Guarantee | None, InsurancePolicy | None]:
    loan_id = programme.ledger.get_loan(programme.bank_of(loan), loan).id
    session = Session(programme.ledger)
    return session.guarantee_on(loan_id), session.policy_on(loan_id)


def guarantee(programme: Programme, loan: str) -> Guarantee:
    found, _ = _cover(programme, loan)
    assert found is not None, f"loan {loan} has no guarantee"
    return found


def policy(programme: Programme, loan: str) -> InsurancePolicy:
    _, found = _cover(programme, loan)
    assert found is not None, f"loan {loan} has no policy"
    return found


# -- the products ---------------------------------------------------------------------------


def _shares(shares_of: dict[str, Any], product: str, structure: str, datatable: Any) -> None:
    shares = {party(label): parse_bps(share) for label, share in body(datatable)}
    shares_of[product] = {"structure": structure, "shares": shares}


@given(text("the guaranteed product {product} shares each approved loss as follows:"))
def guaranteed_shares(shares_of, product, datatable):
    _shares(shares_of, product, "guaranteed", datatable)


@given(text("the insured product {product} shares each approved loss as follows:"))
def insured_shares(shares_of, product, datatable):
    _shares(shares_of, product, "insured", datatable)


@given(text("{product} bounds each guarantee as follows:"))
@given(text("{product} bounds each policy as follows:"))
def product_bounds(programme, shares_of, product, datatable):
    data: dict[str, Any] = {
        "code": product,
        "name": product,
        "effective_from": TERMS_FROM,
        **shares_of[product],
    }
    for label, bound in body(datatable):
        section, key = BOUNDS[label]
        data.setdefault(section, {})[key] = bound
    terms = parse_terms(data)

    def define(session: Session) -> None:
        _join(session, FUND_MANAGER.institution, "operator")
        session.define_product(terms=terms, actor=FUND_MANAGER)

    programme.run(define)


# -- guarantees -----------------------------------------------------------------------------


def issue(
    programme: Programme,
    guarantor: str,
    loan: str,
    day: date,
    contract: str,
    given: dict[str, str],
) -> Command:
    """Returns the guarantor's issue of a guarantee, joining the programme first if new."""
    reguarantor = given.get("re-guarantor", NONE)
    refee = given.get("re-guarantee fee", NONE)

    def command(session: Session) -> Any:
        _join(session, guarantor, "guarantor")
        if reguarantor != NONE:
            _join(session, reguarantor, "reguarantor")
        return session.issue_guarantee(
            guarantor=guarantor,
            bank=programme.bank_of(loan),
            reference=loan,
            contract=contract,
            coverage_bps=parse_bps(given["coverage"]),
            fee_rate_bps=parse_bps(given["guarantee fee"]),
            reguarantor=None if reguarantor == NONE else reguarantor,
            reguarantee_fee_bps=None if refee == NONE else parse_bps(refee),
            issued_on=day,
            actor=staff(guarantor),
        )

    return command


@when(text("{guarantor:Code} guarantees loan {loan:Code} on {day:Date} under contract {ref:Code}:"))
def guarantee_issuing(programme, guarantor, loan, day, ref, datatable):
    given = {term: value for term, value in body(datatable)}
    programme.attempt(issue(programme, guarantor, loan, day, ref, given))


@given(
    text(
        "{guarantor:Code} guaranteed loan {loan:Code} on {day:Date} under contract {ref:Code} "
        "covering {coverage}"
    )
)
def guarantee_issued(programme, guarantor, loan, day, ref, coverage):
    given = {
        "coverage": coverage,
        "guarantee fee": "1%",
        "re-guarantor": "JSZDB",
        "re-guarantee fee": "0.5%",
    }
    programme.run(issue(programme, guarantor, loan, day, ref, given))


@then(text("the guarantee on loan {loan:Code} covers {covered:Yuan} of principal"))
def guarantee_covers(programme, loan, covered):
    assert format_yuan(guarantee(programme, loan).guaranteed_fen) == format_yuan(covered)


@then(
    text("the guarantee on loan {loan:Code} may take these fees over the loan's {months:d} months:")
)
def guarantee_fee_allowances(programme, loan, months, datatable):
    found = guarantee(programme, loan)
    allowed = {
        "guarantee fee": found.fee_allowance_fen,
        "re-guarantee fee": found.reguarantee_fee_allowance_fen,
    }
    assert found.term_months == months
    expected = {fee: format_yuan(amount(cell)) for fee, cell in body(datatable)}
    assert {fee: format_yuan(allowed[fee]) for fee in expected} == expected


@then(text("loan {loan:Code} has no guarantee"))
def no_guarantee(programme, loan):
    assert _cover(programme, loan)[0] is None


def fee_payment(programme: Programme, guarantor: str, loan: str, fee: int, day: date, ref: str):
    return lambda s: s.pay_guarantee_fee(
        guarantor=guarantor,
        bank=programme.bank_of(loan),
        reference=loan,
        amount_fen=fee,
        ref=ref,
        paid_on=day,
        actor=staff(guarantor),
    )


FEE = "a guarantee fee of {fee:Yuan} on loan {loan:Code} on {day:Date} under reference {ref:Code}"


@given(text("{guarantor:Code} recorded " + FEE))
def fee_recorded(programme, guarantor, fee, loan, day, ref):
    programme.run(fee_payment(programme, guarantor, loan, fee, day, ref))


@when(text("{guarantor:Code} records " + FEE))
def fee_recording(programme, guarantor, fee, loan, day, ref):
    programme.attempt(fee_payment(programme, guarantor, loan, fee, day, ref))


@then(text("the guarantee on loan {loan:Code} has taken {fees:Yuan} of guarantee fees"))
def fees_taken(programme, loan, fees):
    assert format_yuan(guarantee(programme, loan).fees_paid_fen) == format_yuan(fees)


def payout(programme: Programme, guarantor: str, bank: str, loan: str, paid: int | None, day, ref):
    assert programme.bank_of(loan) == bank, f"{loan} was lent by {programme.bank_of(loan)}"
    return lambda s: s.make_guarantee_payout(
        guarantor=guarantor,
        bank=bank,
        reference=loan,
        amount_fen=paid,
        ref=ref,
        effective_date=day,
        actor=staff(guarantor),
    )


@when(
    text(
        "{guarantor:Code} pays {bank:Code} its 代偿 on loan {loan:Code} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def full_payout(programme, guarantor, bank, loan, day, ref):
    programme.attempt(payout(programme, guarantor, bank, loan, None, day, ref))


PAYOUT = (
    " {bank:Code} a 代偿 of {paid:Yuan} on loan {loan:Code} on {day:Date} "
    "under reference {ref:Code}"
)


@given(text("{guarantor:Code} paid" + PAYOUT))
def payout_made(programme, guarantor, bank, paid, loan, day, ref):
    programme.run(payout(programme, guarantor, bank, loan, paid, day, ref))


@when(text("{guarantor:Code} pays" + PAYOUT))
def payout_making(programme, guarantor, bank, paid, loan, day, ref):
    programme.attempt(payout(programme, guarantor, bank, loan, paid, day, ref))


@then(text("the 代偿 on loan {loan:Code} is {paid:Yuan}"))
def payout_is(programme, loan, paid):
    assert format_yuan(guarantee(programme, loan).paid_out_fen) == format_yuan(paid)


def guarantor_filing(programme: Programme, guarantor: str, loan: str, day: date, ref: str):
    return lambda s: s.file_claim(
        bank=programme.bank_of(loan),
        reference=loan,
        ref=ref,
        filed_on=day,
        actor=staff(guarantor),
        guarantor=guarantor,
    )


CLAIM = "its claim on loan {loan:Code} on {day:Date} under reference {ref:Code}"


@given(text("{guarantor:Code} filed " + CLAIM))
def guarantor_claim_filed(programme, guarantor, loan, day, ref):
    programme.run(guarantor_filing(programme, guarantor, loan, day, ref))


@when(text("{guarantor:Code} files " + CLAIM))
def guarantor_claim_filing(programme, guarantor, loan, day, ref):
    programme.attempt(guarantor_filing(programme, guarantor, loan, day, ref))


@then(text("the legs of the claim on loan {loan:Code} are:"))
def legs_are(programme, loan, datatable):
    claim = programme.claim(loan)
    expected = {
        party(payer): (party(payee), format_yuan(amount(cell)), paid == "yes")
        for payer, payee, cell, paid in body(datatable)
    }
    legs = {
        payer: (claim.payees[payer], format_yuan(fen), payer in claim.legs_paid)
        for payer, fen in claim.legs.items()
    }
    assert legs == expected


@then(text("the guarantee on loan {loan:Code} has been reimbursed:"))
def reimbursed(programme, loan, datatable):
    expected = {party(payer): format_yuan(amount(cell)) for payer, cell in body(datatable)}
    found = guarantee(programme, loan).reimbursed
    assert {payer: format_yuan(fen) for payer, fen in found.items()} == expected


@when(text("{guarantor:Code} releases the guarantee on loan {loan:Code} on {day:Date}"))
def guarantee_release(programme, guarantor, loan, day):
    programme.attempt(
        lambda s: s.release_guarantee(
            guarantor=guarantor,
            bank=programme.bank_of(loan),
            reference=loan,
            effective_date=day,
            actor=staff(guarantor),
        )
    )


@then(text("the guarantee on loan {loan:Code} is released"))
def guarantee_released(programme, loan):
    assert guarantee(programme, loan).state == RELEASED


# -- insurance policies ---------------------------------------------------------------------

POLICY = (
    " loan {loan:Code} on {day:Date} under policy {number:Code} covering {coverage} "
    "at a premium of {premium} a year"
)


def insuring(
    programme: Programme, insurer: str, loan: str, day: date, number: str, coverage, premium
):
    def command(session: Session) -> Any:
        _join(session, insurer, "insurer")
        return session.issue_policy(
            insurer=insurer,
            bank=programme.bank_of(loan),
            reference=loan,
            number=number,
            coverage_bps=parse_bps(coverage),
            premium_rate_bps=parse_bps(premium),
            issued_on=day,
            actor=staff(insurer),
        )

    return command


@given(text("{insurer:Code} insured" + POLICY))
def policy_issued(programme, insurer, loan, day, number, coverage, premium):
    programme.run(insuring(programme, insurer, loan, day, number, coverage, premium))


@when(text("{insurer:Code} insures" + POLICY))
def policy_issuing(programme, insurer, loan, day, number, coverage, premium):
    programme.attempt(insuring(programme, insurer, loan, day, number, coverage, premium))


@then(
    text(
        "the policy on loan {loan:Code} insures {insured:Yuan} of principal "
        "and may take {allowed:Yuan} of premiums"
    )
)
def policy_insures(programme, loan, insured, allowed):
    found = policy(programme, loan)
    assert (format_yuan(found.insured_fen), format_yuan(found.premium_allowance_fen)) == (
        format_yuan(insured),
        format_yuan(allowed),
    )


@when(
    text(
        "{insurer:Code} records a premium of {premium:Yuan} on loan {loan:Code} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def premium_recording(programme, insurer, premium, loan, day, ref):
    programme.attempt(
        lambda s: s.pay_premium(
            insurer=insurer,
            bank=programme.bank_of(loan),
            reference=loan,
            amount_fen=premium,
            ref=ref,
            paid_on=day,
            actor=staff(insurer),
        )
    )


def lapsing(programme: Programme, insurer: str, loan: str, day: date, reason: str) -> Command:
    return lambda s: s.lapse_policy(
        insurer=insurer,
        bank=programme.bank_of(loan),
        reference=loan,
        reason=reason,
        effective_date=day,
        actor=staff(insurer),
    )


LAPSE = " the policy on loan {loan:Code} lapse on {day:Date} because {reason}"


@given(text("{insurer:Code} let" + LAPSE))
def policy_lapsed(programme, insurer, loan, day, reason):
    programme.run(lapsing(programme, insurer, loan, day, reason))


@when(text("{insurer:Code} lets" + LAPSE))
def policy_lapsing(programme, insurer, loan, day, reason):
    programme.attempt(lapsing(programme, insurer, loan, day, reason))


@then(text("the policy on loan {loan:Code} has paid claims of {paid:Yuan}"))
def policy_paid(programme, loan, paid):
    assert format_yuan(policy(programme, loan).claims_paid_fen) == format_yuan(paid)
