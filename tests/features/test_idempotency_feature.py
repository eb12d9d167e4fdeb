"""Repeated commands: the same reference and content is a no-op, other content a conflict (R14)."""

from pytest_bdd import scenarios, then

from domain.money import format_yuan

from .programme import text

scenarios("idempotency.feature")


@then(text("the answer is loan {loan:Code} as first registered, not a new loan"))
def same_loan(programme, loan):
    first = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert programme.answer == (first.id, False)


@then(
    text("the answer is the claim {ref:Code} on loan {loan:Code} as first filed, not a new claim")
)
def same_claim(programme, ref, loan):
    claim = programme.claim(loan)
    assert claim.reference == ref
    assert programme.answer == (claim.id, False)


@then("the ledger answers that it was already recorded")
def already_recorded(programme):
    # repay answers False and record_recovery None for a repeat; True or the shares when new.
    assert programme.answer is False or programme.answer is None


@then(text("loan {loan:Code} has a principal of {principal:Yuan}"))
def loan_principal(programme, loan, principal):
    found = programme.ledger.get_loan(programme.bank_of(loan), loan)
    assert format_yuan(found.principal_fen) == format_yuan(principal)
