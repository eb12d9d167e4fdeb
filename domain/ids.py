"""Stable aggregate ids derived from the callers' own references, so repeats find the same one."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a4e-7d1b-5c3a-9e8f-2b4d6a8c0e1f")


def _derive(kind: str, *parts: str) -> UUID:
    return uuid5(NAMESPACE, ":".join((kind, *parts)))


# The ledger keeps one history of the 1-year LPR.
LPR_HISTORY_ID = _derive("lpr", "1y")


def institution_id(code: str) -> UUID:
    """Returns the id of the institution registered under `code`."""
    return _derive("institution", code)


def enterprise_id(uscc: str) -> UUID:
    """Returns the id of the enterprise with this unified social credit code."""
    return _derive("enterprise", uscc)


def product_id(code: str) -> UUID:
    """Returns the id of the product with this code."""
    return _derive("product", code)


def pool_id(code: str) -> UUID:
    """Returns the id of the risk pool with this code."""
    return _derive("pool", code)


def exposure_id(product: str) -> UUID:
    """Returns the id of the product's covered-outstanding account (R3)."""
    return _derive("exposure", product)


def loan_id(bank: str, reference: str) -> UUID:
    """Returns the id of the loan a bank registered under its own loan reference."""
    return _derive("loan", bank, reference)


def calendar_id() -> UUID:
    """Returns the id of the ledger's one business calendar (close of business)."""
    return _derive("calendar", "business-days")


def claim_id(loan: UUID, reference: str) -> UUID:
    """Returns the id of the claim filed on `loan` under the claimant's reference."""
    return _derive("claim", loan.hex, reference)


def claimant_account_id(product: str, claimant: str) -> UUID:
    """Returns the id of the account of a claimant's approved claims under a product."""
    return _derive("claimant-account", product, claimant)


def guarantee_id(loan: UUID) -> UUID:
    """Returns the id of the guarantee on `loan`; a loan has at most one (R16)."""
    return _derive("guarantee", loan.hex)


def policy_id(loan: UUID) -> UUID:
    """Returns the id of the insurance policy on `loan`; a loan has at most one (R16)."""
    return _derive("policy", loan.hex)
