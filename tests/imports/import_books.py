"""What the import tests share: the two example programmes of the README's "Importing loan
books", the command line on one test's database, and loan books read and written plainly.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shlex
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from typer.testing import CliRunner, Result

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "import"
PRODUCTS = ROOT / "examples" / "products"
CN_MAPPING = EXAMPLES / "cn_bank_mapping.toml"
SBA_MAPPING = EXAMPLES / "sba_7a_mapping.toml"
CN_BOOK = EXAMPLES / "cn_bank_loans.csv"
SBA_BOOK = EXAMPLES / "sba_7a_loans.csv"
SETTINGS_VARIABLES = ("RISKLEDGER_DB", "RISKLEDGER_AS", "RISKLEDGER_OPERATOR", "RISKLEDGER_DEBUG")

CN_PROGRAMME = [
    "institution add SZ-KJJ --kind operator --name 苏州市科学技术局 --region 苏州",
    "institution add SZ-CZJ --kind pool_owner --name 苏州市财政局 --level city",
    "institution add ICBC-SZ --kind bank --name 工商银行苏州分行",
    f"product define --file {shlex.quote(str(PRODUCTS / 'kejidai.toml'))}",
    "pool open SZ-POOL --name 苏州市风险补偿资金池 --owner SZ-CZJ --level city --product KJD",
    "pool fund SZ-POOL 5000万 --funder SZ-CZJ --ref SZ-2024-01 --date 2024-01-02",
]
SBA_PROGRAMME = [
    'institution add SBA-OCA --kind operator --name "SBA Office of Capital Access"',
    'institution add SBA --kind guarantor --name "U.S. Small Business Administration"',
    'institution add US-BOA --kind bank --name "Bank of America"',
    'institution add US-WFB --kind bank --name "Wells Fargo Bank"',
    'institution add US-JPM --kind bank --name "JPMorgan Chase Bank"',
    f"product define --file {shlex.quote(str(PRODUCTS / 'sba_7a.toml'))}",
]
CN_IMPORT = f"--mapping {shlex.quote(str(CN_MAPPING))} --bank ICBC-SZ --product KJD"
SBA_IMPORT = f"--mapping {shlex.quote(str(SBA_MAPPING))}"


@dataclass
class Ledger:
    """The command line on one SQLite file, as the programme's fund manager."""

    db: Path
    manager: str
    runner: CliRunner

    def __call__(self, command: str) -> Result:
        argv = ["--db", str(self.db), "--operator", "pytest-clerk", "--as", self.manager]
        return self.runner.invoke(
            app, [*argv, *shlex.split(command)], env=dict.fromkeys(SETTINGS_VARIABLES)
        )

    def ok(self, command: str) -> Result:
        result = self(command)
        assert result.exit_code == 0, f"`{command}` exited {result.exit_code}: {result.output}"
        return result

    def event_count(self) -> int:
        with closing(sqlite3.connect(self.db)) as connection:
            (count,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
        return count

    def report(self, which: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads(self.ok(f"report {which} --format json").stdout)
        return rows

    def stored_events(self) -> list[tuple[str, int, str, dict[str, Any]]]:
        """Every event as (aggregate, version, topic, state without the recorded time)."""
        with closing(sqlite3.connect(self.db)) as connection:
            found = connection.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events "
                "ORDER BY rowid"
            ).fetchall()
        events = []
        for originator, version, topic, state in found:
            body = json.loads(state)
            body.pop("timestamp", None)
            events.append((originator, version, topic, body))
        return events


def make_ledger_at(tmp_path: Path, name: str, manager: str, setup: list[str]) -> Ledger:
    ledger = Ledger(tmp_path / f"{name}.db", manager, CliRunner())
    for command in setup:
        ledger.ok(command)
    return ledger


def read_book(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV loan book, read with nothing but the csv module."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write_book(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def sample_generator() -> ModuleType:
    """examples/import/generate.py, loaded as a module."""
    name = "import_sample_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def generated_book(folder: Path, layout: str, loans: int) -> Path:
    """A CSV book of `loans` loans in a layout ("cn" or "sba"), written by the generator."""
    generator = sample_generator()
    generator.write(layout, loans, folder, formats="csv")
    name: str = generator.LAYOUTS[layout][0]
    return folder / f"{name}.csv"
