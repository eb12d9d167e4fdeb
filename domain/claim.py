"""Claims: a defaulted loan's loss, approved, split into burdens, paid in legs, recovered."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.corrections import LegReversal, Reversals, check_reason
from domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from domain.ids import claim_id
from domain.legs import BANK, GUARANTOR
from domain.loan import DEFAULTED, Loan
from domain.money import format_yuan
from domain.recovery import (
    check_recovery_amount,
    leg_plan,
    leg_reversal_differences,
    unpaid_legs,
)
from domain.references import References
from domain.split import NO_HISTORY, ClaimantHistory, share_recovery, split_approved_loss
from domain.terms import ProductTerms, Shares

if TYPE_CHECKING:
    from domain.guarantee import Guarantee
    from domain.policy import InsurancePolicy

FILED = "filed"
# Approved under after-recovery settlement: the shares are fixed, the split waits (R11).
RECOVERING = "recovering"
APPROVED = "approved"
REJECTED = "rejected"
SETTLED = "settled"


class Claim(Aggregate):
    """A claim on one defaulted loan: the bank's, or the guarantor's for a guaranteed product."""

    @staticmethod
    def create_id(loan: UUID, reference: str) -> UUID:
        return claim_id(loan, reference)

    @classmethod
    def file(
        cls,
        *,
        loan: Loan,
        terms: ProductTerms,
        reference: str,
        filed_on: date,
        actor: Actor,
        guarantee: Guarantee | None = None,
        policy: InsurancePolicy | None = None,
    ) -> Claim:
        """Returns a newly filed claim after checking default, window and open claims (R7).

        A guaranteed loan's claim is the guarantor's, after its 代偿 on `guarantee`; an
        insured loan's is the bank's, while `policy` is in force. Its loss base is the
        principal outstanding at default, with the interest unpaid then when the product
        covers interest.
        """
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
        if terms.structure == "guaranteed":
            if guarantee is None or guarantee.loan != loan.id:
                raise RuleViolation("R7", "guarantor", f"{loan.reference} has no guarantee")
            guarantee.check_may_claim()
        if terms.structure == "insured":
            if policy is None or policy.loan != loan.id:
                raise RuleViolation("R7", "policy", f"{loan.reference} has no insurance policy")
            policy.check_may_claim()
        return cls(
            loan=loan.id,
            reference=reference,
            loan_reference=loan.reference,
            bank=loan.bank,
            product=loan.product,
            terms_version=loan.terms_version,
            claimant=terms.claimant,
            loss_base_fen=loan.loss_base_fen(covers_interest=terms.covers_interest),
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
        # The fund manager's decision, kept to answer the same decision sent again (R14).
        self.approved_on: date | None = None
        self.rejected_on: date | None = None
        self.rejection_reason = ""
        self.burdens: dict[str, int] = {}
        self.legs: dict[str, int] = {}
        self.payees: dict[str, str] = {}
        self.legs_paid: dict[str, date] = {}
        self.recovered_fen = 0
        self.recovered_by_party: dict[str, int] = {}
        self.refs = References()
        self.shares: dict[str, int] = {}
        # The loss the burdens split: the approved amount, less what was recovered before the
        # split under after-recovery settlement (R11).
        self.shared_loss_fen = 0
        self.recovered_before_split_fen = 0
        self.recovery_closed_on: date | None = None
        # Each recovery's parts by its reference, as shared; and what was reversed (R13).
        self.recoveries: dict[str, dict[str, int]] = {}
        self.reversals = Reversals()
        # Leg payments reversed, by the caller's reference for each reversal (R13, R14).
        self.leg_reversals: dict[str, LegReversal] = {}

    def approve(
        self,
        *,
        amount_fen: int,
        terms: ProductTerms,
        effective_date: date,
        actor: Actor,
        shares: Shares | None = None,
        history: ClaimantHistory = NO_HISTORY,
    ) -> bool:
        """Approves the loss and fixes each party's burden and payment leg (R7, R8, R9); returns
        False, writing nothing, when the same amount was already approved on the same day (R14).

        `shares` are the loan's (its tier's, with any bonus; default: the product's) and
        `history` the claimant's earlier claims, for the cumulative cap. Under after-recovery
        settlement only the shares are fixed now; `close_recovery` splits what is left (R11).
        Another amount or day for an approved claim is a Conflict naming it.
        """
        if amount_fen <= 0:
            raise InvalidInput("amount", "an approved amount must be positive")
        if self.state in (APPROVED, RECOVERING, SETTLED):
            self._check_same_approval(amount_fen, effective_date)
            return False
        if self.state != FILED:
            raise RuleViolation("R7", "claim", f"the claim is {self.state}, not awaiting approval")
        if amount_fen > self.loss_base_fen:
            raise RuleViolation(
                "R7",
                "amount",
                f"{format_yuan(amount_fen)} exceeds the loss base "
                f"{format_yuan(self.loss_base_fen)}",
            )
        if effective_date < self.filed_on:
            raise InvalidInput("date", f"{effective_date} is before the filing on {self.filed_on}")
        if terms.settlement == "after_recovery":
            self._approved_after_recovery(
                amount_fen=amount_fen,
                shares=dict(shares or terms.shares),
                effective_date=effective_date,
                actor=actor,
            )
            return True
        burdens = split_approved_loss(amount_fen, shares or terms.shares, terms.caps, history)
        legs, payees = leg_plan(terms.structure, burdens, self.claimant)
        self._approved(
            amount_fen=amount_fen,
            burdens=burdens,
            legs=legs,
            payees=payees,
            effective_date=effective_date,
            actor=actor,
        )
        if not self.unpaid_legs:  # the claimant bears it all: no leg will ever settle it
            self._settled(effective_date=effective_date, actor=actor)
        return True

    def _check_same_approval(self, amount_fen: int, effective_date: date) -> None:
        """Raises Conflict unless `amount_fen` on `effective_date` is the approval made (R14)."""
        if amount_fen != self.approved_fen:
            raise Conflict(
                "amount",
                f"the claim was approved for {format_yuan(self.approved_fen)} on "
                f"{self.approved_on}, not {format_yuan(amount_fen)}",
            )
        if effective_date != self.approved_on:
            raise Conflict(
                "date", f"the claim was approved on {self.approved_on}, not {effective_date}"
            )

    @event("Approved")
    def _approved(
        self,
        amount_fen: int,
        burdens: dict[str, int],
        legs: dict[str, int],
        effective_date: date,
        actor: Actor,
        payees: dict[str, str] | None = None,
    ) -> None:
        self.state = APPROVED
        self.approved_fen = amount_fen
        self.approved_on = effective_date
        self.shared_loss_fen = amount_fen
        self.burdens = dict(burdens)
        self.legs = dict(legs)
        # Approvals stored before payees were recorded had every leg paid to the claimant.
        self.payees = dict(payees) if payees is not None else dict.fromkeys(legs, self.claimant)

    @event("ApprovedAfterRecovery")
    def _approved_after_recovery(
        self, amount_fen: int, shares: dict[str, int], effective_date: date, actor: Actor
    ) -> None:
        self.state = RECOVERING
        self.approved_fen = amount_fen
        self.approved_on = effective_date
        self.shares = dict(shares)

    def close_recovery(
        self, *, terms: ProductTerms, history: ClaimantHistory, effective_date: date, actor: Actor
    ) -> dict[str, int]:
        """Splits what is still unrecovered by the fixed shares, with the caps; returns the burdens.

        After-recovery settlement (R11): the claimant closes recovery, and only then are the
        burdens and legs fixed, on the approved loss less everything recovered. Closing again on
        the same day answers the burdens of the first close and writes nothing; on another day
        it is a Conflict naming the date (R14).
        """
        if self.recovery_closed_on is not None:
            if effective_date != self.recovery_closed_on:
                raise Conflict(
                    "date",
                    f"recovery was closed on {self.recovery_closed_on}, not {effective_date}",
                )
            return dict(self.burdens)
        if self.state != RECOVERING:
            raise RuleViolation(
                "R11",
                "claim",
                f"the claim is {self.state}; only a claim settled after recovery awaits its close",
            )
        if effective_date < self.filed_on:
            raise InvalidInput("date", f"{effective_date} is before the filing on {self.filed_on}")
        unrecovered = self.approved_fen - self.recovered_fen
        burdens = split_approved_loss(unrecovered, tuple(self.shares.items()), terms.caps, history)
        legs, payees = leg_plan(terms.structure, burdens, self.claimant)
        self._recovery_closed(
            unrecovered_fen=unrecovered,
            burdens=burdens,
            legs=legs,
            payees=payees,
            effective_date=effective_date,
            actor=actor,
        )
        if not self.unpaid_legs:  # all recovered, or the claimant bears the rest alone
            self._settled(effective_date=effective_date, actor=actor)
        return dict(burdens)

    @event("RecoveryClosed")
    def _recovery_closed(
        self,
        unrecovered_fen: int,
        burdens: dict[str, int],
        legs: dict[str, int],
        payees: dict[str, str],
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.state = APPROVED
        self.shared_loss_fen = unrecovered_fen
        self.burdens = dict(burdens)
        self.legs = dict(legs)
        self.payees = dict(payees)
        self.recovery_closed_on = effective_date

    def reject(self, *, reason: str, effective_date: date, actor: Actor) -> bool:
        """Rejects the claim with a reason, the loan may then be claimed again; returns False,
        writing nothing, when it was already rejected for that reason on that day (R14).

        Another reason or day for a rejected claim is a Conflict naming it.
        """
        if not reason.strip():
            raise InvalidInput("reason", "a rejection needs a reason")
        if self.state == REJECTED:
            if reason != self.rejection_reason:
                raise Conflict(
                    "reason",
                    f"the claim was rejected on {self.rejected_on} because "
                    f"{self.rejection_reason!r}, not {reason!r}",
                )
            if effective_date != self.rejected_on:
                raise Conflict(
                    "date", f"the claim was rejected on {self.rejected_on}, not {effective_date}"
                )
            return False
        if self.state != FILED:
            raise RuleViolation("R7", "claim", f"the claim is {self.state}, not awaiting approval")
        self._rejected(reason=reason, effective_date=effective_date, actor=actor)
        return True

    @event("Rejected")
    def _rejected(self, reason: str, effective_date: date, actor: Actor) -> None:
        self.state = REJECTED
        self.rejected_on = effective_date
        self.rejection_reason = reason

    @property
    def unpaid_legs(self) -> dict[str, int]:
        """The legs still to pay, by payer."""
        return unpaid_legs(self.legs, self.legs_paid)

    def _check_not_recovering(self) -> None:
        if self.state == RECOVERING:
            raise RuleViolation(
                "R11",
                "claim",
                "the claim settles after recovery; legs follow the close of recovery",
            )

    def legs_due(self) -> dict[str, int]:
        """Returns the legs still to pay; refused unless the claim was approved (R9)."""
        self._check_not_recovering()
        if self.state not in (APPROVED, SETTLED):
            raise RuleViolation("R9", "claim", f"the claim is {self.state}; legs follow approval")
        return self.unpaid_legs

    def pay_leg(self, *, payer: str, effective_date: date, actor: Actor) -> int:
        """Records that `payer` paid its leg to the leg's payee; returns the amount (R9)."""
        self._check_not_recovering()
        if self.state not in (APPROVED, SETTLED):
            raise RuleViolation("R9", "claim", f"the claim is {self.state}; legs follow approval")
        if payer not in self.legs:
            raise InvalidInput("party", f"{payer!r} has no leg on this claim")
        if payer in self.legs_paid:
            raise RuleViolation("R9", "party", f"{payer}'s leg was paid on {self.legs_paid[payer]}")
        amount = self.legs[payer]
        self._leg_paid(
            payer=payer,
            payee=self.payees[payer],
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

        Returns each party's share, or None when `ref` was already recorded. Under
        after-recovery settlement a recovery before the close reduces the loss still to split,
        so the claimant keeps it all; after the close no recovery is taken.
        """
        if self.refs.is_repeat(ref, amount_fen, effective_date):
            return None
        if self.state == RECOVERING:
            self._check_recovery_amount(amount_fen)
            self._recovery_recorded(
                amount_fen=amount_fen, ref=ref, effective_date=effective_date, actor=actor
            )
            return {self.claimant: amount_fen}
        if self.recovery_closed_on is not None:
            raise RuleViolation(
                "R11",
                "claim",
                f"recovery was closed on {self.recovery_closed_on} and what was left was split",
            )
        if self.state != SETTLED:
            raise RuleViolation(
                "R11", "claim", f"the claim is {self.state}; recoveries follow the paid legs"
            )
        self._check_recovery_amount(amount_fen)
        shares = share_recovery(amount_fen, self.burdens, self.recovered_by_party)
        self._recovery_shared(
            amount_fen=amount_fen,
            shares=shares,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )
        return shares

    def _check_recovery_amount(self, amount_fen: int) -> None:
        """Raises unless the recovery is positive and keeps all recoveries within the loss."""
        check_recovery_amount(
            amount_fen, recovered_fen=self.recovered_fen, loss_fen=self.approved_fen
        )

    @event("RecoveryRecorded")
    def _recovery_recorded(
        self, amount_fen: int, ref: str, effective_date: date, actor: Actor
    ) -> None:
        self.recovered_fen += amount_fen
        self.recovered_before_split_fen += amount_fen
        self.refs.remember(ref, amount_fen, effective_date)
        self.recoveries[ref] = {self.claimant: amount_fen}

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
        self.recoveries[ref] = dict(shares)

    # -- corrections (R13) ----------------------------------------------------------------------

    def reverse_recovery(
        self, *, ref: str, reason: str, effective_date: date, actor: Actor
    ) -> tuple[dict[str, int], bool]:
        """Undoes the recovery recorded under `ref`; returns each party's part exactly as it was
        shared, and False for a repeat (R11, R13).

        Under after-recovery settlement a recovery can be reversed only before the close, whose
        split rests on it.
        """
        check_reason(reason)
        shares = self.recoveries.get(ref)
        if shares is None:
            raise NotFound("ref", f"the claim on {self.loan_reference} has no recovery {ref!r}")
        if self.reversals.is_repeat(ref, reason, effective_date):
            return dict(shares), False
        if self.recovery_closed_on is not None:
            raise RuleViolation(
                "R13",
                "ref",
                f"recovery was closed on {self.recovery_closed_on} and what was left was split; "
                f"the split rests on {ref}",
            )
        self._recovery_reversed(
            ref=ref,
            amount_fen=sum(shares.values()),
            shares=dict(shares),
            reason=reason,
            effective_date=effective_date,
            actor=actor,
        )
        return dict(shares), True

    @event("RecoveryReversed")
    def _recovery_reversed(
        self,
        ref: str,
        amount_fen: int,
        shares: dict[str, int],
        reason: str,
        effective_date: date,
        actor: Actor,
    ) -> None:
        self.recovered_fen -= amount_fen
        if self.state == RECOVERING:
            self.recovered_before_split_fen -= amount_fen
        else:
            for party, fen in shares.items():
                self.recovered_by_party[party] -= fen
        self.reversals.remember(ref, reason, effective_date)

    def reverse_leg_payment(
        self, *, payer: str, ref: str, reason: str, effective_date: date, actor: Actor
    ) -> tuple[int, bool]:
        """Puts `payer`'s paid leg back to unpaid under the caller's `ref`; returns its amount,
        and False for a repeat of that reversal (R13, R14).

        The claim is no longer settled and the leg is payable again (R9, R13). Recoveries shared
        back stand: they follow the burdens, which the reversal leaves as they are. The same
        `ref` again is answered as the first time, even after the leg was paid once more; with
        another party, reason or date it is a conflict naming the field.
        """
        check_reason(reason)
        if not ref.strip():
            raise InvalidInput("ref", "a leg reversal needs the caller's reference")
        done = self.leg_reversals.get(ref)
        if done is not None:
            differing = leg_reversal_differences(
                done, party=payer, reason=reason, effective_date=effective_date
            )
            if differing:
                raise Conflict(
                    differing[0],
                    f"{ref!r} already reversed {done.party}'s leg on {done.effective_date} "
                    f"because {done.reason!r}",
                )
            return done.amount_fen, False
        if payer not in self.legs:
            raise NotFound("party", f"{payer!r} has no leg on the claim on {self.loan_reference}")
        if payer not in self.legs_paid:
            raise RuleViolation("R13", "party", f"{payer}'s leg is not paid; nothing to reverse")
        if payer == GUARANTOR and self.payees[payer] == BANK:
            raise RuleViolation(
                "R13",
                "party",
                "the guarantor's leg to the bank is the 代偿 it made, recorded on its guarantee",
            )
        if effective_date < self.legs_paid[payer]:
            raise InvalidInput(
                "date", f"{effective_date} is before the leg was paid on {self.legs_paid[payer]}"
            )
        amount = self.legs[payer]
        self._leg_payment_reversed(
            payer=payer,
            payee=self.payees[payer],
            amount_fen=amount,
            reason=reason,
            effective_date=effective_date,
            actor=actor,
            ref=ref,
        )
        return amount, True

    @event("LegPaymentReversed")
    def _leg_payment_reversed(
        self,
        payer: str,
        payee: str,
        amount_fen: int,
        reason: str,
        effective_date: date,
        actor: Actor,
        ref: str = "",  # the caller's reference; reversals stored before it had none
    ) -> None:
        del self.legs_paid[payer]
        if self.state == SETTLED:
            self.state = APPROVED
        if ref:
            self.leg_reversals[ref] = LegReversal(payer, reason, effective_date, amount_fen)
