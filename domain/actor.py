"""Who caused an event: the institution, the person or credential, and the channel."""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("cli", "api", "import", "scheduler", "demo")


@dataclass(frozen=True, slots=True)
class Actor:
    """The cause recorded on every event (DESIGN §3)."""

    institution: str
    operator: str
    channel: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")

    def __str__(self) -> str:
        return f"{self.operator}@{self.institution} via {self.channel}"
