"""How domain values that JSON lacks are stored in events and in snapshots.

Events carry plain values, dates and actors. A snapshot holds an aggregate's attributes as
they are, so the small records the aggregates keep (a queued leg, a breaker decision, a
product's terms version, the references already acted on) have a transcoding each here;
`snapshot_transcodings` lists them all, and RiskLedger registers them.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.actor import Actor
from domain.corrections import LegReversal, Reversal, Reversals
from domain.enterprise import Blacklisting, Qualification
from domain.pool import QueuedLeg
from domain.product import Breaker
from domain.references import References
from domain.repayment import Allocation, Repayment
from domain.schedule import Draw
from domain.terms import ProductTerms


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


class RecordAsDict(Transcoding):
    """A flat frozen record, whose fields are plain values, dates or ids, as a dict of them."""

    def __init__(self, record_type: type, name: str) -> None:
        self.type = record_type
        self.name = name

    def encode(self, obj: Any) -> dict[str, Any]:
        return {field.name: getattr(obj, field.name) for field in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class TermsAsRecord(Transcoding):
    """A product's terms version as the record its Defined or TermsRevised event stored."""

    type = ProductTerms
    name = "product_terms"

    def encode(self, obj: ProductTerms) -> dict[str, Any]:
        return obj.to_record()

    def decode(self, data: dict[str, Any]) -> ProductTerms:
        return ProductTerms.from_record(data)


class ReferencesAsDict(Transcoding):
    """The references an aggregate acted on, each with its content's fingerprint (R14)."""

    type = References
    name = "references"

    def encode(self, obj: References) -> dict[str, str]:
        return obj.fingerprints()

    def decode(self, data: dict[str, str]) -> References:
        return References.of(data)


class ReversalsAsDict(Transcoding):
    """The money events an aggregate reversed, by the reference each was recorded under."""

    type = Reversals
    name = "reversals"

    def encode(self, obj: Reversals) -> dict[str, Reversal]:
        return obj.done()

    def decode(self, data: dict[str, Reversal]) -> Reversals:
        return Reversals.of(data)


def snapshot_transcodings() -> list[Transcoding]:
    """Returns a transcoding for every kind of value an aggregate keeps beyond plain data."""
    records = {
        "reversal": Reversal,
        "leg_reversal": LegReversal,
        "qualification": Qualification,
        "blacklisting": Blacklisting,
        "queued_leg": QueuedLeg,
        "breaker": Breaker,
        "repayment": Repayment,
        "allocation": Allocation,
        "draw": Draw,
    }
    return [
        *(RecordAsDict(record, name) for name, record in records.items()),
        TermsAsRecord(),
        ReferencesAsDict(),
        ReversalsAsDict(),
    ]
