"""Institutions taking part in a programme: pool owners, banks, guarantors, insurers, operators."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput
from domain.ids import institution_id

KINDS = (
    "pool_owner",
    "bank",
    "guarantor",
    "reguarantor",
    "insurer",
    "investor",
    "operator",
    "auditor",
)
LEVELS = ("province", "city", "county")


class Institution(Aggregate):
    """A bank, guarantor, insurer, government pool owner, operator or auditor."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return institution_id(code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        kind: str,
        name: str,
        region: str,
        level: str | None,
        effective_date: date,
        actor: Actor,
    ) -> Institution:
        """Returns a newly registered institution after checking its kind and level."""
        if not code.strip():
            raise InvalidInput("code", "an institution needs a code")
        if kind not in KINDS:
            raise InvalidInput("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        if not name.strip():
            raise InvalidInput("name", "an institution needs a name")
        if level is not None and level not in LEVELS:
            raise InvalidInput("level", f"{level!r} is not one of {', '.join(LEVELS)}")
        if kind == "pool_owner" and level is None:
            raise InvalidInput("level", "a government pool owner needs a level")
        return cls(
            code=code,
            kind=kind,
            name=name,
            region=region,
            level=level,
            effective_date=effective_date,
            actor=actor,
        )

    @event("Registered")
    def __init__(
        self,
        code: str,
        kind: str,
        name: str,
        region: str,
        level: str | None,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.code = code
        self.kind = kind
        self.name = name
        self.region = region
        self.level = level

    def same_registration(self, kind: str, name: str, region: str, level: str | None) -> bool:
        """True when a repeated registration carries exactly what was registered."""
        return (self.kind, self.name, self.region, self.level) == (kind, name, region, level)
