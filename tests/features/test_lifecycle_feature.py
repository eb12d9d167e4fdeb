"""One loan's whole life, and the commands its rules refuse (R6, R7, R9, R11)."""

from pytest_bdd import scenarios, then, when

from domain.money import format_yuan

from .programme import text

scenarios("lifecycle.feature")


@when(
    text(
        "{bank:Code} disburses {disbursed:Yuan} on loan {loan:Code} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def disbursement(programme, bank, disbursed, loan, day, ref):
    programme.attempt(programme.disbursement(bank, loan, disbursed, day, ref))


@when(text('{bank:Code} declares loan {loan:Code} in default on {day:Date} because "{reason}"'))
def default_declaration(programme, bank, loan, day, reason):
    programme.attempt(programme.default(bank, loan, day, reason))


@then(text("the claim on loan {loan:Code} is filed with a loss base of {loss_base:Yuan}"))
def claim_filed_with(programme, loan, loss_base):
    claim = programme.claim(loan)
    assert (claim.state, format_yuan(claim.loss_base_fen)) == ("filed", format_yuan(loss_base))


@then(text("loan {loan:Code} has no open claim"))
def no_open_claim(programme, loan):
    assert programme.ledger.get_loan(programme.bank_of(loan), loan).open_claim is None
