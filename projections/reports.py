"""The reports: pool balances, product statistics, periods, parties and the loan book.

Every report can be read now, or at a `Moment`: as of a business date and as known at a
recorded time. The past is read from the dated history (projections/dated.py), never by
replaying the log: additive figures are summed up to the date, and a loan's class and
state are the last change recorded for it by then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from domain.classification import NON_PERFORMING, is_non_performing
from domain.suspension import ratio_bps
from projections.dated import (
    HISTORY_COLUMNS,
    Moment,
    existing,
    figures,
    ordered_by_date,
    row_key,
    utc_naive,
)
from projections.schema import (
    loan_changes,
    loans,
    pools,
    product_banks,
    product_enterprises,
    product_parties,
    product_pools,
    products,
)

NOW = Moment()

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
    "leverage_used_bps",
)
# Figures of a period that are flows (summed over the period); the rest are stocks at its end.
FLOWS = (
    "loans",
    "registered_fen",
    "disbursed_fen",
    "repaid_fen",
    "interest_fen",
    "written_off_fen",
    "paid_off_loans",
    "defaulted_loans",
    "defaulted_fen",
    "claims",
    "approved_fen",
    "recovered_fen",
)
PERIODS = ("month", "quarter", "year")


def _key(table: Table, row: dict[str, Any]) -> str:
    return row_key(row[column.name] for column in table.primary_key.columns)


def rows_at(connection: Connection, table: Table, moment: Moment) -> list[dict[str, Any]]:
    """Returns `table`'s rows at `moment`: as stored now, or with their figures then.

    Rows that did not exist yet are left out; descriptive columns (names, codes) are
    today's.
    """
    stored = [dict(row) for row in connection.execute(select(table)).mappings()]
    if moment.is_now:
        return stored
    found = figures(connection, table, moment)
    kept = []
    for row in stored:
        then = existing(found, _key(table, row))
        if then is not None:
            row.update({column: then.get(column, 0) for column in HISTORY_COLUMNS[table.name]})
            kept.append(row)
    return kept


def _last_changes(
    connection: Connection, moment: Moment, attribute: str
) -> dict[str, dict[str, Any]]:
    """Returns each loan's last change of `attribute` recorded by `moment`, by loan id."""
    query = (
        select(loan_changes)
        .where(loan_changes.c.attribute == attribute)
        .order_by(loan_changes.c.position)
    )
    if moment.as_of is not None:
        query = query.where(loan_changes.c.effective_date <= moment.as_of)
    if moment.known_at is not None:
        query = query.where(loan_changes.c.recorded_at <= utc_naive(moment.known_at))
    return {row["loan_id"]: dict(row) for row in connection.execute(query).mappings()}


Books = dict[tuple[str, str], tuple[int, int]]  # (product, bank) -> (loans, principal)
OUTSTANDING = {"disbursed_fen": 1, "repaid_fen": -1, "written_off_fen": -1}


def npl_at(connection: Connection, moment: Moment, ends: Iterable[date]) -> dict[date, Books]:
    """Returns, for each business date in `ends`, the loans classified substandard or worse
    then and their outstanding principal then, per product and bank (R5): each loan's last
    class by that date, as recorded by `moment`. Only loans ever non-performing are read,
    once for all the dates."""
    ends = sorted(ends)
    ever = select(loan_changes.c.loan_id).where(
        loan_changes.c.attribute == "class", loan_changes.c.value.in_(sorted(NON_PERFORMING))
    )
    query = (
        select(loan_changes.c.loan_id, loan_changes.c.effective_date, loan_changes.c.value)
        .where(loan_changes.c.attribute == "class", loan_changes.c.loan_id.in_(ever))
        .order_by(loan_changes.c.position)
    )
    if moment.as_of is not None:
        query = query.where(loan_changes.c.effective_date <= moment.as_of)
    if moment.known_at is not None:
        query = query.where(loan_changes.c.recorded_at <= utc_naive(moment.known_at))
    classes: dict[str, list[tuple[date, str]]] = {}
    for loan_id, day, value in connection.execute(query):
        classes.setdefault(loan_id, []).append((day, value))
    if not classes:
        return {end: {} for end in ends}
    keys = {row_key([loan_id]): loan_id for loan_id in classes}
    flows: dict[str, list[tuple[date, int]]] = {}
    for key, column, day, delta in ordered_by_date(connection, loans, moment, set(keys)):
        if column in OUTSTANDING:
            flows.setdefault(keys[key], []).append((day, OUTSTANDING[column] * delta))
    books = {
        row.loan_id: (row.product, row.bank)
        for row in connection.execute(
            select(loans.c.loan_id, loans.c.product, loans.c.bank).where(
                loans.c.loan_id.in_(list(classes))
            )
        )
    }
    found: dict[date, Books] = {}
    for end in ends:
        by_book: Books = {}
        for loan_id, changes in classes.items():
            last = [value for day, value in changes if day <= end]
            if not last or not is_non_performing(last[-1]):
                continue
            outstanding = sum(delta for day, delta in flows.get(loan_id, []) if day <= end)
            count, fen = by_book.get(books[loan_id], (0, 0))
            by_book[books[loan_id]] = (count + 1, fen + outstanding)
        found[end] = by_book
    return found


def pool_balances(engine: Engine, moment: Moment = NOW) -> list[dict[str, Any]]:
    """Returns one row per pool: money in, paid out, recovered, available, queued (fen), and
    the highest share of its leverage limit a product it backs uses (bp; None if unlevered)."""
    with engine.connect() as connection:
        found = rows_at(connection, pools, moment)
        used = _leverage_used(connection, moment, found)
    rows = []
    for pool in sorted(found, key=lambda row: row["code"]):
        available = pool["contributed_fen"] - pool["paid_out_fen"] + pool["recovered_fen"]
        rows.append(
            {
                "pool": pool["code"],
                "name": pool["name"],
                "level": pool["level"],
                "owner": pool["owner"],
                "contributed_fen": pool["contributed_fen"],
                "paid_out_fen": pool["paid_out_fen"],
                "recovered_fen": pool["recovered_fen"],
                "available_fen": available,
                "queued_fen": pool["queued_fen"],
                "leverage_used_bps": used.get(pool["code"]),
            }
        )
    return rows


def _leverage_used(
    connection: Connection, moment: Moment, pool_rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Returns, per pool, the largest share of R3's limit (multiple × its product's pools'
    funds) that a product the pool backs has covered."""
    available = {
        row["code"]: row["contributed_fen"] - row["paid_out_fen"] + row["recovered_fen"]
        for row in pool_rows
    }
    backing: dict[str, list[str]] = {}
    for row in connection.execute(select(product_pools)).mappings():
        if row["pool"] in available:
            backing.setdefault(row["product"], []).append(row["pool"])
    used: dict[str, int] = {}
    for product in rows_at(connection, products, moment):
        multiple, codes = product["leverage_multiple"], backing.get(product["product"], [])
        if multiple is None or not codes:
            continue
        limit = multiple * sum(available[code] for code in codes)
        share = ratio_bps(product["covered_fen"], limit) if limit > 0 else None
        for code in codes:
            if share is not None:
                used[code] = max(used.get(code, 0), share)
    return used


def _enterprises(connection: Connection, moment: Moment) -> dict[str, int]:
    """Returns the distinct borrowers with a loan registered by `moment`, per product."""
    if moment.is_now:
        query = select(product_enterprises.c.product, func.count()).group_by(
            product_enterprises.c.product
        )
    elif moment.known_at is None:  # as of a date: each pair's first loan start is kept
        query = (
            select(product_enterprises.c.product, func.count())
            .where(product_enterprises.c.first_on <= moment.as_of)
            .group_by(product_enterprises.c.product)
        )
    else:
        query = select(loans.c.product, func.count(loans.c.enterprise.distinct())).group_by(
            loans.c.product
        )
        if moment.as_of is not None:
            query = query.where(loans.c.registered_on <= moment.as_of)
        query = query.where(loans.c.recorded_at <= utc_naive(moment.known_at))
    return {product: count for product, count in connection.execute(query)}


def _with_ratios(row: dict[str, Any]) -> dict[str, Any]:
    row["npl_ratio_bps"] = ratio_bps(row["npl_fen"], row["outstanding_fen"])
    row["compensation_rate_bps"] = ratio_bps(row["approved_fen"], row["registered_fen"])
    return row


def _with_npl(
    connection: Connection, table: Table, moment: Moment, rows: list[dict[str, Any]]
) -> None:
    """Sets the NPL figures of product (or product × bank) rows as they stood at `moment`."""
    if moment.is_now:
        return
    end = moment.as_of or date.max
    found = npl_at(connection, moment, [end])[end]
    for row in rows:
        if table is products:
            books = [value for (product, _), value in found.items() if product == row["product"]]
        else:
            books = [found.get((row["product"], row["bank"]), (0, 0))]
        row["npl_loans"] = sum(count for count, _ in books)
        row["npl_fen"] = sum(fen for _, fen in books)


def product_statistics(engine: Engine, moment: Moment = NOW) -> list[dict[str, Any]]:
    """Returns one row per product: loans, enterprises, money flows, NPL, each party's burden."""
    with engine.connect() as connection:
        rows = sorted(rows_at(connection, products, moment), key=lambda row: row["product"])
        _with_npl(connection, products, moment, rows)
        enterprises = _enterprises(connection, moment)
        parties = rows_at(connection, product_parties, moment)
    by_product: dict[str, list[dict[str, Any]]] = {}
    for party in sorted(parties, key=lambda row: (row["product"], row["party"])):
        by_product.setdefault(party["product"], []).append(party)
    for row in rows:
        row["enterprises"] = enterprises.get(row["product"], 0)
        own = by_product.get(row["product"], [])
        row["burden_fen"] = {p["party"]: p["burden_fen"] for p in own}
        row["compensation_paid_fen"] = {p["party"]: p["compensation_paid_fen"] for p in own}
        row["recovery_share_fen"] = {p["party"]: p["recovery_share_fen"] for p in own}
        _with_ratios(row)
    return rows


def party_statistics(engine: Engine, moment: Moment = NOW) -> list[dict[str, Any]]:
    """Returns, per product and party, its burdens, the legs it paid and received, its
    recovery shares and its net loss (burden less recovery shares)."""
    with engine.connect() as connection:
        rows = rows_at(connection, product_parties, moment)
    for row in rows:
        row["net_loss_fen"] = row["burden_fen"] - row["recovery_share_fen"]
    return sorted(rows, key=lambda row: (row["product"], row["party"]))


def period_of(day: date, period: str) -> tuple[str, date]:
    """Returns the label of the month, quarter or year holding `day`, and its last day."""
    if period == "year":
        return f"{day.year}", date(day.year, 12, 31)
    month = day.month if period == "month" else ((day.month - 1) // 3 + 1) * 3
    last = date(day.year + month // 12, month % 12 + 1, 1).toordinal() - 1
    label = f"{day.year}-{day.month:02d}" if period == "month" else f"{day.year}Q{month // 3}"
    return label, date.fromordinal(last)


def period_statistics(
    engine: Engine,
    period: str = "month",
    moment: Moment = NOW,
    product: str | None = None,
    bank: str | None = None,
) -> list[dict[str, Any]]:
    """Returns one row per product × bank × period: the period's flows, the stocks at its
    end, the NPL ratio then and the compensation rate to then (approved ÷ registered)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    with engine.connect() as connection:
        changes = ordered_by_date(connection, product_banks, moment)
        ends = sorted({period_of(day, period)[1] for _, _, day, _ in changes})
        npl = npl_at(connection, moment, ends)
    rows = []
    for key, label, end, totals, before in _cumulate(changes, period):
        book_product, book_bank = _decode(key)
        if (product and book_product != product) or (bank and book_bank != bank):
            continue
        row: dict[str, Any] = {"product": book_product, "bank": book_bank, "period": label}
        row["period_end"] = end.isoformat()
        row.update({name: totals.get(name, 0) - before.get(name, 0) for name in FLOWS})
        row["outstanding_fen"] = totals.get("outstanding_fen", 0)
        row["npl_loans"], row["npl_fen"] = npl[end].get((book_product, book_bank), (0, 0))
        row["npl_ratio_bps"] = ratio_bps(row["npl_fen"], row["outstanding_fen"])
        row["compensation_rate_bps"] = ratio_bps(
            totals.get("approved_fen", 0), totals.get("registered_fen", 0)
        )
        if row["outstanding_fen"] or any(row[name] for name in FLOWS):
            rows.append(row)
    return sorted(rows, key=lambda row: (row["product"], row["bank"], row["period_end"]))


def _decode(key: str) -> tuple[str, str]:
    product, bank = json.loads(key)
    return product, bank


def _cumulate(
    changes: list[tuple[str, str, date, int]], period: str
) -> Iterator[tuple[str, str, date, dict[str, int], dict[str, int]]]:
    """Yields, for each book and each period from its first change, the running totals at
    the period's end and at the previous period's end."""
    running: dict[str, dict[str, int]] = {}
    closed: dict[str, dict[str, int]] = {}
    current: tuple[str, date] | None = None
    for key, column, day, delta in [*changes, ("", "", date.max, 0)]:
        label_end = period_of(day, period) if day != date.max else ("", date.max)
        if current is not None and label_end != current:
            for book, totals in running.items():
                yield book, current[0], current[1], dict(totals), closed.get(book, {})
                closed[book] = dict(totals)
        current = label_end
        if key:
            totals = running.setdefault(key, {})
            totals[column] = totals.get(column, 0) + delta


def loan_book(
    engine: Engine,
    moment: Moment = NOW,
    *,
    product: str | None = None,
    bank: str | None = None,
    enterprise: str | None = None,
) -> list[dict[str, Any]]:
    """Returns one row per loan: its state, class, principal, outstanding and days past due
    (as last classified), at `moment`."""
    with engine.connect() as connection:
        rows = rows_at(connection, loans, moment)
        states = classes = None
        if not moment.is_now:
            states = _last_changes(connection, moment, "state")
            classes = _last_changes(connection, moment, "class")
    book = []
    for row in rows:
        if (product and row["product"] != product) or (bank and row["bank"] != bank):
            continue
        if enterprise and row["enterprise"] != enterprise:
            continue
        if states is not None and classes is not None:
            row["state"] = states[row["loan_id"]]["value"]
            changed = classes.get(row["loan_id"])
            row["class"] = changed["value"] if changed else "normal"
            row["days_past_due"] = changed["days_past_due"] if changed else 0
        book.append(
            {
                "bank": row["bank"],
                "loan": row["reference"],
                "product": row["product"],
                "enterprise": row["enterprise"],
                "state": row["state"],
                "class": row["class"],
                "principal_fen": row["principal_fen"],
                "disbursed_fen": row["disbursed_fen"],
                "repaid_fen": row["repaid_fen"],
                "written_off_fen": row["written_off_fen"],
                "outstanding_fen": row["disbursed_fen"]
                - row["repaid_fen"]
                - row["written_off_fen"],
                "interest_fen": row["interest_fen"],
                "days_past_due": row["days_past_due"],
                "registered_on": row["registered_on"].isoformat() if row["registered_on"] else None,
            }
        )
    return sorted(book, key=lambda row: (row["bank"], row["loan"]))
