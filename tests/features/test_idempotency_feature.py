"""Repeated commands: the same reference and content is a no-op, other content a conflict (R14)."""

from pytest_bdd import given, scenarios, then, when

from domain.money import format_yuan

from .programme import FUND_MANAGER, text

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


@then(text("the answer is the burdens of the claim on loan {loan:Code} as first approved"))
def same_burdens(programme, loan):
    burdens = programme.claim(loan).burdens
    assert burdens
    assert programme.answer == burdens


def _rejection(programme, loan, day, reason):
    bank = programme.bank_of(loan)
    return lambda s: s.reject_claim(
        bank=bank, reference=loan, reason=reason, effective_date=day, actor=FUND_MANAGER
    )


@given(
    text('the fund manager rejected the claim on loan {loan:Code} on {day:Date} because "{reason}"')
)
def claim_rejected(programme, loan, day, reason):
    programme.run(_rejection(programme, loan, day, reason))


@when(
    text('the fund manager rejects the claim on loan {loan:Code} on {day:Date} because "{reason}"')
)
def claim_rejection(programme, loan, day, reason):
    programme.attempt(_rejection(programme, loan, day, reason))
