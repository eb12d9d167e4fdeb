"""Terms versions (R15): a loan keeps the version in force on its start date."""

from __future__ import annotations

from pytest_bdd import scenarios, then, when

from domain.money import parse_bps
from domain.terms_parsing import parse_terms

from .programme import FUND_MANAGER, Programme, body, party, text

scenarios("terms_versions.feature")


@when(
    text(
        "the fund manager revises {product} from {day:Date} to share each approved loss as follows:"
    )
)
def revision(programme: Programme, product: str, day, datatable: list[list[str]]) -> None:
    terms = parse_terms(
        {
            "code": product,
            "name": product,
            "structure": "direct",
            "effective_from": day,
            "shares": {party(label): parse_bps(share) for label, share in body(datatable)},
        }
    )
    programme.attempt(lambda s: s.define_product(terms=terms, actor=FUND_MANAGER))


@then(text("loan {loan:Code} keeps terms version {version:d} of {product}"))
def keeps_version(programme: Programme, loan: str, version: int, product: str) -> None:
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert (found.product, found.terms_version) == (product, version)
