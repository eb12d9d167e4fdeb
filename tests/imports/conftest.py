"""Fixtures of the import tests: the example programmes on fresh ledgers, no settings from
the shell."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from import_books import CN_PROGRAMME, SBA_PROGRAMME, SETTINGS_VARIABLES, Ledger, make_ledger_at
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def programmes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ledger]:
    """Each example programme set up once, by the command line, to be copied per test."""
    folder = tmp_path_factory.mktemp("programmes")
    return {
        "cn": make_ledger_at(folder, "cn", "SZ-KJJ", CN_PROGRAMME),
        "sba": make_ledger_at(folder, "sba", "SBA-OCA", SBA_PROGRAMME),
    }


def _copy(template: Ledger, folder: Path, name: str) -> Ledger:
    for suffix in ("", "-wal"):
        source = Path(f"{template.db}{suffix}")
        if source.exists():
            shutil.copyfile(source, folder / f"{name}.db{suffix}")
    return Ledger(folder / f"{name}.db", template.manager, CliRunner())


@pytest.fixture
def cn_ledger(programmes: dict[str, Ledger], tmp_path: Path) -> Ledger:
    """A ledger with 科技贷, its funded city pool and the bank ICBC-SZ: no loan yet."""
    return _copy(programmes["cn"], tmp_path, "cn")


@pytest.fixture
def sba_ledger(programmes: dict[str, Ledger], tmp_path: Path) -> Ledger:
    """A ledger with SBA 7(a), the SBA as guarantor and three lenders: no loan yet."""
    return _copy(programmes["sba"], tmp_path, "sba")


@pytest.fixture
def programme_copy(programmes: dict[str, Ledger], tmp_path: Path) -> Callable[[str, str], Ledger]:
    """Another copy of an example programme ("cn" or "sba") under a name of its own."""

    def copy(layout: str, name: str) -> Ledger:
        return _copy(programmes[layout], tmp_path, name)

    return copy


@pytest.fixture
def make_ledger(tmp_path: Path) -> Callable[[str, str, list[str]], Ledger]:
    """Makes another ledger in the test's folder: name, fund manager, setup commands."""

    def make(name: str, manager: str, setup: list[str]) -> Ledger:
        return make_ledger_at(tmp_path, name, manager, setup)

    return make
