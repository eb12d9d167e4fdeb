"""The two reports the programme's users asked for: pool balances and product statistics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from projections.schema import pool_queue, pools, product_enterprises, product_parties, products

POOL_FIELDS = (
    "pool",
    "name",
    "level",
    "owner",
    "contributed_fen",
    "paid_out_fen",
    "recovered_fen",
    "available_fen",
    "queued_fen",
)


def pool_balances(engine: Engine) -> list[dict[str, Any]]:
    """Returns one row per pool: money in, paid out, recovered, available and queued, in fen."""
    waiting = (
        select(pool_queue.c.pool_id, func.sum(pool_queue.c.amount_fen).label("queued_fen"))
        .where(pool_queue.c.paid_on.is_(None))
        .group_by(pool_queue.c.pool_id)
        .subquery()
    )
    query = select(
        pools.c.code.label("pool"),
        pools.c.name,
        pools.c.level,
        pools.c.owner,
        pools.c.contributed_fen,
        pools.c.paid_out_fen,
        pools.c.recovered_fen,
        (pools.c.contributed_fen - pools.c.paid_out_fen + pools.c.recovered_fen).label(
            "available_fen"
        ),
        func.coalesce(waiting.c.queued_fen, 0).label("queued_fen"),
    ).select_from(pools.outerjoin(waiting, waiting.c.pool_id == pools.c.pool_id))
    query = query.order_by(pools.c.code)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def product_statistics(engine: Engine) -> list[dict[str, Any]]:
    """Returns one row per product: loans, enterprises, money flows and each party's burden."""
    enterprises = (
        select(product_enterprises.c.product, func.count().label("enterprises"))
        .group_by(product_enterprises.c.product)
        .subquery()
    )
    query = (
        select(products, func.coalesce(enterprises.c.enterprises, 0).label("enterprises"))
        .outerjoin(enterprises, enterprises.c.product == products.c.product)
        .order_by(products.c.product)
    )
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
        parties = connection.execute(
            select(product_parties).order_by(product_parties.c.product)
        ).mappings()
        by_product: dict[str, list[dict[str, Any]]] = {}
        for party in parties:
            by_product.setdefault(party["product"], []).append(dict(party))
    for row in rows:
        own = by_product.get(row["product"], [])
        row["burden_fen"] = {p["party"]: p["burden_fen"] for p in own}
        row["compensation_paid_fen"] = {p["party"]: p["compensation_paid_fen"] for p in own}
        row["recovery_share_fen"] = {p["party"]: p["recovery_share_fen"] for p in own}
    return rows
