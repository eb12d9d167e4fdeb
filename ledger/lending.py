"""Commands a bank gives about its loans."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.eligibility import Applicant, registration_violations
from domain.enterprise import Enterprise
from domain.errors import Conflict
from domain.ids import enterprise_id, loan_id
from domain.loan import Loan
from domain.lpr import LPR_ID, LprHistory
from domain.repayment import Allocation
from domain.schedule import INTEREST_ONLY
from domain.terms import ProductTerms
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
        annual_revenue_fen: int | None = None,
        schedule: str = INTEREST_ONLY,
        interest_every_months: int = 1,
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
                annual_revenue_fen=annual_revenue_fen,
                schedule=schedule,
                interest_every_months=interest_every_months,
            )
            if differences:
                raise Conflict(
                    differences[0],
                    f"{bank} loan {reference} is already registered with another "
                    f"{', '.join(differences)}",
                )
            return existing.id, False
        self._check_eligibility(
            terms,
            enterprise,
            principal_fen=principal_fen,
            rate_bps=annual_rate_bps,
            start=start_date,
        )
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
            annual_revenue_fen=annual_revenue_fen,
            schedule=schedule,
            interest_every_months=interest_every_months,
        )
        enterprise.take_loan(product=product, loan=loan.id, effective_date=start_date, actor=actor)
        return self._add(loan).id, True

    def _check_eligibility(
        self,
        terms: ProductTerms,
        enterprise: Enterprise,
        *,
        principal_fen: int,
        rate_bps: int,
        start: date,
    ) -> None:
        """Raises the first rule a new loan breaks (R1, R2), having gathered what they need."""
        outstanding = sum(
            self._load(Loan, loan, "loan", str(loan)).exposure_fen
            for loan in enterprise.loans.get(terms.code, [])
        )
        lpr = self._find(LprHistory, LPR_ID)
        violations = registration_violations(
            terms,
            Applicant(
                uscc=enterprise.uscc,
                holds_qualification=enterprise.holds(terms.qualifications, start),
                blacklisted_because=enterprise.blacklist_on(start),
                outstanding_under_product_fen=outstanding,
            ),
            principal_fen=principal_fen,
            annual_rate_bps=rate_bps,
            start_date=start,
            lpr_bps=lpr.rate_on(start) if lpr is not None else None,
        )
        if violations:
            raise violations[0]

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

    def receive_payment(
        self,
        *,
        bank: str,
        reference: str,
        amount_fen: int,
        value_date: date,
        ref: str,
        actor: Actor,
    ) -> tuple[Allocation, bool]:
        """Applies one repayment by the waterfall (R12); returns how, and whether it is new."""
        return self.loan(bank, reference).receive_payment(
            amount_fen=amount_fen, value_date=value_date, ref=ref, actor=actor
        )

    def declare_default(
        self, *, bank: str, reference: str, default_date: date, reason: str, actor: Actor
    ) -> bool:
        return self.loan(bank, reference).declare_default(
            default_date=default_date, reason=reason, actor=actor
        )
