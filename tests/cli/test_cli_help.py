"""Every part of the command line explains itself, and asking for help writes nothing."""

from __future__ import annotations

import pytest
import typer

from cli.main import app

SUB_APPS = {
    "institution": ["add"],
    "enterprise": ["add"],
    "product": ["define"],
    "pool": ["open", "fund"],
    "loan": ["register", "disburse", "repay", "default", "show"],
    "claim": ["file", "approve", "reject", "pay", "recover", "close-recovery"],
    "report": ["pools", "products"],
    "scheduler": ["run", "status"],
}


def _every_command() -> list[str]:
    """Every leaf command of `riskledger`, as the words a user types before --help."""
    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: object, words: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, [*words, name])
        else:
            found.append(" ".join(words))

    walk(root, [])
    return found


def test_riskledger_help_exits_zero_and_lists_every_sub_app(riskledger):
    result = riskledger("--help")

    assert result.exit_code == 0, result.output
    for name in [*SUB_APPS, "demo"]:
        assert name in result.stdout
    assert not riskledger.db_path.exists(), "help opened the ledger"


@pytest.mark.parametrize("sub_app", list(SUB_APPS))
def test_each_sub_app_help_exits_zero_and_lists_its_commands(riskledger, sub_app):
    result = riskledger(f"{sub_app} --help")

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    for command in SUB_APPS[sub_app]:
        assert command in result.stdout
    assert not riskledger.db_path.exists(), "help opened the ledger"


def test_every_command_help_exits_zero_without_opening_the_ledger(riskledger):
    commands = _every_command()
    assert len(commands) >= sum(len(names) for names in SUB_APPS.values()) + 1  # and demo

    for command in commands:
        result = riskledger(f"{command} --help")
        assert result.exit_code == 0, f"{command}: {result.output}"
        assert "Usage:" in result.stdout, command
    assert not riskledger.db_path.exists(), "help opened the ledger"
