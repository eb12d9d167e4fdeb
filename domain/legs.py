"""Payment legs (R9): who pays whom once an approved loss has been split into burdens.

A leg moves one party's money to another. Whatever the structure, the legs leave every
party out of pocket by exactly its burden, and the bank (which lent the money and lost
it) out of pocket by its burden less the whole loss: `settles_burdens` checks that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.terms import STRUCTURES

BANK = "bank"
GUARANTOR = "guarantor"


@dataclass(frozen=True, slots=True)
class Leg:
    """One payment of a claim: `payer` pays `payee` `amount_fen`."""

    payer: str
    payee: str
    amount_fen: int


def plan_legs(structure: str, burdens: Mapping[str, int], claimant: str) -> list[Leg]:
    """Returns the legs that settle `burdens` under `structure`, one per paying party (R9).

    direct and insured: every party but the bank pays the bank its burden.
    guaranteed: the guarantor pays the bank everything but the bank's burden (its 代偿),
    then every other party pays the guarantor its burden.
    A party whose burden is zero pays nothing, so it has no leg.
    """
    if structure not in STRUCTURES:
        raise ValueError(f"unknown structure {structure!r}")
    expected_claimant = GUARANTOR if structure == "guaranteed" else BANK
    if claimant != expected_claimant:
        raise ValueError(f"a {structure} claim is filed by the {expected_claimant}, not {claimant}")
    if structure != "guaranteed":
        return [
            Leg(party, BANK, burden)
            for party, burden in burdens.items()
            if party != BANK and burden > 0
        ]
    guarantee_payout = sum(burden for party, burden in burdens.items() if party != BANK)
    legs = [Leg(GUARANTOR, BANK, guarantee_payout)] if guarantee_payout > 0 else []
    legs.extend(
        Leg(party, GUARANTOR, burden)
        for party, burden in burdens.items()
        if party not in (BANK, GUARANTOR) and burden > 0
    )
    return legs


def settles_burdens(approved_fen: int, burdens: Mapping[str, int], legs: Iterable[Leg]) -> bool:
    """True when, once every leg is paid, each party has borne exactly its burden of the loss.

    The bank starts out of pocket by the whole loss; every other party starts even.
    """
    out_of_pocket = {party: 0 for party in burdens}
    out_of_pocket[BANK] = approved_fen
    for leg in legs:
        if leg.amount_fen <= 0:
            return False
        out_of_pocket[leg.payer] = out_of_pocket.get(leg.payer, 0) + leg.amount_fen
        out_of_pocket[leg.payee] = out_of_pocket.get(leg.payee, 0) - leg.amount_fen
    expected = {party: burdens.get(party, 0) for party in out_of_pocket}
    return out_of_pocket == expected
