"""Where the read models stand: position, lag, schema and how many rows each table holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from projections.runner import NAME, ReadModels, schema_fingerprint
from projections.schema import metadata, schema, tracking

# The bookkeeping tables say where the read models stand; they are not read models.
BOOKKEEPING = (schema.name, tracking.name)


def read_model_status(models: ReadModels) -> dict[str, Any]:
    """Returns the projection's name, position, the ledger's last event, lag, schema, row counts.

    Reads only: the read models are not caught up first, so the lag shows what a report
    would still have to fold.
    """
    last_event = models.app.recorder.max_notification_id() or 0
    position = models.position()
    with models.engine.connect() as connection:
        tables = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }
    return {
        "projection": NAME,
        "position": position,
        "last_event": last_event,
        "lag": last_event - position,
        "schema": schema_fingerprint(),
        "tables": tables,
    }
