"""One place for the settings the application is built from."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ledger.database import PoolSettings, PostgresDatabase, is_url

DEFAULT_DB = "riskledger.db"
# Business dates are the programme's: a Suzhou clerk's "today", whatever the server's zone.
TIMEZONE = ZoneInfo("Asia/Shanghai")


def business_today() -> date:
    """Today's business date in the programme's time zone."""
    return datetime.now(TIMEZONE).date()


def _default_operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Settings:
    """Where the ledger lives and who is operating it."""

    db: str = DEFAULT_DB
    operator: str = field(default_factory=_default_operator)

    @classmethod
    def from_env(cls, db: str | None = None, operator: str | None = None) -> Settings:
        """Returns settings from explicit values, else RISKLEDGER_DB / RISKLEDGER_OPERATOR."""
        return cls(
            db=db or os.environ.get("RISKLEDGER_DB") or DEFAULT_DB,
            operator=operator or os.environ.get("RISKLEDGER_OPERATOR") or _default_operator(),
        )

    @property
    def sqlite_path(self) -> Path:
        return Path(self.db).expanduser()

    @property
    def postgres(self) -> PostgresDatabase | None:
        """The PostgreSQL database `db` names, or None when it is a SQLite file path.

        Any other URL (mysql://, sqlite:///…) is refused rather than taken for a file name.
        """
        return PostgresDatabase.from_url(self.db) if is_url(self.db) else None

    def event_store_env(self) -> dict[str, str]:
        """The `eventsourcing` environment for the event store."""
        postgres = self.postgres
        if postgres is not None:
            return postgres.event_store_env()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": "y",
        }

    def read_model_url(self) -> str:
        """The SQLAlchemy URL of the read models (the same database as the events)."""
        postgres = self.postgres
        if postgres is not None:
            return postgres.sqlalchemy_url().render_as_string(hide_password=False)
        return f"sqlite:///{self.sqlite_path}"

    def read_model_options(self) -> dict[str, Any]:
        """create_engine() options for the read models: PostgreSQL's pool settings, if any."""
        return {} if self.postgres is None else PoolSettings.from_environ().engine_options()
