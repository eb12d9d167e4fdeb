"""The stores a benchmark ledger lives in: a SQLite file, or a PostgreSQL database made
for the run and dropped after it; and a ledger opened on either."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ledger.app import RiskLedger
from ledger.database import PostgresDatabase
from ledger.settings import Settings
from projections.runner import ReadModels, open_engine

SQLITE, POSTGRES = "sqlite", "postgres"
DEFAULT_POSTGRES_ADMIN = os.environ.get(
    "RISKLEDGER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


class PostgresServer:
    """The server the PostgreSQL ledger is made on: one database per run, dropped after."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.admin = PostgresDatabase.from_url(admin_url)

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(**self.admin.connect_kwargs(), autocommit=True, connect_timeout=5)

    def version(self) -> str:
        with closing(self._connect()) as connection:
            found = connection.execute("SHOW server_version").fetchone()
        return str(found[0]) if found else "unknown"

    @contextmanager
    def database(self) -> Iterator[str]:
        """Yields the URL of a new, empty database; drops it afterwards."""
        from psycopg import sql

        name = f"riskledger_bench_{os.getpid()}"
        with closing(self._connect()) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = make_url(self.admin_url).set(drivername="postgresql", database=name)
            yield url.render_as_string(hide_password=False)
        finally:
            with closing(self._connect()) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@dataclass
class Ledger:
    """An open ledger: the application, its read-model engine and runner."""

    db: str
    settings: Settings
    app: RiskLedger
    engine: Engine
    read_models: ReadModels

    @classmethod
    def open(cls, db: str) -> Ledger:
        settings = Settings(db=db, operator="bench")
        app = RiskLedger(settings)
        engine = open_engine(settings.read_model_url(), settings.read_model_options())
        return cls(db, settings, app, engine, ReadModels(app, engine))

    def close(self) -> None:
        self.engine.dispose()
        self.app.close()


# -- measuring -------------------------------------------------------------------------------
