"""How domain values that JSON lacks are stored in events."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.actor import Actor


class DateAsISO(Transcoding):
    """Business dates as ISO text."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    """Who caused an event, as its three named parts."""

    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"institution": obj.institution, "operator": obj.operator, "channel": obj.channel}

    def decode(self, data: dict[str, Any]) -> Actor:
        return Actor(**data)
