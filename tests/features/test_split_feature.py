"""Splitting an approved loss into burdens, paid in legs from the pools (R8, R9, R10)."""

from pytest_bdd import scenarios, when

from .programme import text

scenarios("split.feature")


@when(
    text(
        "{funder} contributes {funds:Yuan} to the {pool} of {product} on {day:Date} "
        "under reference {ref:Code}"
    )
)
def pool_topped_up(programme, funder, funds, pool, product, day, ref):
    programme.attempt(programme.contribution(product, pool, funder, funds, day, ref))
