"""Invariants of enterprise exposure: what counts against the caps matches the loans (R2)."""

from __future__ import annotations

from domain.exposure import Exposure
from domain.loan import Loan
from domain.money import format_yuan


def exposure_violations(exposures: list[Exposure], loans: list[Loan]) -> list[str]:
    """A product's covered outstanding is its loans' principal not repaid, leaving out loans
    whose claim was approved or that were written off; what it ever covered is their whole
    principal (R3)."""
    found: list[str] = []
    for exposure in exposures:
        mine = [loan for loan in loans if loan.product == exposure.product]
        expected = sum(
            loan.principal_fen - loan.principal_repaid_fen
            for loan in mine
            if loan.id.hex not in exposure.compensations and loan.written_off_on is None
        )
        name = f"exposure of {exposure.product}"
        if exposure.covered_fen != expected:
            found.append(
                f"{name}: covers {format_yuan(exposure.covered_fen)}, but its loans leave "
                f"{format_yuan(expected)} of principal outstanding or undrawn (R3)"
            )
        registered = sum(loan.principal_fen for loan in mine)
        if exposure.registered_fen != registered:
            found.append(
                f"{name}: covered {format_yuan(exposure.registered_fen)} in all, but its loans' "
                f"principal is {format_yuan(registered)} (R3)"
            )
    return found
