"""Claims: a defaulted loan's loss, approved, split into burdens, paid in legs, recovered."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from domain.ids import claim_id
from domain.loan import DEFAULTED, Loan
from domain.money import format_yuan
from domain.references import References
from domain.split import share_recovery, split_loss
from domain.terms import ProductTerms

FILED = "filed"
APPROVED = "approved"
REJECTED = "rejected"
SETTLED = "settled"


def plan_legs(terms: ProductTerms, burdens: dict[str, int], claimant: str) -> dict[str, int]:
    """Returns what each party pays the claimant (R9, direct products): its burden, if any."""
    return {party: burden for party, burden in burdens.items() if party != claimant and burden > 0}


class Claim(Aggregate):
    """A claim on one defaulted loan, filed by the bank for a direct product."""

    @staticmethod
    def create_id(loan: UUID, reference: str) -> UUID:
        return claim_id(loan, reference)

    @classmethod
    def file(
        cls, *, loan: Loan, terms: ProductTerms, reference: str, filed_on: date, actor: Actor
    ) -> Claim:
        """Returns a newly filed claim after checking default, window and open claims (R7)."""
        if not reference.strip():
            raise InvalidInput("ref", "a claim needs the claimant's reference")
        if loan.state != DEFAULTED or loan.default_date is None:
            raise RuleViolation("R7", "loan", f"{loan.reference} is {loan.state}, not in default")
        if loan.open_claim is not None:
            raise RuleViolation("R7", "loan", f"{loan.reference} already has an open claim")
        if filed_on < loan.default_date:
            raise InvalidInput("date", f"{filed_on} is before the default on {loan.default_date}")
        days = (filed_on - loan.default_date).days
        if days > terms.claim_window_days:
            raise RuleViolation(
                "R7",
                "date",
                f"filed {days} days after default; the window is {terms.claim_window_days} days",
            )
        return cls(
            loan=loan.id,
            reference=reference,
            loan_reference=loan.reference,
            bank=loan.bank,
            product=loan.product,
            terms_version=loan.terms_version,
            claimant="bank",
            loss_base_fen=loan.outstanding_at_default_fen,
            default_date=loan.default_date,
            effective_date=filed_on,
            actor=actor,
        )

    @event("Filed")
    def __init__(
        self,
        loan: UUID,
        reference: str,
        loan_reference: str,
        bank: str,
        product: str,
        terms_version: int,
        claimant: str,
        loss_base_fen: int,
        default_date: date,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.loan = loan
        self.reference = reference
        self.loan_reference = loan_reference
        self.bank = bank
        self.product = product
        self.terms_version = terms_version
        self.claimant = claimant
        self.loss_base_fen = loss_base_fen
        self.default_date = default_date
        self.filed_on = effective_date
        self.state = FILED
        self.approved_fen = 0
        self.burdens: dict[str, int] = {}
        self.legs: dict[str, int] = {}
        self.legs_paid: dict[str, date] = {}
        self.recovered_fen = 0
        self.recovered_by_party: dict[str, int] = {}
        self.refs = References()

    def approve(
        self, *, amount_fen: int, terms: ProductTerms, effective_date: date, actor: Actor
    ) -> None:
        """Approves the loss and fixes each party's burden and payment leg (R7, R8, R9)."""
        if self.state != FILED:
            raise RuleViolation("R7", "claim", f"the claim is {self.state}, not awaiting approval")
        if amount_fen <= 0:
            raise InvalidInput("amount", "an approved amount must be positive")
        if amount_fen > self.loss_base_fen:
            raise RuleViolation(
                "R7",
                "amount",
                f"{format_yuan(amount_fen)} exceeds the loss base "
                f"{format_yuan(self.loss_base_fen)}",
            )
        if effective_date < self.filed_on:
            raise InvalidInput("date", f"{effective_date} is before the filing on {self.filed_on}")
        burdens = split_loss(amount_fen, terms.shares)
        self._approved(
            amount_fen=amount_fen,
            burdens=burdens,
            legs=plan_legs(terms, burdens, self.claimant),
            effective_date=effective_date,
            actor=actor,
        )
        if not self.unpaid_legs:  # the claimant bears it all: no leg will ever settle it
            self._settled(effective_date=effective_date, actor=actor)

    @event("Approved")
    def _approved(
        self,
        amount_fen: int,
        burdens: dict[str, int],
        legs: dict[str, int],
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.state = APPROVED
        self.approved_fen = amount_fen
        self.burdens = dict(burdens)
        self.legs = dict(legs)

    def reject(self, *, reason: str, effective_date: date, actor: Actor) -> None:
        """Rejects the claim with a reason; the loan may then be claimed again."""
        if self.state != FILED:
            raise RuleViolation("R7", "claim", f"the claim is {self.state}, not awaiting approval")
        if not reason.strip():
            raise InvalidInput("reason", "a rejection needs a reason")
        self._rejected(reason=reason, effective_date=effective_date, actor=actor)

    @event("Rejected")
    def _rejected(self, reason: str, effective_date: date, actor: Actor) -> None:
        self.state = REJECTED

    @property
    def unpaid_legs(self) -> dict[str, int]:
        return {party: fen for party, fen in self.legs.items() if party not in self.legs_paid}

    def legs_due(self) -> dict[str, int]:
        """Returns the legs still to pay; refused unless the claim was approved (R9)."""
        if self.state not in (APPROVED, SETTLED):
            raise RuleViolation("R9", "claim", f"the claim is {self.state}; legs follow approval")
        return self.unpaid_legs

    def pay_leg(self, *, payer: str, effective_date: date, actor: Actor) -> int:
        """Records that `payer` paid its leg to the claimant; returns the amount (R9)."""
        if self.state not in (APPROVED, SETTLED):
            raise RuleViolation("R9", "claim", f"the claim is {self.state}; legs follow approval")
        if payer not in self.legs:
            raise InvalidInput("party", f"{payer!r} has no leg on this claim")
        if payer in self.legs_paid:
            raise RuleViolation("R9", "party", f"{payer}'s leg was paid on {self.legs_paid[payer]}")
        amount = self.legs[payer]
        self._leg_paid(
            payer=payer,
            payee=self.claimant,
            amount_fen=amount,
            effective_date=effective_date,
            actor=actor,
        )
        if not self.unpaid_legs:
            self._settled(effective_date=effective_date, actor=actor)
        return amount

    @event("LegPaid")
    def _leg_paid(
        self, payer: str, payee: str, amount_fen: int, effective_date: date, actor: Actor
    ) -> None:
        self.legs_paid[payer] = effective_date

    @event("Settled")
    def _settled(self, effective_date: date, actor: Actor) -> None:
        self.state = SETTLED

    def record_recovery(
        self, *, amount_fen: int, ref: str, effective_date: date, actor: Actor
    ) -> dict[str, int] | None:
        """Shares money recovered from the borrower back to every party (R11, advance mode).

        Returns each party's share, or None when `ref` was already recorded.
        """
        if self.refs.is_repeat(ref, amount_fen, effective_date):
            return None
        if self.state != SETTLED:
            raise RuleViolation(
                "R11", "claim", f"the claim is {self.state}; recoveries follow the paid legs"
            )
        if amount_fen <= 0:
            raise InvalidInput("amount", "a recovery must be positive")
        if self.recovered_fen + amount_fen > self.approved_fen:
            raise RuleViolation(
                "R11",
                "amount",
                f"recoveries would total {format_yuan(self.recovered_fen + amount_fen)}, "
                f"more than the loss {format_yuan(self.approved_fen)}",
            )
        shares = share_recovery(amount_fen, self.burdens, self.recovered_by_party)
        self._recovery_shared(
            amount_fen=amount_fen,
            shares=shares,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )
        return shares

    @event("RecoveryShared")
    def _recovery_shared(
        self,
        amount_fen: int,
        shares: dict[str, int],
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.recovered_fen += amount_fen
        for party, fen in shares.items():
            self.recovered_by_party[party] = self.recovered_by_party.get(party, 0) + fen
        self.refs.remember(ref, amount_fen, effective_date)
