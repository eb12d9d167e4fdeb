"""Fixtures that drive `riskledger` through its command line, as a clerk would type it.

Every invocation names its database with `--db` and its fund manager with `--as`, and runs
with the RISKLEDGER_* variables removed, so nothing from the shell that started pytest (a
developer's own `RISKLEDGER_DB=/tmp/c.db`, say) can reach a test, and no test can write to
the developer's ledger. The surrounding environment is filled with decoys to prove it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from backends import SERVER, RawEvents, backend_of
from typer.testing import CliRunner, Result

from cli.main import app

SUKEDAI_TERMS = Path(__file__).resolve().parent / "terms" / "sukedai_plain.toml"

FUND_MANAGER = "SZ-KJJ"
OPERATOR = "pytest-clerk"
SETTINGS_VARIABLES = ("RISKLEDGER_DB", "RISKLEDGER_AS", "RISKLEDGER_OPERATOR", "RISKLEDGER_DEBUG")
DECOY_MANAGER = "DECOY-KJJ"
STORE_DECOYS = {
    "RISKLEDGER_PERSISTENCE_MODULE": "eventsourcing.popo",
    "RISKLEDGER_SQLITE_DBNAME": ":memory:",
    "POSTGRES_DBNAME": "decoy_database",
    "POSTGRES_HOST": "decoy.invalid",
    "RISKLEDGER_POSTGRES_DBNAME": "decoy_database",
    "RISKLEDGER_POSTGRES_HOST": "decoy.invalid",
}
DEFAULT_DB_NAME = "riskledger.db"

# The programme of the manual session: operator, pool owners, bank, 苏科贷, two funded pools
# and one borrower. Each command with a line its output must contain.
PROGRAMME: list[tuple[str, str]] = [
    (
        "institution add SZ-KJJ --kind operator --name 苏州市科学技术局 --region 苏州",
        "institution SZ-KJJ registered (operator)",
    ),
    (
        "institution add JS-CZT --kind pool_owner --name 江苏省财政厅 --level province",
        "institution JS-CZT registered (pool_owner)",
    ),
    (
        "institution add SZ-CZJ --kind pool_owner --name 苏州市财政局 --level city",
        "institution SZ-CZJ registered (pool_owner)",
    ),
    (
        "institution add ICBC-SZ --kind bank --name 工商银行苏州分行",
        "institution ICBC-SZ registered (bank)",
    ),
    (
        f"product define --file {shlex.quote(str(SUKEDAI_TERMS))}",
        "product SKD defined (effective from 2024-01-01)",
    ),
    (
        "pool open JS-POOL --name 江苏省池 --owner JS-CZT --level province --product SKD",
        "pool JS-POOL open (province; covers SKD)",
    ),
    (
        "pool open SZ-POOL --name 苏州市池 --owner SZ-CZJ --level city --product SKD",
        "pool SZ-POOL open (city; covers SKD)",
    ),
    (
        "pool fund JS-POOL 5000万 --funder JS-CZT --ref JS-2024-01 --date 2024-01-05",
        "pool JS-POOL funded with 50,000,000.00 (JS-2024-01)",
    ),
    (
        "pool fund SZ-POOL 5000万 --funder SZ-CZJ --ref SZ-2024-01 --date 2024-01-05",
        "pool SZ-POOL funded with 50,000,000.00 (SZ-2024-01)",
    ),
    (
        "enterprise add 91320505MA1ABCDE09 --name 苏州某某科技有限公司",
        "enterprise 91320505MA1ABCDE09 registered",
    ),
]

REGISTER_L001 = (
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01 --first-loan"
)

# The loan of the manual session, from registration to the last recovery shared back.
LOAN_LIFECYCLE: list[tuple[str, str]] = [
    (REGISTER_L001, "loan ICBC-SZ/L001 registered: 3,000,000.00 under SKD"),
    (
        "loan disburse --bank ICBC-SZ --loan L001 --amount 300万 --ref D1 --date 2024-02-01",
        "loan ICBC-SZ/L001: disbursed 3,000,000.00",
    ),
    (
        "loan repay --bank ICBC-SZ --loan L001 --principal 100万 --interest 28,875.00 "
        "--ref R1 --date 2024-05-01",
        "loan ICBC-SZ/L001: repaid principal 1,000,000.00, interest 28,875.00; "
        "outstanding 2,000,000.00",
    ),
    (
        "loan default --bank ICBC-SZ --loan L001 --reason 逾期90天 --date 2024-11-01",
        "loan ICBC-SZ/L001 in default from 2024-11-01",
    ),
    (
        "claim file --bank ICBC-SZ --loan L001 --date 2024-11-10",
        "claim L001/claim on ICBC-SZ/L001 filed",
    ),
    (
        "claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20",
        "burdens: pool.province 700,000.00, pool.city 700,000.00, bank 600,000.00",
    ),
    (
        "claim pay --bank ICBC-SZ --loan L001 --date 2024-12-01",
        "legs paid on ICBC-SZ/L001: pool.province 700,000.00, pool.city 700,000.00",
    ),
    (
        "claim recover --bank ICBC-SZ --loan L001 --amount 33.33万 --ref REC-1 --date 2025-03-01",
        "recovery 333,300.00 shared back: pool.province 116,655.00, pool.city 116,655.00, "
        "bank 99,990.00",
    ),
]


def event_count(db_path: Path | str) -> int:
    """Returns how many events the ledger at `db_path` has stored, read straight from its store."""
    if backend_of(str(db_path)) == "sqlite":
        assert Path(db_path).exists(), f"{db_path} was never created"
    with RawEvents(str(db_path)) as events:
        assert events.exists(), f"no ledger was ever opened on {db_path}"
        return events.count()


def _fingerprint(path: Path) -> tuple[tuple[str, int, int] | None, ...]:
    """Size and modification time of a SQLite file and its journals; None where absent."""
    found: list[tuple[str, int, int] | None] = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            stat = candidate.stat()
            found.append((suffix, stat.st_size, stat.st_mtime_ns))
        else:
            found.append(None)
    return tuple(found)


# Captured before any fixture replaces it: the ledger of whoever started pytest, if any.
REAL_DB = os.environ.get("RISKLEDGER_DB")
REAL_DB_FINGERPRINT = _fingerprint(Path(REAL_DB)) if REAL_DB else None


@dataclass
class Riskledger:
    """The `riskledger` command line on one database, by default as the fund manager SZ-KJJ.

    `db_path` is what `--db` says: a SQLite file, or a PostgreSQL URL in the modules that run
    on both stores.
    """

    db_path: Path | str
    decoy_db: Path
    cwd: Path
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, command: str, *, acting_as: str | None = FUND_MANAGER) -> Result:
        """Runs one command line (without the program name) and checks nothing leaked."""
        argv = ["--db", str(self.db_path), "--operator", OPERATOR]
        if acting_as is not None:
            argv += ["--as", acting_as]
        argv += shlex.split(command)
        before = {name: os.environ.get(name) for name in SETTINGS_VARIABLES}
        result = self.runner.invoke(app, argv, env=dict.fromkeys(SETTINGS_VARIABLES))
        self._assert_nothing_leaked(before)
        return result

    def ok(self, command: str, *, acting_as: str | None = FUND_MANAGER) -> Result:
        """Runs a command that must succeed; a failure shows its output and exception."""
        result = self(command, acting_as=acting_as)
        assert result.exit_code == 0, (
            f"`riskledger {command}` exited {result.exit_code}:\n{result.output}\n"
            f"{result.exception!r}"
        )
        assert result.stderr == "", f"`riskledger {command}` wrote to stderr:\n{result.stderr}"
        return result

    def run_all(self, commands: list[tuple[str, str]] | list[str]) -> None:
        """Runs every command (with its expected output line, when given), each succeeding."""
        for step in commands:
            command, expected = step if isinstance(step, tuple) else (step, None)
            result = self.ok(command)
            if expected is not None:
                assert expected in result.stdout.splitlines(), (
                    f"`riskledger {command}` printed:\n{result.stdout}\nnot the line: {expected}"
                )

    def event_count(self) -> int:
        return event_count(self.db_path)

    def was_opened(self) -> bool:
        """Whether any command has opened a ledger on this store yet."""
        if backend_of(str(self.db_path)) == "sqlite":
            return Path(self.db_path).exists()
        with RawEvents(str(self.db_path)) as events:
            return events.exists()

    def _assert_nothing_leaked(self, before: dict[str, str | None]) -> None:
        after = {name: os.environ.get(name) for name in SETTINGS_VARIABLES}
        assert after == before, "the command line changed the environment it ran in"
        assert not self.decoy_db.exists(), "the database named by RISKLEDGER_DB was used"
        assert not (self.cwd / DEFAULT_DB_NAME).exists(), "the default ./riskledger.db was used"
        if REAL_DB is not None:
            assert _fingerprint(Path(REAL_DB)) == REAL_DB_FINGERPRINT, (
                f"the developer's own ledger {REAL_DB} was changed by a test"
            )


@pytest.fixture(autouse=True)
def environment_full_of_decoys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A shell like the manual session's (RISKLEDGER_DB and RISKLEDGER_AS exported), but decoys.

    The working directory is an empty one, so a command that fell back to the default
    ./riskledger.db would be caught too. Yields the decoy database path.
    """
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    # The decoy's folder exists, so a leaked RISKLEDGER_DB would create the file, not fail.
    decoy_db = tmp_path / "decoy" / "must-never-exist.db"
    decoy_db.parent.mkdir()
    monkeypatch.setenv("RISKLEDGER_DB", str(decoy_db))
    monkeypatch.setenv("RISKLEDGER_AS", DECOY_MANAGER)
    monkeypatch.setenv("RISKLEDGER_OPERATOR", "decoy-operator")
    # RISKLEDGER_DEBUG would turn one-line errors into tracebacks; it must not leak either.
    monkeypatch.setenv("RISKLEDGER_DEBUG", "1")
    # Only --db says where the ledger lives: eventsourcing's own variables, and the
    # RISKLEDGER_-prefixed forms it reads first, cannot move the events elsewhere.
    for name, value in STORE_DECOYS.items():
        monkeypatch.setenv(name, value)
    yield decoy_db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file for one test's ledger (created by its first command)."""
    return tmp_path / "ledger.db"


@pytest.fixture
def store(db_path: Path) -> Path | str:
    """The ledger's `--db`: a SQLite file, unless a module runs on both stores (`db_url`)."""
    return db_path


@pytest.fixture
def riskledger(store: Path | str, environment_full_of_decoys: Path) -> Riskledger:
    """The command line on an empty ledger."""
    return Riskledger(db_path=store, decoy_db=environment_full_of_decoys, cwd=Path.cwd())


# On PostgreSQL a test's starting ledger is a copy (CREATE DATABASE … TEMPLATE) of one that
# the same commands built, their output checked, once per run: running a dozen commands for
# each test would double what the PostgreSQL half of these tests costs.
_TEMPLATES: dict[str, str] = {}


def built_once(
    riskledger: Riskledger,
    stage: str,
    build: Callable[[Riskledger], None],
    *,
    on_top_of: str | None = None,
) -> Riskledger:
    """Runs `build` on the ledger; on PostgreSQL, copies the database it built the first time.

    `on_top_of` names the stage the ledger is already at (the template `build` starts from).
    """
    if backend_of(str(riskledger.db_path)) == "sqlite":
        build(riskledger)
        return riskledger
    if stage not in _TEMPLATES:
        template = (
            SERVER.create_database()
            if on_top_of is None
            else SERVER.copy_database(_TEMPLATES[on_top_of])
        )
        build(replace(riskledger, db_path=template))
        _TEMPLATES[stage] = template
    SERVER.replace_with_copy(str(riskledger.db_path), _TEMPLATES[stage])
    return riskledger


@pytest.fixture
def programme(riskledger: Riskledger) -> Riskledger:
    """The command line on a ledger holding the manual session's programme, set up by the CLI."""
    return built_once(riskledger, "programme", lambda ledger: ledger.run_all(PROGRAMME))


@pytest.fixture
def manual_session() -> list[tuple[str, str]]:
    """The whole manual session from an empty ledger: each command and a line it must print."""
    return PROGRAMME + LOAN_LIFECYCLE


@pytest.fixture
def recovered_programme(programme: Riskledger) -> Riskledger:
    """The programme after the loan's whole lifecycle, down to the recovery shared back."""
    return built_once(
        programme,
        "recovered",
        lambda ledger: ledger.run_all(LOAN_LIFECYCLE),
        on_top_of="programme",
    )
