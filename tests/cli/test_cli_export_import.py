"""`riskledger export events` and `import events`: a whole ledger moved to an empty database
reports, balances and verifies as it did, and exports again to the very same file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from backends import BACKENDS, fresh_database_url
from conftest import Riskledger

from ledger.app import RiskLedger
from ledger.demo import build_demo
from ledger.settings import TIMEZONE, Settings
from projections.chain import seal
from projections.runner import ReadModels, open_engine

REFUSED = 2
# What a clerk or an auditor reads; each must print the same on both databases.
READINGS = (
    "report pools --format json",
    "report products --format json",
    "audit trial-balance --format json",
    "audit verify",
)


@pytest.fixture(
    params=[
        pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else [])
        for name in BACKENDS
    ]
)
def copy(
    request: pytest.FixtureRequest, tmp_path: Path, environment_full_of_decoys: Path
) -> Iterator[Riskledger]:
    """The command line on a second, empty store: a SQLite file, then a PostgreSQL database
    (the SQLite -> PostgreSQL migration)."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_server")
    with fresh_database_url(request.param, tmp_path, "copy") as db:
        yield Riskledger(db_path=db, decoy_db=environment_full_of_decoys, cwd=Path.cwd())


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo ledger as `demo --seed 5 --loans 30` builds it: folded and sealed."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ledger = RiskLedger(Settings(db=str(path), operator="pytest-clerk"))
    engine = open_engine(ledger.settings.read_model_url())
    try:
        build_demo(ledger, seed=5, loans=30)
        ReadModels(ledger, engine).catch_up()
        seal(ledger, engine, datetime.now(TIMEZONE))
    finally:
        ledger.close()
        engine.dispose()
    return path


@pytest.fixture
def demo(riskledger: Riskledger, demo_db: Path) -> Riskledger:
    """The command line on a copy of the demo ledger (built once for the module)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{demo_db}{suffix}").exists():
            shutil.copyfile(f"{demo_db}{suffix}", f"{riskledger.db_path}{suffix}")
    return riskledger


def _refused(result, field: str = "FILE") -> str:
    assert result.exit_code == REFUSED, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {field}: "), lines[0]
    return lines[0]


def test_export_then_import_reproduces_reports_journal_chain_and_the_file(demo, copy, tmp_path):
    events = demo.event_count()
    file = tmp_path / "ledger.jsonl"
    exported = demo.ok(f"export events {file}").stdout.splitlines()
    assert exported[0] == f"exported {events} events (positions up to {events}) to {file}"
    head = re.fullmatch(
        rf"chain head ([0-9a-f]{{64}}); 1 seal\(s\), the last at position {events}", exported[1]
    )
    assert head is not None, exported[1]

    imported = copy.ok(f"import events {file}").stdout.splitlines()
    assert imported[:2] == [
        f"imported {events} events (positions up to {events}) from {file}",
        f"chain head {head.group(1)} matches; 1 seal(s) restored",
    ]
    assert copy.event_count() == events
    for reading in READINGS:
        assert copy.ok(reading).stdout == demo.ok(reading).stdout, reading
    assert copy.ok("audit verify").stdout.startswith(f"chain: ok: positions 1–{events} match")

    again = tmp_path / "again.jsonl"
    copy.ok(f"export events {again}")
    assert again.read_bytes() == file.read_bytes()


def test_import_into_a_ledger_that_holds_events_is_refused_and_writes_nothing(demo, tmp_path):
    file = tmp_path / "ledger.jsonl"
    demo.ok(f"export events {file}")
    before = demo.event_count()
    line = _refused(demo(f"import events {file}"))
    assert line == (
        f"error: FILE: the ledger already holds events (up to position {before}); "
        "import only into an empty database"
    )
    assert demo.event_count() == before


def test_a_truncated_or_changed_file_is_refused_and_the_empty_ledger_stays_empty(
    demo, copy, tmp_path
):
    file = tmp_path / "ledger.jsonl"
    demo.ok(f"export events {file}")
    data = file.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) // 2])
    assert _refused(copy(f"import events {cut}")).endswith("it is truncated")
    assert copy.event_count() == 0
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(data.replace(b'\\"amount_fen\\":', b'\\"amount_fen\\":1', 1))
    assert "sha256 does not match" in _refused(copy(f"import events {changed}"))
    assert copy.event_count() == 0
    missing = tmp_path / "missing.jsonl"
    assert _refused(copy(f"import events {missing}")) == f"error: FILE: {missing}: no such file"
    copy.ok(f"import events {file}")
    assert copy.event_count() == demo.event_count()


def test_export_never_overwrites_a_file_unless_asked(demo, tmp_path):
    file = tmp_path / "ledger.jsonl"
    file.write_text("keep me")
    line = _refused(demo(f"export events {file}"))
    assert line == f"error: FILE: {file} exists; name a new file or add --overwrite"
    assert file.read_text() == "keep me"
    demo.ok(f"export events {file} --overwrite")
    assert file.read_bytes().startswith(b'{"format":"riskledger-events"')
    assert not Path(f"{file}.partial").exists()


def test_an_empty_ledger_exports_and_imports_as_empty(riskledger, copy, tmp_path):
    file = tmp_path / "empty.jsonl"
    exported = riskledger.ok(f"export events {file}").stdout.splitlines()
    assert exported == [
        f"exported 0 events (positions up to 0) to {file}",
        f"chain head {'0' * 64}; no seals",
    ]
    copy.ok(f"import events {file}")
    assert copy.event_count() == 0
