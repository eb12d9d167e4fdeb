"""Commands a bank gives about its loans."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.eligibility import Applicant, registration_violations
from domain.enterprise import Enterprise
from domain.errors import Conflict
from domain.exposure import leverage_multiple
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
        found.check_open_to(bank)  # R4: not while the product is stopped or the bank suspended
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
        # The pools are read, not changed: a leg paid from them meanwhile must make this save
        # conflict too, or the loan could be covered by funds already gone. So must a change
        # to the product (a suspension decided meanwhile, R4).
        pools = [self.pool(code) for code in found.pools.values()]
        self.rely_on(found, *pools)
        # Saved with the loan: a rival registration that took the headroom meanwhile makes
        # this save conflict, and the rerun decides again on fresh state (R3). Loaded last, as
        # every writer under the product changes it: the shorter the time from reading it to
        # saving, the fewer reruns.
        exposure = self.exposure(product, start_date, actor)
        exposure.check_headroom(
            principal_fen=principal_fen,
            multiple=leverage_multiple(terms),
            pool_funds_fen=sum(pool.available_fen for pool in pools),
        )
        exposure.cover(
            loan=loan.id, principal_fen=principal_fen, effective_date=start_date, actor=actor
        )
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
        """Records a repayment; the principal repaid frees leverage headroom (R3)."""
        loan = self.loan(bank, reference)
        new = loan.repay(
            principal_fen=principal_fen,
            interest_fen=interest_fen,
            value_date=value_date,
            ref=ref,
            actor=actor,
        )
        if new:
            self._free_headroom(loan, principal_fen, value_date, actor)
        return new

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
        """Applies one repayment by the waterfall (R12); returns how, and whether it is new.

        The principal it pays frees leverage headroom (R3).
        """
        loan = self.loan(bank, reference)
        allocation, new = loan.receive_payment(
            amount_fen=amount_fen, value_date=value_date, ref=ref, actor=actor
        )
        if new:
            self._free_headroom(loan, allocation.principal_fen, value_date, actor)
        return allocation, new

    def _free_headroom(self, loan: Loan, principal_fen: int, day: date, actor: Actor) -> None:
        """Takes principal the borrower repaid off the product's covered outstanding (R3)."""
        self.exposure(loan.product, day, actor).reduce(
            loan=loan.id, principal_fen=principal_fen, effective_date=day, actor=actor
        )

    def declare_default(
        self, *, bank: str, reference: str, default_date: date, reason: str, actor: Actor
    ) -> bool:
        return self.loan(bank, reference).declare_default(
            default_date=default_date, reason=reason, actor=actor
        )

    def write_off(
        self, *, bank: str, reference: str, effective_date: date, reason: str, actor: Actor
    ) -> bool:
        """Writes off what a defaulted loan still owes; False when it already was.

        Unless its claim was approved already, the loan stops using leverage (R3).
        """
        loan = self.loan(bank, reference)
        written = loan.write_off(effective_date=effective_date, reason=reason, actor=actor)
        if written:
            self.exposure(loan.product, effective_date, actor).write_off(
                loan=loan.id,
                remaining_fen=loan.exposure_fen,
                effective_date=effective_date,
                actor=actor,
            )
        return written
