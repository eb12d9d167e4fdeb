"""Read models made by another version are dropped and refolded, never read in a stale shape."""

from __future__ import annotations

from sqlalchemy import select, update

from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import Settings
from projections.reports import pool_balances
from projections.runner import ReadModels, open_engine, schema_fingerprint
from projections.schema import schema


def test_tables_of_another_shape_are_rebuilt_and_refolded(db_url):
    ledger = RiskLedger(Settings(db=db_url))
    build_demo(ledger, seed=3, loans=40)
    models = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))
    models.catch_up()
    before = pool_balances(models.engine)
    with models.engine.begin() as connection:  # as if an older riskledger had made them
        connection.execute(update(schema).values(fingerprint="older-version"))

    reopened = ReadModels(ledger, open_engine(ledger.settings.read_model_url()))

    assert reopened.position() == 0
    with reopened.engine.connect() as connection:
        assert connection.execute(select(schema.c.fingerprint)).scalar() == schema_fingerprint()
    reopened.catch_up()
    assert pool_balances(reopened.engine) == before
    ledger.close()
