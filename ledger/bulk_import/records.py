"""What reading a row yields: the loan it describes in ledger values, or why it cannot be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RowError:
    """Why a row was not imported: the column (or field) at fault, its value, the reason."""

    row: int
    column: str
    value: str
    reason: str


class RowRefused(Exception):
    """Raised while reading a row; carries the `RowError` for the report."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


@dataclass(frozen=True)
class CoverRow:
    """The guarantee or policy the row's loan carries."""

    kind: str
    party: str
    contract: str
    coverage_bps: int
    fee_rate_bps: int
    reguarantor: str | None
    reguarantee_fee_bps: int | None


@dataclass(frozen=True)
class LoanRow:
    """A loan as one row of the file describes it, in ledger values (fen, bps, dates)."""

    row: int
    lifecycle: str
    reference: str
    bank: str
    product: str
    uscc: str
    enterprise_name: str
    region: str
    principal_fen: int
    rate_bps: int
    term_months: int
    start: date
    first_loan: bool
    pure_credit: bool
    revenue_fen: int | None
    schedule: str
    interest_every: int
    disbursed_fen: int
    disbursed_on: date
    principal_repaid_fen: int
    interest_repaid_fen: int
    repaid_on: date | None
    defaulted_on: date | None
    default_reason: str
    written_off_on: date | None
    # The loss the file states, when it does: it must be what the loan still owes.
    written_off_fen: int | None
    write_off_reason: str
    cover: CoverRow | None
    # Where each ledger field came from, to name it when the ledger refuses the loan.
    sources: Mapping[str, tuple[str, str]]
