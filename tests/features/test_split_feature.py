"""Splitting an approved loss into burdens, paid in legs from the pools (R8, R9, R10)."""

from pytest_bdd import given, scenarios, then, when

from domain.money import format_yuan

from .programme import amount, body, party, text

scenarios("split.feature")


@given(
    text(
        "{funder} contributed {funds:Yuan} to the {pool} of {product} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def pool_was_topped_up(programme, funder, funds, pool, product, day, ref):
    programme.run(programme.contribution(product, pool, funder, funds, day, ref))


@when(
    text(
        "{funder} contributes {funds:Yuan} to the {pool} of {product} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def pool_topped_up(programme, funder, funds, pool, product, day, ref):
    programme.attempt(programme.contribution(product, pool, funder, funds, day, ref))


def _queued(programme, loan: str) -> dict[str, str]:
    """The claim's legs waiting in their pools' queues, by payer."""
    claim = programme.claim(loan)
    waiting = {}
    for payer, fen in claim.unpaid_legs.items():
        code = f"{claim.product}-{payer.removeprefix('pool.')}"
        if payer.startswith("pool.") and claim.id in programme.ledger.get_pool(code).queue:
            waiting[payer] = format_yuan(fen)
    return waiting


@then(text("these legs of the claim on loan {loan:Code} wait in the pools' queues:"))
def legs_wait(programme, loan, datatable):
    expected = {party(label): format_yuan(amount(cell)) for label, cell in body(datatable)}
    assert _queued(programme, loan) == expected


@then(text("no leg of the claim on loan {loan:Code} waits in the pools' queues"))
def no_leg_waits(programme, loan):
    assert _queued(programme, loan) == {}


@then(text("the {payer}'s leg of the claim on loan {loan:Code} was paid on {day:Date}"))
def leg_paid_on(programme, payer, loan, day):
    assert programme.claim(loan).legs_paid.get(party(payer)) == day
