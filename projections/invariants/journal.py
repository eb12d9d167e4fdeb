"""Invariants of the double-entry journal: it balances and agrees with the aggregates.

The journal is posted here from the events themselves, as the checker replays them, not read
from the read model: a bug in the read model's fold and a bug in an event's postings must both
show. Each event's postings sum to zero, so the accounts total zero; each pool's cash account
holds what the pool says is available; each bank's loans account holds the principal its
loans still have outstanding.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.claim import Claim
from domain.guarantee import Guarantee
from domain.legs import BANK
from domain.loan import Loan
from domain.money import format_yuan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from projections.journal import account, named_parties, postings


class UnknownParty(LookupError):
    """An event names an aggregate or a party that no earlier event introduced."""


class AggregateDirectory:
    """The journal's directory over the aggregates replayed so far and the parties named."""

    def __init__(self, aggregates: dict[UUID, Aggregate]) -> None:
        self.aggregates = aggregates
        self.parties: dict[tuple[str, str], str] = {}

    def _get(self, hex_id: str, kind: type | tuple[type, ...]) -> Any:
        found = self.aggregates.get(UUID(hex_id))
        if not isinstance(found, kind):
            raise UnknownParty(f"no {getattr(kind, '__name__', 'cover')} {hex_id}")
        return found

    def loan(self, loan_hex: str) -> tuple[str, str]:
        loan = self._get(loan_hex, Loan)
        return loan.bank, loan.enterprise

    def loan_of_claim(self, claim_hex: str) -> str:
        return str(self._get(claim_hex, Claim).loan.hex)

    def pool_code(self, pool_hex: str) -> str:
        return str(self._get(pool_hex, RiskPool).code)

    def cover(self, cover_hex: str) -> tuple[str, str]:
        cover = self._get(cover_hex, (Guarantee, InsurancePolicy))
        institution = cover.guarantor if isinstance(cover, Guarantee) else cover.insurer
        return cover.loan.hex, institution

    def party(self, key: str, role: str) -> str:
        try:
            return self.parties[(key, role)]
        except KeyError:
            raise UnknownParty(f"no {role} named for {key}") from None


class JournalCheck:
    """Posts each replayed event and collects what breaks the journal's invariants."""

    def __init__(self, aggregates: dict[UUID, Aggregate]) -> None:
        self.directory = AggregateDirectory(aggregates)
        self.balances: dict[str, int] = defaultdict(int)
        self.found: list[str] = []

    def post(self, position: int, domain_event: Any) -> None:
        """Adds the event's postings; an event that does not balance or cannot post is noted."""
        for key, role, institution in named_parties(domain_event):
            self.directory.parties[(key, role)] = institution
        name = f"journal: event {position} ({type(domain_event).__qualname__})"
        try:
            lines = postings(domain_event, self.directory)
        except (UnknownParty, ValueError) as error:
            self.found.append(f"{name} cannot be posted: {error}")
            return
        total = sum(line.amount_fen for line in lines)
        if total != 0:
            self.found.append(f"{name} posts {format_yuan(total)}, not 0.00")
        for line in lines:
            self.balances[line.account] += line.amount_fen

    def violations(self, pools: list[RiskPool], loans: list[Loan]) -> list[str]:
        """The journal balances, and its pool cash and bank loans agree with the aggregates."""
        found = list(self.found)
        total = sum(self.balances.values())
        if total != 0:
            found.append(f"journal: the accounts total {format_yuan(total)}, not 0.00")
        for pool in pools:
            cash = self.balances.get(account("pool", pool.code, "cash"), 0)
            if cash != pool.available_fen:
                found.append(
                    f"journal: pool {pool.code}'s cash account holds {format_yuan(cash)}, but "
                    f"the pool has {format_yuan(pool.available_fen)} available"
                )
        outstanding: dict[str, int] = defaultdict(int)
        for loan in loans:
            outstanding[loan.bank] += loan.outstanding_fen
        for bank, fen in sorted(outstanding.items()):
            booked = self.balances.get(account(BANK, bank, "loans"), 0)
            if booked != fen:
                found.append(
                    f"journal: bank {bank}'s loans account holds {format_yuan(booked)}, but its "
                    f"loans have {format_yuan(fen)} outstanding"
                )
        return found
