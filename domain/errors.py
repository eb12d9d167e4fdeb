"""Domain errors. Each names the field it concerns and says why, in one line."""

from __future__ import annotations


class DomainError(Exception):
    """A refused command: `field` names the offending input, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidInput(DomainError):
    """The input cannot be read: a malformed amount, date, code or ratio."""


class NotFound(DomainError):
    """The input names something the ledger does not know."""


class RuleViolation(DomainError):
    """The input is well formed but a programme rule refuses it."""

    def __init__(self, rule: str, field: str, reason: str) -> None:
        super().__init__(field, f"{reason} ({rule})")
        self.rule = rule


class Conflict(DomainError):
    """The caller's reference was used before with different content (R14)."""


class InvalidTerms(DomainError):
    """A product terms file has problems; `problems` lists each with its key path."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first_key, first_reason = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first_key, first_reason + more)
