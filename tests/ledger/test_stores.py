"""One `--db` value chooses the store: a SQLite file, or a PostgreSQL database by URL."""

from __future__ import annotations

from datetime import date

import pytest
from backends import PostgresServer

from domain.actor import Actor
from domain.errors import InvalidInput
from ledger.app import RiskLedger
from ledger.database import POOL_DEFAULTS, PoolSettings, StoreUnavailable
from ledger.settings import Settings
from projections.runner import open_engine

MANAGER = Actor("KJJ", "alice", "cli")


def test_a_path_is_a_sqlite_file_holding_events_and_read_models():
    settings = Settings(db="/srv/ledger/programme.db")
    assert settings.postgres is None
    assert settings.event_store_env()["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert settings.event_store_env()["SQLITE_DBNAME"] == "/srv/ledger/programme.db"
    assert settings.read_model_url() == "sqlite:////srv/ledger/programme.db"
    assert settings.read_model_options() == {}


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgres"])
def test_a_postgresql_url_names_one_database_for_events_and_read_models(scheme):
    settings = Settings(db=f"{scheme}://ledger:s%40cret%3A1@db.example:6432/programme")
    env = settings.event_store_env()
    assert {key: env[key] for key in env if not key.startswith("POSTGRES_") or "NAME" in key} == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": "programme",
        "CREATE_TABLE": "y",
    }
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example", "6432")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("ledger", "s@cret:1")
    # The read models: the same database, through psycopg 3, the password kept intact.
    assert settings.read_model_url() == (
        "postgresql+psycopg://ledger:s%40cret%3A1@db.example:6432/programme"
    )


def test_what_the_url_leaves_out_is_left_to_libpq():
    env = Settings(db="postgresql:///programme").event_store_env()
    # Empty host and user: libpq's own defaults (the local socket, the OS user, PG* variables).
    assert (env["POSTGRES_HOST"], env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("", "", "")
    assert env["POSTGRES_PORT"] == "5432"


@pytest.mark.parametrize(
    ("db", "reason"),
    [
        ("mysql://root@localhost/programme", "mysql:// is not supported"),
        ("sqlite:///programme.db", "sqlite:// is not supported"),
        ("postgresql://localhost:5432", "name the database"),
        (
            "postgresql://localhost/programme?sslmode=require",
            r"URL parameters \(sslmode\) are not read",
        ),
    ],
)
def test_any_other_url_is_refused_naming_db(db, reason):
    with pytest.raises(InvalidInput, match=reason) as refused:
        Settings(db=db).event_store_env()
    assert refused.value.field == "--db"


def test_both_pools_take_the_same_settings_from_the_environment(monkeypatch):
    for name in POOL_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    defaults = PoolSettings.from_environ()
    assert (defaults.size, defaults.max_overflow, defaults.max_age_seconds) == (2, 8, 1800.0)
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "4")
    monkeypatch.setenv("POSTGRES_MAX_OVERFLOW", "0")
    monkeypatch.setenv("POSTGRES_CONN_MAX_AGE", "600")
    monkeypatch.setenv("POSTGRES_PRE_PING", "yes")
    settings = Settings(db="postgresql://localhost/programme")
    env = settings.event_store_env()
    assert (env["POSTGRES_POOL_SIZE"], env["POSTGRES_MAX_OVERFLOW"]) == ("4", "0")
    assert (env["POSTGRES_CONN_MAX_AGE"], env["POSTGRES_PRE_PING"]) == ("600.0", "y")
    options = settings.read_model_options()
    assert (options["pool_size"], options["max_overflow"]) == (4, 0)
    assert (options["pool_recycle"], options["pool_pre_ping"]) == (600, True)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("POSTGRES_POOL_SIZE", "many", "'many' is not a whole number"),
        ("POSTGRES_POOL_SIZE", "0", "below the least allowed, 1"),
        ("POSTGRES_PRE_PING", "perhaps", "'perhaps' is not yes or no"),
    ],
)
def test_a_bad_pool_setting_is_refused_naming_the_variable(monkeypatch, name, value, reason):
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=reason) as refused:
        Settings(db="postgresql://localhost/programme").event_store_env()
    assert refused.value.field == name


def test_a_missing_database_is_named_at_once(postgres_server: PostgresServer):
    missing = postgres_server.url("riskledger_test_no_such_database")
    with pytest.raises(StoreUnavailable, match="riskledger_test_no_such_database") as refused:
        RiskLedger(Settings(db=missing))
    assert refused.value.field == "--db"
    assert "does not exist" in refused.value.reason


def test_no_variable_in_the_shell_can_move_the_events_away_from_the_url(
    postgres_server: PostgresServer, monkeypatch
):
    # eventsourcing reads RISKLEDGER_<KEY> before <KEY>; neither may override the URL.
    monkeypatch.setenv("POSTGRES_DBNAME", "riskledger_test_decoy")
    monkeypatch.setenv("RISKLEDGER_POSTGRES_DBNAME", "riskledger_test_decoy")
    monkeypatch.setenv("RISKLEDGER_PERSISTENCE_MODULE", "eventsourcing.popo")
    url = postgres_server.create_database()
    try:
        ledger = RiskLedger(Settings(db=url))
        ledger.transact(
            lambda s: s.add_institution(
                code="KJJ",
                kind="operator",
                name="KJJ",
                region="苏州",
                level=None,
                effective_date=date(2024, 1, 2),
                actor=MANAGER,
            )
        )
        ledger.close()
        # A new ledger on the URL, not the memory of the first, finds the event.
        again = RiskLedger(Settings(db=url))
        assert again.event_count() == 1
        again.close()
    finally:
        postgres_server.drop_database(url)


def test_the_read_models_pool_is_sized_by_the_settings(
    postgres_server: PostgresServer, monkeypatch
):
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "3")
    monkeypatch.setenv("POSTGRES_MAX_OVERFLOW", "1")
    url = postgres_server.create_database()
    try:
        settings = Settings(db=url)
        engine = open_engine(settings.read_model_url(), settings.read_model_options())
        assert engine.dialect.driver == "psycopg"
        assert (engine.pool.size(), engine.pool._max_overflow) == (3, 1)  # type: ignore[attr-defined]
        engine.dispose()
    finally:
        postgres_server.drop_database(url)
