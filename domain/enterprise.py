"""Technology enterprises that borrow under a programme."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import enterprise_id
from domain.uscc import validate_uscc


@dataclass(frozen=True, slots=True)
class Qualification:
    """A recognition such as 高新技术企业, valid over a span of dates (to None: open-ended)."""

    name: str
    valid_from: date
    valid_to: date | None
    certificate: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Blacklisting:
    """A span on the blacklist (R1), from `since` until cleared on `until` (None: still on)."""

    since: date
    until: date | None
    reason: str


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
        self.qualifications: list[Qualification] = []
        self.blacklist: list[Blacklisting] = []
        self.loans: dict[str, list[UUID]] = {}

    def same_registration(self, name: str, region: str) -> bool:
        """True when a repeated registration carries exactly what was registered."""
        return (self.name, self.region) == (name, region)

    def grant_qualification(
        self,
        *,
        name: str,
        valid_from: date,
        valid_to: date | None,
        certificate: str,
        actor: Actor,
    ) -> bool:
        """Records a qualification (R1); False when the same grant was already recorded."""
        if not name.strip():
            raise InvalidInput("qualification", "a qualification needs a name")
        if valid_to is not None and valid_to < valid_from:
            raise InvalidInput("to", f"{valid_to} is before {valid_from}")
        granted = Qualification(name, valid_from, valid_to, certificate)
        if granted in self.qualifications:
            return False
        self._qualification_granted(
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            certificate=certificate,
            effective_date=valid_from,
            actor=actor,
        )
        return True

    @event("QualificationGranted")
    def _qualification_granted(
        self,
        name: str,
        valid_from: date,
        valid_to: date | None,
        certificate: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.qualifications.append(Qualification(name, valid_from, valid_to, certificate))

    def revoke_qualification(self, *, name: str, effective_date: date, actor: Actor) -> None:
        """Ends a qualification early (revoked or expired): it stops covering `effective_date`."""
        if not any(q.name == name and q.covers(effective_date) for q in self.qualifications):
            raise InvalidInput("qualification", f"{self.uscc} holds no {name} on {effective_date}")
        self._qualification_expired(name=name, effective_date=effective_date, actor=actor)

    @event("QualificationExpired")
    def _qualification_expired(self, name: str, effective_date: date, actor: Actor) -> None:
        self.qualifications = [
            Qualification(q.name, q.valid_from, effective_date - timedelta(days=1), q.certificate)
            if q.name == name and q.covers(effective_date)
            else q
            for q in self.qualifications
        ]

    def holds(self, names: tuple[str, ...], day: date) -> bool:
        """True when the enterprise holds any of `names` on `day`."""
        return any(q.name in names and q.covers(day) for q in self.qualifications)

    def blacklist_on(self, day: date) -> str | None:
        """The reason the enterprise is blacklisted on `day`, or None when it is not."""
        for span in self.blacklist:
            if span.since <= day and (span.until is None or day < span.until):
                return span.reason
        return None

    def add_to_blacklist(self, *, reason: str, effective_date: date, actor: Actor) -> None:
        """Blacklists the enterprise from `effective_date` until cleared."""
        if not reason.strip():
            raise InvalidInput("reason", "blacklisting needs a reason")
        if self.blacklist and self.blacklist[-1].until is None:
            raise RuleViolation("R1", "uscc", f"{self.uscc} is already blacklisted")
        self._blacklisted(reason=reason, effective_date=effective_date, actor=actor)

    @event("Blacklisted")
    def _blacklisted(self, reason: str, effective_date: date, actor: Actor) -> None:
        self.blacklist.append(Blacklisting(effective_date, None, reason))

    def clear_blacklist(self, *, effective_date: date, actor: Actor) -> None:
        """Ends the current blacklisting from `effective_date`."""
        if not self.blacklist or self.blacklist[-1].until is not None:
            raise RuleViolation("R1", "uscc", f"{self.uscc} is not blacklisted")
        if effective_date < self.blacklist[-1].since:
            raise InvalidInput("date", f"{effective_date} is before the blacklisting")
        self._cleared(effective_date=effective_date, actor=actor)

    @event("Cleared")
    def _cleared(self, effective_date: date, actor: Actor) -> None:
        self.blacklist[-1] = replace(self.blacklist[-1], until=effective_date)

    def take_loan(self, *, product: str, loan: UUID, effective_date: date, actor: Actor) -> None:
        """Lists a new loan under the enterprise, so its exposure per product can be summed."""
        self._loan_taken(product=product, loan=loan, effective_date=effective_date, actor=actor)

    @event("LoanTaken")
    def _loan_taken(self, product: str, loan: UUID, effective_date: date, actor: Actor) -> None:
        self.loans.setdefault(product, []).append(loan)
