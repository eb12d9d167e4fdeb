"""Callers' references (R14): the same content again is a no-op, other content a conflict."""

from __future__ import annotations

from typing import Any

from domain.errors import Conflict, InvalidInput


def fingerprint(*content: Any) -> str:
    """Returns a stable text form of a command's content, to compare repeats by."""
    return repr(content)


class References:
    """The references an aggregate has already acted on, with their content's fingerprint."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def is_repeat(self, ref: str, *content: Any) -> bool:
        """True when `ref` was used with this content before; Conflict when with other content."""
        if not ref or not ref.strip():
            raise InvalidInput("ref", "a reference is required for every money command")
        seen = self._seen.get(ref)
        if seen is None:
            return False
        if seen != fingerprint(*content):
            raise Conflict("ref", f"{ref!r} was already used with different content")
        return True

    def remember(self, ref: str, *content: Any) -> None:
        self._seen[ref] = fingerprint(*content)

    def fingerprints(self) -> dict[str, str]:
        """Returns each reference with its content's fingerprint, as plain text."""
        return dict(self._seen)

    @classmethod
    def of(cls, fingerprints: dict[str, str]) -> References:
        """Returns the references `fingerprints` gave (a snapshot's)."""
        references = cls()
        references._seen.update(fingerprints)
        return references

    def __eq__(self, other: object) -> bool:
        return isinstance(other, References) and self._seen == other._seen

    def __len__(self) -> int:
        return len(self._seen)
