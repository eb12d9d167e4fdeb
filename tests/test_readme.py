"""The README's walk-through runs as written: every command in it succeeds, in order."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parent.parent


def walkthrough() -> list[list[str]]:
    """The `riskledger` commands of the README's 'A programme from scratch' block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A programme from scratch", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the walk-through block is missing"
    text = block.group(1).replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("riskledger "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_the_walkthrough_has_the_whole_lifecycle():
    verbs = [" ".join(words[:2]) for words in walkthrough()]
    for needed in ("loan register", "close-day 2024-07-01", "claim approve", "claim recover"):
        assert any(verb.startswith(needed) for verb in verbs), needed


def test_every_walkthrough_command_succeeds_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the block names terms files relative to the repository
    for variable in ("RISKLEDGER_DB", "RISKLEDGER_AS", "RISKLEDGER_OPERATOR"):
        monkeypatch.delenv(variable, raising=False)
    runner = CliRunner()
    db = str(tmp_path / "programme.db")
    for words in walkthrough():
        result = runner.invoke(app, ["--db", db, "--as", "SZ-KJJ", *words])
        if result.exit_code != 0:
            pytest.fail(
                f"riskledger {shlex.join(words)} exited {result.exit_code}: {result.output}"
            )
