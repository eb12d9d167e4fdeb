"""Steps for leverage (R3) and the circuit breaker (R4): terms, draws, days closed, standings."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, then, when

from domain.actor import Actor
from domain.errors import DomainError
from domain.money import format_bps, format_yuan, parse_bps
from domain.terms_parsing import parse_terms
from ledger.app import Session
from ledger.close_of_business import DayClose, close_business_day

from .programme import FUND_MANAGER, TERMS_FROM, Programme, body, party, text

SCHEDULER = Actor("riskledger", "night-batch", "scheduler")

# Terms as a fund manager names them -> (section of the rule book, key, reader).
TERMS: dict[str, tuple[str | None, str, Any]] = {
    "leverage multiple": ("leverage", "multiple", int),
    "NPL ratio suspending a bank": ("suspension", "npl_suspend", str),
    "NPL ratio below which a bank resumes": ("suspension", "npl_resume", str),
    "compensation rate stopping the product": ("suspension", "max_compensation_rate", str),
    "overdue ratio stopping the product": ("suspension", "max_overdue_ratio", str),
}
SHARE_OF = "share of the "


def _rule_book(structure: str, product: str, rows: list[list[str]]) -> dict[str, Any]:
    """The terms file a fund manager would write for these rows of `term | value`."""
    book: dict[str, Any] = {
        "code": product,
        "name": product,
        "structure": structure,
        "effective_from": TERMS_FROM,
        "shares": {},
    }
    for term, value in rows:
        if term.startswith(SHARE_OF):
            book["shares"][party(term.removeprefix(SHARE_OF))] = parse_bps(value)
            continue
        section, key, read = TERMS[term]
        book.setdefault(section, {})[key] = read(value)
    return book


@given(text("the {structure} product {product} has these terms:"))
def product_with_terms(programme: Programme, structure, product, datatable):
    terms = parse_terms(_rule_book(structure, product, body(datatable)))

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


# -- loans drawn in part ---------------------------------------------------------------------


@given(
    text(
        "{bank:Code} registered loan {loan:Code} of {principal:Yuan} to {enterprise} "
        "under {product} on {day:Date}, none of it disbursed yet"
    )
)
def loan_registered_undrawn(programme, bank, loan, principal, enterprise, product, day):
    programme.run(programme.registration(bank, loan, principal, enterprise, product, day))


@given(
    text(
        "{bank:Code} registered loan {loan:Code} of {principal:Yuan} to {enterprise} "
        "under {product} on {day:Date} and disbursed {disbursed:Yuan} of it"
    )
)
def loan_registered_part_drawn(
    programme, bank, loan, principal, enterprise, product, day, disbursed
):
    programme.run(programme.registration(bank, loan, principal, enterprise, product, day))
    programme.run(programme.disbursement(bank, loan, disbursed, day, f"{loan}-disbursement"))


@given(
    text(
        "{bank:Code} disbursed {disbursed:Yuan} more of loan {loan:Code} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def loan_drawn_further(programme, bank, disbursed, loan, day, ref):
    programme.run(programme.disbursement(bank, loan, disbursed, day, ref))


@then(text("loan {loan:Code} is registered"))
def loan_is_registered(programme, loan):
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert programme.answer == (found.id, True)


# -- leverage (R3) ---------------------------------------------------------------------------


@then(text("{product}'s leverage stands as follows:"))
def leverage_stands(programme, product, datatable):
    """Columns: pool funds, limit, covered, headroom."""
    ((funds, limit, covered, headroom),) = body(datatable)
    found = Session(programme.ledger).product_status(product, TERMS_FROM)["leverage"]
    assert [
        format_yuan(found[key])
        for key in ("pool_funds_fen", "limit_fen", "covered_fen", "headroom_fen")
    ] == [funds, limit, covered, headroom]


# -- close of business and the circuit breaker (R4) -------------------------------------------


@given(text("the business day {day:Date} was closed"))
def day_was_closed(programme, day):
    assert close_business_day(programme.ledger, day, SCHEDULER).closed_now, f"{day} was closed"


@when(text("the business day {day:Date} closes"))
def day_closes(programme, day):
    programme.events_before = programme.ledger.event_count()
    programme.answer, programme.refusal = None, None
    try:
        programme.answer = close_business_day(programme.ledger, day, SCHEDULER)
    except DomainError as error:
        programme.refusal = error


@then("the close of business changed the circuit breaker as follows:")
def breakers_changed(programme, datatable):
    closing = programme.answer
    assert isinstance(closing, DayClose) and closing.closed_now
    assert list(closing.breakers) == [f"{product}: {change}" for product, change in body(datatable)]


@then("the close of business changed no circuit breaker")
def no_breaker_changed(programme):
    closing = programme.answer
    assert isinstance(closing, DayClose) and closing.closed_now
    assert closing.breakers == ()


@then(text("the banks under {product} stand as follows on {day:Date}:"))
def banks_stand(programme, product, day, datatable):
    """Columns: bank, outstanding, NPL, NPL ratio, state."""
    found = Session(programme.ledger).product_status(product, day)
    assert [
        [
            row["bank"],
            format_yuan(row["outstanding_fen"]),
            format_yuan(row["npl_fen"]),
            format_bps(row["npl_ratio_bps"]),
            row["state"],
        ]
        for row in found["banks"]
    ] == body(datatable)


@then(text("{product} is {state} on {day:Date} with an overdue ratio of {ratio}"))
def product_stands(programme, product, state, day, ratio):
    found = Session(programme.ledger).product_status(product, day)
    assert (found["state"], format_bps(found["overdue_ratio_bps"])) == (state, ratio)
