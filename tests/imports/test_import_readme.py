"""The README's import examples run as written, each on a ledger of its own."""

from __future__ import annotations

import re
import shlex

import pytest
from import_books import EXAMPLES, ROOT, SETTINGS_VARIABLES
from typer.testing import CliRunner

from cli.main import app


def _example_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importing loan books", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def test_the_readme_shows_both_examples():
    blocks = _example_blocks()
    assert len(blocks) == 2
    assert "cn_bank_loans.csv" in blocks[0] and "sba_7a_loans.csv" in blocks[1]


@pytest.mark.parametrize("number", [0, 1], ids=["cn-bank", "sba-7a"])
def test_every_command_of_a_readme_example_succeeds_in_order(number, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name their files relative to the repository
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    block = _example_blocks()[number]
    manager = re.search(r"RISKLEDGER_AS=(\S+)", block)
    assert manager is not None
    db = str(tmp_path / "example.db")
    runner = CliRunner()
    commands = [line for line in block.splitlines() if line.startswith("riskledger ")]
    assert any(" import loans " in command for command in commands)
    for command in commands:
        words = shlex.split(command)[1:]
        result = runner.invoke(app, ["--db", db, "--as", manager.group(1), *words])
        assert result.exit_code == 0, f"{command}: {result.output}"
    # The samples import cleanly: no error report is left beside them.
    assert not list(EXAMPLES.glob("*.errors.csv"))
