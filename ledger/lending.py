"""Commands a bank gives about its loans."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.enterprise import Enterprise
from domain.errors import Conflict
from domain.ids import enterprise_id, loan_id
from domain.loan import Loan
from domain.uscc import validate_uscc
from ledger.session import SessionBase


class LendingCommands(SessionBase):
    """What a bank records about its loans: registration, money in and out, default."""

    def register_loan(
        self,
        *,
        bank: str,
        reference: str,
        uscc: str,
        product: str,
        principal_fen: int,
        annual_rate_bps: int,
        term_months: int,
        start_date: date,
        first_loan: bool = False,
        pure_credit: bool = False,
        actor: Actor,
    ) -> tuple[UUID, bool]:
        """Registers a bank's loan; returns its id and whether it is new (R14)."""
        self.institution(bank, "bank", kind="bank")
        enterprise = self._load(Enterprise, enterprise_id(validate_uscc(uscc)), "uscc", uscc)
        found = self.product(product)
        version, terms = found.terms_on(start_date)
        existing = self._find(Loan, loan_id(bank, reference))
        if existing is not None:
            differences = existing.registration_differences(
                enterprise=enterprise.uscc,
                product=product,
                principal_fen=principal_fen,
                annual_rate_bps=annual_rate_bps,
                term_months=term_months,
                start_date=start_date,
                first_loan=first_loan,
                pure_credit=pure_credit,
            )
            if differences:
                raise Conflict(
                    differences[0],
                    f"{bank} loan {reference} is already registered with another "
                    f"{', '.join(differences)}",
                )
            return existing.id, False
        loan = Loan.register(
            bank=bank,
            reference=reference,
            enterprise=enterprise.uscc,
            terms=terms,
            terms_version=version,
            principal_fen=principal_fen,
            annual_rate_bps=annual_rate_bps,
            term_months=term_months,
            start_date=start_date,
            first_loan=first_loan,
            pure_credit=pure_credit,
            actor=actor,
        )
        return self._add(loan).id, True

    def disburse(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> bool:
        return self.loan(bank, reference).disburse(
            amount_fen=amount_fen, value_date=value_date, ref=ref, actor=actor
        )

    def repay(
        self,
        *,
        bank: str,
        reference: str,
        principal_fen: int,
        interest_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> bool:
        return self.loan(bank, reference).repay(
            principal_fen=principal_fen,
            interest_fen=interest_fen,
            value_date=value_date,
            ref=ref,
            actor=actor,
        )

    def declare_default(
        self, *, bank: str, reference: str, default_date: date, reason: str, actor: Actor
    ) -> bool:
        return self.loan(bank, reference).declare_default(
            default_date=default_date, reason=reason, actor=actor
        )
