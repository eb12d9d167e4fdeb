"""One loan's history: every event of the loan, its guarantee, its policy and its claims.

Events are read from the event store (upcast like any other read), never from the read
models, so the history is what was recorded, whatever state the projections are in. They
are ordered by their notification position, the ledger's one global order: on SQLite that
position is looked up for just these aggregates in one indexed query. A recorder that
offers no such look-up (none is wired today) gets the order of (recorded timestamp,
version) and no positions, rather than a scan of the whole notification log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.errors import NotFound
from domain.ids import guarantee_id, loan_id, policy_id
from domain.loan import Loan
from domain.money import format_yuan

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
    kinds: dict[UUID, str] = {loan: "loan", guarantee_id(loan): "guarantee"}
    kinds[policy_id(loan)] = "policy"
    for domain_event in loan_events:
        if isinstance(domain_event, Loan.ClaimOpened):
            kinds[domain_event.claim] = "claim"
    found = [(kinds[loan], domain_event) for domain_event in loan_events]
    for aggregate_id, kind in kinds.items():
        if aggregate_id != loan:
            found += [(kind, domain_event) for domain_event in app.events.get(aggregate_id)]
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
