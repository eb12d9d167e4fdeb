"""Whether a row says what the ledger recorded of its loan (R14): the first difference, if any.

A row whose loan the ledger holds with the same registration, the same figures to date and
the same cover is already imported; any difference is a conflict naming the row's field.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Conflict
from domain.guarantee import Guarantee
from domain.loan import Loan
from domain.money import format_yuan
from domain.policy import InsurancePolicy
from ledger.bulk_import.records import CoverRow, LoanRow


def registration_conflict(loan: Loan, row: LoanRow) -> Conflict | None:
    """The conflict when the row registers the loan otherwise (rate, principal, term …)."""
    differences = loan.registration_differences(
        enterprise=row.uscc,
        product=row.product,
        principal_fen=row.principal_fen,
        annual_rate_bps=row.rate_bps,
        term_months=row.term_months,
        start_date=row.start,
        first_loan=row.first_loan,
        pure_credit=row.pure_credit,
        annual_revenue_fen=row.revenue_fen,
        schedule=row.schedule,
        interest_every_months=row.interest_every,
    )
    if not differences:
        return None
    return Conflict(
        differences[0],
        f"{row.bank} loan {row.reference} is in the ledger with another {', '.join(differences)}",
    )


def lifecycle_conflict(loan: Loan, row: LoanRow) -> Conflict | None:
    """The conflict when the row's figures to date differ from the loan's."""
    recorded: list[tuple[str, Any]] = [
        ("disbursed", format_yuan(loan.disbursed_fen)),
        ("principal repaid", format_yuan(loan.principal_repaid_fen)),
        ("interest repaid", format_yuan(loan.interest_repaid_fen)),
        ("default date", loan.default_date),
        ("write-off date", loan.written_off_on),
    ]
    stated: list[tuple[str, Any]] = [
        ("disbursed", format_yuan(row.disbursed_fen)),
        ("principal_repaid", format_yuan(row.principal_repaid_fen)),
        ("interest_repaid", format_yuan(row.interest_repaid_fen)),
        ("defaulted_on", row.defaulted_on),
        ("written_off_on", row.written_off_on),
    ]
    for (name, was), (field, now) in zip(recorded, stated, strict=True):
        if was != now:
            return Conflict(
                field,
                f"{row.bank} loan {row.reference} is in the ledger with {name} {was}, the row "
                f"says {now}; the import never changes a recorded loan",
            )
    return None


def cover_conflict(
    row: LoanRow, cover: CoverRow, found: Guarantee | InsurancePolicy | None
) -> Conflict | None:
    """The conflict when the loan's guarantee or policy is missing or issued otherwise."""
    if found is None:
        differences = ["coverage"]
    elif isinstance(found, Guarantee):
        differences = found.issue_differences(
            guarantor=cover.party,
            contract=cover.contract,
            coverage_bps=cover.coverage_bps,
            fee_rate_bps=cover.fee_rate_bps,
            reguarantor=cover.reguarantor,
            reguarantee_fee_bps=cover.reguarantee_fee_bps,
        )
    else:
        differences = found.issue_differences(
            insurer=cover.party,
            number=cover.contract,
            coverage_bps=cover.coverage_bps,
            premium_rate_bps=cover.fee_rate_bps,
        )
    if not differences:
        return None
    return Conflict(
        differences[0],
        f"{row.bank} loan {row.reference}'s {cover.kind} is in the ledger with another "
        f"{', '.join(differences)}",
    )
