"""Settings for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import BACKENDS, SERVER, PostgresServer, fresh_database_url, in_ci
from hypothesis import settings

# Property tests measure correctness, not speed: on a loaded 2-core CI machine a per-example
# deadline only produces flaky failures (speed is measured by bench/, never by tests).
settings.register_profile("riskledger", deadline=None)
settings.load_profile("riskledger")


# The stores every ledger, projection and command-line test can run on. `backend` is
# module-scoped so a module's expensive shared ledger (a built demo, a sealed history) is
# made once per store; `db_url` is an empty store for one test.
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test PostgreSQL server; outside CI the PostgreSQL tests skip when it is down."""
    reason = SERVER.unreachable()
    if reason is not None:
        if in_ci():
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    yield SERVER
    SERVER.drop_all()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else [])
        for name in BACKENDS
    ],
)
def backend(request: pytest.FixtureRequest) -> str:
    """The store a test runs on, SQLite then PostgreSQL: a test that uses it runs on both."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_server")
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A `--db` value naming an empty store of the test's backend, for this test alone."""
    with fresh_database_url(backend, tmp_path) as url:
        yield url
