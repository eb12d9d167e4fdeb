"""Technology enterprises that borrow under a programme."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput
from domain.ids import enterprise_id
from domain.uscc import validate_uscc


class Enterprise(Aggregate):
    """An enterprise known by its unified social credit code."""

    @staticmethod
    def create_id(uscc: str) -> UUID:
        return enterprise_id(uscc)

    @classmethod
    def register(
        cls, *, uscc: str, name: str, region: str, effective_date: date, actor: Actor
    ) -> Enterprise:
        """Returns a newly registered enterprise after validating its USCC."""
        code = validate_uscc(uscc)
        if not name.strip():
            raise InvalidInput("name", "an enterprise needs a name")
        return cls(uscc=code, name=name, region=region, effective_date=effective_date, actor=actor)

    @event("Registered")
    def __init__(
        self, uscc: str, name: str, region: str, effective_date: date, actor: Actor
    ) -> None:
        self.uscc = uscc
        self.name = name
        self.region = region

    def same_registration(self, name: str, region: str) -> bool:
        """True when a repeated registration carries exactly what was registered."""
        return (self.name, self.region) == (name, region)
