"""What every command shares: the ledger it talks to, who is acting, and how input is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import typer
from sqlalchemy import Engine

from domain.actor import Actor
from domain.errors import InvalidInput
from domain.money import parse_bps, parse_fen
from ledger.app import RiskLedger, Session
from ledger.settings import Settings, business_today
from projections.runner import ReadModels, open_engine


@dataclass
class Context:
    """The settings given on the command line, and the ledger built from them on first use."""

    settings: Settings
    acting_as: str | None = None
    _opened: list[RiskLedger] = field(default_factory=list)

    @cached_property
    def ledger(self) -> RiskLedger:
        ledger = RiskLedger(self.settings)
        self._opened.append(ledger)
        return ledger

    @cached_property
    def engine(self) -> Engine:
        return open_engine(self.settings.read_model_url(), self.settings.read_model_options())

    @cached_property
    def read_models(self) -> ReadModels:
        return ReadModels(self.ledger, self.engine)

    def close(self) -> None:
        for ledger in self._opened:
            ledger.close()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def actor(self, institution: str) -> Actor:
        """The actor for a command given by `institution` from this command line."""
        return Actor(institution, self.settings.operator, "cli")

    def manager(self, session: Session) -> Actor:
        """The acting fund manager, named by --as or RISKLEDGER_AS; must be an operator."""
        if not self.acting_as:
            raise InvalidInput(
                "--as", "name the acting fund manager with --as CODE (or RISKLEDGER_AS)"
            )
        session.institution(self.acting_as, "--as", kind="operator")
        return self.actor(self.acting_as)


def get_context(ctx: typer.Context) -> Context:
    context = ctx.find_root().obj
    assert isinstance(context, Context)
    return context


def parse_day(text: str | None, field: str = "date") -> date:
    """Returns the ISO date in `text`, or today in the programme's time zone when none is given."""
    if text is None:
        return business_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a date (write YYYY-MM-DD)") from None


def amount(text: str, field: str = "amount", *, allow_zero: bool = False) -> int:
    return parse_fen(text, field, allow_zero=allow_zero)


def rate(text: str, field: str = "rate") -> int:
    return parse_bps(text, field)
