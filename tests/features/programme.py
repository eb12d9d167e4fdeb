"""The world a feature runs in: one ledger, the commands its steps give, and their outcome."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from parse import with_pattern
from pytest_bdd import parsers

from domain.actor import Actor
from domain.claim import Claim
from domain.errors import DomainError
from domain.money import parse_fen
from domain.uscc import check_character
from ledger.app import RiskLedger, Session

Command = Callable[[Session], Any]

FUND_MANAGER = Actor("KJJ", "fund-manager", "api")
TERMS_FROM = date(2024, 1, 1)
ANNUAL_RATE_BPS = 385
TERM_MONTHS = 12

# The parties of DESIGN §5 R8 as a fund manager names them, in English and in Chinese.
PARTIES = {
    "province pool": "pool.province",
    "city pool": "pool.city",
    "county pool": "pool.county",
    "guarantor": "guarantor",
    "re-guarantor": "reguarantor",
    "insurer": "insurer",
    "bank": "bank",
    "省级资金池": "pool.province",
    "市级资金池": "pool.city",
    "县级资金池": "pool.county",
    "担保公司": "guarantor",
    "再担保机构": "reguarantor",
    "保险公司": "insurer",
    "银行": "bank",
}
CLAIM_STATES = {
    "已提交": "filed",
    "追偿中": "recovering",
    "已核准": "approved",
    "已驳回": "rejected",
    "已结清": "settled",
}


@with_pattern(r"\d[\d,]*(?:\.\d+)?")
def _yuan(cell: str) -> int:
    return parse_fen(cell, allow_zero=True)


@with_pattern(r"\d{4}-\d{2}-\d{2}")
def _day(cell: str) -> date:
    return date.fromisoformat(cell)


@with_pattern(r"[A-Za-z0-9][A-Za-z0-9-]*")
def _code(cell: str) -> str:
    return cell


@with_pattern(r"[a-z_]+")
def _state(cell: str) -> str:
    return cell


TYPES = {"Yuan": _yuan, "Date": _day, "Code": _code, "State": _state}


def text(pattern: str) -> parsers.parse:
    """Returns a step parser that reads {x:Yuan} amounts, {x:Date} ISO dates and {x:Code}s."""
    return parsers.parse(pattern, extra_types=TYPES)


def party(label: str) -> str:
    """Returns the domain's name for a party a feature names: 'city pool' -> 'pool.city'."""
    return PARTIES[label.strip()]


def pool_code(product: str, label: str) -> str:
    """Returns the code of the product's pool a feature names, e.g. 'province pool'."""
    return f"{product}-{party(label).removeprefix('pool.')}"


def body(datatable: list[list[str]]) -> list[list[str]]:
    """Returns a table's rows below its header, stripped; columns are read by position."""
    return [[cell.strip() for cell in row] for row in datatable[1:]]


def amount(cell: str) -> int:
    """Returns the fen of a yuan amount in a table cell, zero allowed."""
    return parse_fen(cell, allow_zero=True)


def uscc_for(enterprise: str) -> str:
    """Returns a well-formed, stable USCC for an enterprise a feature names."""
    digits = int(hashlib.sha256(enterprise.encode()).hexdigest(), 16) % 10**7
    first17 = f"91320505MA{digits:07d}"
    return first17 + check_character(first17)


def clerk(bank: str) -> Actor:
    return Actor(bank, "clerk", "api")


def checks_refusal(step: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a step as one that may follow a refused command, because it inspects the refusal."""
    step.checks_refusal = True  # type: ignore[attr-defined]
    return step


@dataclass
class Programme:
    """One scenario's ledger, whose bank lent each loan, and how the last command ended."""

    ledger: RiskLedger
    loans: dict[str, str] = field(default_factory=dict)
    answer: Any = None
    refusal: DomainError | None = None
    checked_refusal: DomainError | None = None
    events_before: int = 0

    def run(self, command: Command) -> Any:
        """Runs a command that must succeed (a `Given`); returns its answer."""
        return self.ledger.transact(command)

    def attempt(self, command: Command) -> None:
        """Runs a command (a `When`), keeping its answer or refusal and the prior event count."""
        self.events_before = self.ledger.event_count()
        self.answer, self.refusal = None, None
        try:
            self.answer = self.ledger.transact(command)
        except DomainError as error:
            self.refusal = error

    def take_refusal(self) -> DomainError:
        """Returns the last command's refusal, marking it checked; fails if it was accepted."""
        refusal = self.refusal
        assert refusal is not None, f"the command was accepted and answered {self.answer!r}"
        self.refusal, self.checked_refusal = None, refusal
        return refusal

    def bank_of(self, loan: str) -> str:
        return self.loans[loan]

    def claim(self, loan: str) -> Claim:
        """Returns the claim open on `loan`."""
        found = self.ledger.get_loan(self.bank_of(loan), loan)
        assert found.open_claim is not None, f"loan {loan} has no open claim"
        claim = self.ledger.repository.get(found.open_claim)
        assert isinstance(claim, Claim)
        return claim

    # -- the commands steps give -----------------------------------------------------------

    def registration(
        self,
        bank: str,
        loan: str,
        principal: int,
        enterprise: str,
        product: str,
        day: date,
        annual_rate_bps: int = ANNUAL_RATE_BPS,
        term_months: int = TERM_MONTHS,
    ) -> Command:
        """Returns the command registering a bank's loan, with the bank and enterprise if new."""
        self.loans.setdefault(loan, bank)

        def register(session: Session) -> Any:
            session.add_institution(
                code=bank,
                kind="bank",
                name=f"{bank} 苏州分行",
                region="苏州",
                level=None,
                effective_date=TERMS_FROM,
                actor=FUND_MANAGER,
            )
            session.add_enterprise(
                uscc=uscc_for(enterprise),
                name=enterprise,
                region="苏州",
                effective_date=TERMS_FROM,
                actor=FUND_MANAGER,
            )
            return session.register_loan(
                bank=bank,
                reference=loan,
                uscc=uscc_for(enterprise),
                product=product,
                principal_fen=principal,
                annual_rate_bps=annual_rate_bps,
                term_months=term_months,
                start_date=day,
                actor=clerk(bank),
            )

        return register

    def disbursement(self, bank: str, loan: str, disbursed: int, day: date, ref: str) -> Command:
        return lambda s: s.disburse(
            bank=bank,
            reference=loan,
            amount_fen=disbursed,
            value_date=day,
            ref=ref,
            actor=clerk(bank),
        )

    def repayment(
        self, bank: str, loan: str, principal: int, interest: int, day: date, ref: str
    ) -> Command:
        return lambda s: s.repay(
            bank=bank,
            reference=loan,
            principal_fen=principal,
            interest_fen=interest,
            value_date=day,
            ref=ref,
            actor=clerk(bank),
        )

    def default(self, bank: str, loan: str, day: date, reason: str) -> Command:
        return lambda s: s.declare_default(
            bank=bank, reference=loan, default_date=day, reason=reason, actor=clerk(bank)
        )

    def filing(self, bank: str, loan: str, day: date, ref: str) -> Command:
        return lambda s: s.file_claim(
            bank=bank, reference=loan, ref=ref, filed_on=day, actor=clerk(bank)
        )

    def approval(self, loan: str, approved: int | None, day: date) -> Command:
        """Returns the fund manager's approval of `approved` (None: the whole loss base)."""
        bank = self.bank_of(loan)
        return lambda s: s.approve_claim(
            bank=bank, reference=loan, amount_fen=approved, effective_date=day, actor=FUND_MANAGER
        )

    def leg_payment(self, loan: str, payers: list[str] | None, day: date) -> Command:
        """Returns the fund manager's payment of the named legs (None: every unpaid leg)."""
        bank = self.bank_of(loan)
        return lambda s: s.pay_legs(
            bank=bank, reference=loan, parties=payers, effective_date=day, actor=FUND_MANAGER
        )

    def recovery(self, bank: str, loan: str, recovered: int, day: date, ref: str) -> Command:
        return lambda s: s.record_recovery(
            bank=bank,
            reference=loan,
            amount_fen=recovered,
            ref=ref,
            effective_date=day,
            actor=clerk(bank),
        )

    def contribution(
        self, product: str, label: str, funder: str, funds: int, day: date, ref: str
    ) -> Command:
        return lambda s: s.fund_pool(
            pool=pool_code(product, label),
            amount_fen=funds,
            funder=funder,
            ref=ref,
            effective_date=day,
            actor=FUND_MANAGER,
        )
