"""Rows several handlers keep together: a product's and its bank's figures, a loan's changes."""

from __future__ import annotations

from typing import Any

from projections.dated import utc_naive
from projections.rows import Rows
from projections.schema import loan_changes, product_banks, products

STATE = "state"
CLASS = "class"


def books(rows: Rows, product: str, bank: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns the product's row and its bank's row: the figures kept for both."""
    return rows.need(products, product), rows.ensure(product_banks, product=product, bank=bank)


def loan_books(rows: Rows, loan: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return books(rows, loan["product"], loan["bank"])


def claim_books(rows: Rows, claim: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return books(rows, claim["product"], claim["bank"])


def loan_changed(rows: Rows, loan_id: str, attribute: str, value: str, dpd: int = 0) -> None:
    """Keeps the loan's new state or class with its date, for the loan book as of a date."""
    rows.add(
        loan_changes,
        position=rows.position,
        attribute=attribute,
        loan_id=loan_id,
        value=value,
        days_past_due=dpd,
        effective_date=rows.effective_date,
        recorded_at=utc_naive(rows.recorded_at) if rows.recorded_at else None,
    )


def set_state(rows: Rows, loan: dict[str, Any], state: str) -> None:
    if loan["state"] != state:
        loan["state"] = state
        loan_changed(rows, loan["loan_id"], STATE, state)
