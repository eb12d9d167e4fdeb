"""The small city programme the ledger tests share: one operator, one city pool, one bank,
one enterprise and 通科贷 (city pool 80 / bank 20), funded before any loan is lent."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.actor import Actor
from domain.terms_parsing import parse_terms
from ledger.app import Session

MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
DAY = date(2024, 1, 2)
USCC = "91320505MA1ABCDE09"


def city_programme(
    session: Session, *, funds_fen: int, extra_terms: dict[str, Any] | None = None
) -> None:
    """Registers the programme and funds its city pool with `funds_fen`."""
    for code, kind, level in (
        ("KJJ", "operator", None),
        ("SZ-FIN", "pool_owner", "city"),
        ("ICBC", "bank", None),
    ):
        session.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=DAY,
            actor=MANAGER,
        )
    session.add_enterprise(
        uscc=USCC, name="某科技", region="苏州", effective_date=DAY, actor=MANAGER
    )
    terms = {
        "code": "TKD",
        "name": "通科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.city": 8000, "bank": 2000},
        **(extra_terms or {}),
    }
    session.define_product(terms=parse_terms(terms), actor=MANAGER)
    session.open_pool(
        code="SZ-P",
        name="市池",
        owner="SZ-FIN",
        level="city",
        products=["TKD"],
        effective_date=DAY,
        actor=MANAGER,
    )
    session.fund_pool(
        pool="SZ-P",
        amount_fen=funds_fen,
        funder="SZ-FIN",
        ref="C1",
        effective_date=DAY,
        actor=MANAGER,
    )
