"""One loan's history: every event of the loan, its guarantee, its policy and its claims.

Events are read from the event store (upcast like any other read), never from the read
models, so the history is what was recorded, whatever state the projections are in. They
are ordered by their notification position, the ledger's one global order: SQLite's rowid
or PostgreSQL's notification_id, looked up for just these aggregates in one indexed query.
A recorder that offers no such look-up (the in-memory one of some tests) gets the order of
(recorded timestamp, version) and no positions, rather than a scan of the whole
notification log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.enterprise import Enterprise
from domain.errors import NotFound
from domain.ids import enterprise_id, guarantee_id, loan_id, policy_id
from domain.loan import Loan
from domain.money import format_yuan

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresApplicationRecorder

HISTORY_FIELDS = (
    "position",
    "aggregate",
    "version",
    "event",
    "effective_date",
    "recorded_at",
    "institution",
    "operator",
    "channel",
    "summary",
)
FEN = "_fen"


def loan_history(app: Application[UUID], bank: str, reference: str) -> list[dict[str, Any]]:
    """Returns one row per event of the loan and its cover and claims, in recorded order."""
    loan = loan_id(bank, reference)
    loan_events = list(app.events.get(loan))
    if not loan_events:
        raise NotFound("--loan", f"no loan {reference!r} of bank {bank!r}")
    return _history(app, _loan_kinds(loan, loan_events), {loan: loan_events})


def enterprise_history(app: Application[UUID], uscc: str) -> list[dict[str, Any]]:
    """Returns one row per event of the enterprise and of every loan it took (with their
    cover and claims), in recorded order."""
    enterprise = enterprise_id(uscc)
    events = list(app.events.get(enterprise))
    if not events:
        raise NotFound("--enterprise", f"no enterprise {uscc!r}")
    kinds: dict[UUID, str] = {enterprise: "enterprise"}
    loaded: dict[UUID, list[CanMutateAggregate[UUID]]] = {enterprise: events}
    for domain_event in events:
        if isinstance(domain_event, Enterprise.LoanTaken):
            loan_events = list(app.events.get(domain_event.loan))
            loaded[domain_event.loan] = loan_events
            kinds.update(_loan_kinds(domain_event.loan, loan_events))
    return _history(app, kinds, loaded)


def _loan_kinds(loan: UUID, loan_events: list[CanMutateAggregate[UUID]]) -> dict[UUID, str]:
    """Names the aggregates of a loan's history: the loan, its guarantee, policy and claims."""
    kinds: dict[UUID, str] = {loan: "loan", guarantee_id(loan): "guarantee"}
    kinds[policy_id(loan)] = "policy"
    for domain_event in loan_events:
        if isinstance(domain_event, Loan.ClaimOpened):
            kinds[domain_event.claim] = "claim"
    return kinds


def _history(
    app: Application[UUID],
    kinds: dict[UUID, str],
    loaded: dict[UUID, list[CanMutateAggregate[UUID]]],
) -> list[dict[str, Any]]:
    found = [
        (kind, domain_event)
        for aggregate_id, kind in kinds.items()
        for domain_event in (
            loaded[aggregate_id] if aggregate_id in loaded else app.events.get(aggregate_id)
        )
    ]
    positions = _positions(app, list(kinds))
    rows = [_row(kind, domain_event, positions) for kind, domain_event in found]
    if positions:
        rows.sort(key=lambda row: row["position"])
    else:
        rows.sort(key=lambda row: (row["recorded_at"], row["version"]))
    return rows


def _positions(app: Application[UUID], aggregate_ids: list[UUID]) -> dict[tuple[UUID, int], int]:
    """The notification position of every event of these aggregates; empty when not knowable."""
    recorder = app.recorder
    if not isinstance(recorder, SQLiteApplicationRecorder):
        # Loaded only for a PostgreSQL ledger: the driver takes a while to import.
        from eventsourcing.postgres import PostgresApplicationRecorder

        if isinstance(recorder, PostgresApplicationRecorder):
            return _postgres_positions(recorder, aggregate_ids)
        return {}
    marks = ",".join("?" * len(aggregate_ids))
    statement = (
        f"SELECT rowid, originator_id, originator_version FROM {recorder.events_table_name} "
        f"WHERE originator_id IN ({marks})"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [aggregate_id.hex for aggregate_id in aggregate_ids])
        return {
            (
                recorder.convert_originator_id(found["originator_id"]),
                found["originator_version"],
            ): found["rowid"]
            for found in cursor.fetchall()
        }


def _postgres_positions(
    recorder: PostgresApplicationRecorder, aggregate_ids: list[UUID]
) -> dict[tuple[UUID, int], int]:
    from psycopg.sql import SQL, Identifier

    # PostgreSQL numbers the notification log in its notification_id column.
    statement = SQL(
        "SELECT notification_id, originator_id, originator_version FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s)"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (aggregate_ids,))
        return {
            (UUID(str(found["originator_id"])), found["originator_version"]): found[
                "notification_id"
            ]
            for found in cursor.fetchall()
        }


def _row(
    kind: str, domain_event: CanMutateAggregate[UUID], positions: dict[tuple[UUID, int], int]
) -> dict[str, Any]:
    actor = getattr(domain_event, "actor", None)
    effective = getattr(domain_event, "effective_date", None)
    key = (domain_event.originator_id, domain_event.originator_version)
    return {
        "position": positions.get(key),
        "aggregate": kind,
        "version": domain_event.originator_version,
        "event": type(domain_event).__name__,
        "effective_date": effective.isoformat() if effective is not None else None,
        "recorded_at": domain_event.timestamp.isoformat(),
        "institution": getattr(actor, "institution", None),
        "operator": getattr(actor, "operator", None),
        "channel": getattr(actor, "channel", None),
        "summary": money_summary(vars(domain_event)),
    }


def money_summary(fields: dict[str, Any]) -> str:
    """Returns the event's money fields in yuan (and a leg's payer → payee), `; `-separated."""
    parts = []
    if isinstance(fields.get("payer"), str) and isinstance(fields.get("payee"), str):
        parts.append(f"{fields['payer']} → {fields['payee']}")
    for name, value in fields.items():
        if name.endswith(FEN) and isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{name.removesuffix(FEN)} {format_yuan(value)}")
        elif _is_fen_by_party(value):
            shares = ", ".join(f"{party} {format_yuan(fen)}" for party, fen in value.items())
            parts.append(f"{name} {shares}")
    return "; ".join(parts)


def _is_fen_by_party(value: Any) -> bool:
    # Burdens, legs and recovery shares are fen keyed by party; a dict of payees is not money.
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(fen, int) and not isinstance(fen, bool) for fen in value.values())
    )
