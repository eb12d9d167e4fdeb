"""Eligibility and limits (R1, R2): qualifications, blacklist, caps, the LPR-based rate cap."""

from __future__ import annotations

import tomllib
from datetime import date

from pytest_bdd import given, parsers, scenarios, when

from domain.money import parse_bps, parse_fen
from domain.terms_parsing import parse_terms
from ledger.app import Session

from .programme import FUND_MANAGER, TERMS_FROM, Programme, body, text, uscc_for

scenarios("eligibility.feature")


@given(text("the product {product} is defined with these terms:"))
def product_with_terms(programme: Programme, product: str, datatable: list[list[str]]) -> None:
    lines = [f'code = "{product}"', f'name = "{product}"', f"effective_from = {TERMS_FROM}"]
    lines += [f"{term} = {value}" for term, value in body(datatable)]
    terms = parse_terms(tomllib.loads("\n".join(lines)))

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


@given(text("the 1-year LPR from {day:Date} is {rate}"))
def lpr_fixing(programme: Programme, day, rate: str) -> None:
    programme.run(
        lambda s: s.set_lpr(effective_from=day, rate_bps=parse_bps(rate), actor=FUND_MANAGER)
    )


def _enterprise(session: Session, enterprise: str) -> str:
    uscc = uscc_for(enterprise)
    session.add_enterprise(
        uscc=uscc, name=enterprise, region="苏州", effective_date=TERMS_FROM, actor=FUND_MANAGER
    )
    return uscc


@given(text("{enterprise} holds {qualification} from {start:Date} to {end:Date}"))
def qualification_held(programme: Programme, enterprise, qualification, start, end) -> None:
    programme.run(
        lambda s: s.grant_qualification(
            uscc=_enterprise(s, enterprise),
            name=qualification,
            valid_from=start,
            valid_to=end,
            certificate="GR202332000001",
            actor=FUND_MANAGER,
        )
    )


@given(text('{enterprise} was blacklisted on {day:Date} because "{reason}"'))
def blacklisted(programme: Programme, enterprise, day, reason) -> None:
    programme.run(
        lambda s: s.blacklist_enterprise(
            uscc=_enterprise(s, enterprise), reason=reason, effective_date=day, actor=FUND_MANAGER
        )
    )


@given(text("{enterprise} was cleared on {day:Date}"))
def cleared(programme: Programme, enterprise, day) -> None:
    programme.run(
        lambda s: s.clear_enterprise(
            uscc=uscc_for(enterprise), effective_date=day, actor=FUND_MANAGER
        )
    )


@when(
    parsers.parse(
        "{bank} registers loan {loan} of {principal} to {enterprise} under {product} "
        "on {day} at {rate} for {months:d} months"
    )
)
def registration_at_rate(
    programme: Programme, bank, loan, principal, enterprise, product, day, rate, months
) -> None:
    command = programme.registration(
        bank,
        loan,
        parse_fen(principal),
        enterprise,
        product,
        date.fromisoformat(day),
        annual_rate_bps=parse_bps(rate),
        term_months=months,
    )
    programme.attempt(command)
