"""Steps for a leg reversal under the caller's own reference (R13, R14)."""

from __future__ import annotations

from pytest_bdd import then

from domain.money import format_yuan

from .programme import text


@then(text("首次冲正的补偿款为{reversed_fen:Yuan}元"))
def first_reversal_answered(programme, reversed_fen):
    fen, new = programme.answer
    assert (format_yuan(fen), new) == (format_yuan(reversed_fen), False)
