"""`--db` names a SQLite file or a PostgreSQL database; a store that cannot be used is one line."""

from __future__ import annotations

from backends import PostgresServer
from conftest import Riskledger

from ledger.database import PostgresDatabase

REFUSED = 2


def test_a_url_of_another_database_kind_is_refused_in_one_line(riskledger: Riskledger) -> None:
    other = Riskledger(
        db_path="mysql://root@localhost/programme",
        decoy_db=riskledger.decoy_db,
        cwd=riskledger.cwd,
    )
    result = other("report pools")
    assert result.exit_code == REFUSED
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: --db: mysql:// is not supported; use postgresql:// or a SQLite path"
    ]


def test_a_missing_postgresql_database_is_named_in_one_line(
    riskledger: Riskledger, postgres_server: PostgresServer
) -> None:
    url = postgres_server.url("riskledger_test_never_created")
    missing = Riskledger(db_path=url, decoy_db=riskledger.decoy_db, cwd=riskledger.cwd)
    result = missing("institution add SZ-KJJ --kind operator --name 苏州市科学技术局")
    assert result.exit_code == REFUSED
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: --db: cannot connect to {PostgresDatabase.from_url(url).describe()}: "
        'FATAL: database "riskledger_test_never_created" does not exist'
    ]
