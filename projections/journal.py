"""The double-entry journal: every money event as balanced postings on named accounts.

Amounts are signed fen, debit positive and credit negative, so each event's postings sum to
zero and so does the whole trial balance. Where two events record one movement of money (a
pool's leg is both the pool's payment and the claim's paid leg), exactly one of them posts it:
the pool's events post every pool leg and recovery, the guarantee's 代偿 posts the guarantor's
leg to the bank, and the claim posts every other leg and recovery share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Engine, select

from domain.claim import Claim
from domain.guarantee import GUARANTEE_FEE, Guarantee
from domain.institution import Institution
from domain.legs import BANK, GUARANTOR
from domain.loan import Loan
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.terms import POOL_PARTIES
from projections.rows import Rows
from projections.schema import claims, covers, journal_balances, journal_parties, loans, pools

BORROWER = "borrower"
REGUARANTOR = "reguarantor"
INSURER = "insurer"
PAYEE = "payee"
FUNDER = "funder"
KIND = "kind"


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of the journal: `amount_fen` on `account`, debit positive, credit negative."""

    account: str
    amount_fen: int
    effective_date: date


class Directory(Protocol):
    """Who stands behind an event's ids: what the events themselves do not repeat."""

    def loan(self, loan_hex: str) -> tuple[str, str]:
        """Returns the loan's bank and borrower (USCC)."""
        ...

    def loan_of_claim(self, claim_hex: str) -> str:
        """Returns the id (hex) of the claim's loan."""
        ...

    def pool_code(self, pool_hex: str) -> str:
        """Returns the pool's code."""
        ...

    def cover(self, cover_hex: str) -> tuple[str, str]:
        """Returns the guarantee's or policy's loan (hex) and institution."""
        ...

    def party(self, key: str, role: str) -> str:
        """Returns the institution that plays `role` for `key` (a loan, a pool's leg ...)."""
        ...


def account(role: str, code: str, purpose: str) -> str:
    """Returns the account name `<role>:<code>:<purpose>` of the chart of accounts."""
    return f"{role}:{code}:{purpose}"


def _move(debit: str, credit: str, amount_fen: int, day: date) -> list[Posting]:
    """Two postings moving `amount_fen` from `credit` to `debit`; none for nothing."""
    if amount_fen == 0:
        return []
    return [Posting(debit, amount_fen, day), Posting(credit, -amount_fen, day)]


def _reversed(lines: list[Posting], day: date) -> list[Posting]:
    return [Posting(p.account, -p.amount_fen, day) for p in lines]


def _compensation(d: Directory, loan_hex: str, role: str) -> str:
    """The claims account of the institution playing `role` on the loan."""
    if role == BANK:
        return account(BANK, d.loan(loan_hex)[0], "compensation")
    return account(role, d.party(loan_hex, role), "compensation")


def _borrower(d: Directory, loan_hex: str, purpose: str) -> str:
    return account(BORROWER, d.loan(loan_hex)[1], purpose)


def _contribution(e: RiskPool.ContributionReceived, d: Directory) -> list[Posting]:
    cash = account("pool", d.pool_code(e.originator_id.hex), "cash")
    return _move(cash, account(FUNDER, e.funder, "contributed"), e.amount_fen, e.effective_date)


def _contribution_reversed(e: RiskPool.ContributionReversed, d: Directory) -> list[Posting]:
    funder = d.party(f"{e.originator_id.hex}:{e.ref}", FUNDER)
    cash = account("pool", d.pool_code(e.originator_id.hex), "cash")
    return _move(account(FUNDER, funder, "contributed"), cash, e.amount_fen, e.effective_date)


def _pool_leg(d: Directory, pool_hex: str, claim_hex: str) -> tuple[str, str]:
    """The pool's cash account and the compensation account of the leg's payee."""
    # The claim may be saved after the pool in the same save: the payee's kind names its role.
    payee = d.party(f"{pool_hex}:{claim_hex}", PAYEE)
    role = d.party(payee, KIND)
    return account("pool", d.pool_code(pool_hex), "cash"), account(role, payee, "compensation")


def _pool_paid(e: RiskPool.PaymentMade, d: Directory) -> list[Posting]:
    cash, payee = _pool_leg(d, e.originator_id.hex, e.claim.hex)
    return _move(payee, cash, e.amount_fen, e.effective_date)


def _pool_payment_reversed(e: RiskPool.PaymentReversed, d: Directory) -> list[Posting]:
    cash, payee = _pool_leg(d, e.originator_id.hex, e.claim.hex)
    return _move(cash, payee, e.amount_fen, e.effective_date)


def _pool_recovery(e: RiskPool.RecoveryReceived, d: Directory) -> list[Posting]:
    cash = account("pool", d.pool_code(e.originator_id.hex), "cash")
    borrower = _borrower(d, d.loan_of_claim(e.claim.hex), "recovered")
    return _move(cash, borrower, e.amount_fen, e.effective_date)


def _pool_recovery_reversed(e: RiskPool.RecoveryReversed, d: Directory) -> list[Posting]:
    cash = account("pool", d.pool_code(e.originator_id.hex), "cash")
    borrower = _borrower(d, d.loan_of_claim(e.claim.hex), "recovered")
    return _move(borrower, cash, e.amount_fen, e.effective_date)


def _disbursed(e: Loan.Disbursed, d: Directory) -> list[Posting]:
    bank, borrower = d.loan(e.originator_id.hex)
    return _move(
        account(BANK, bank, "loans"),
        account(BORROWER, borrower, "principal"),
        e.amount_fen,
        e.effective_date,
    )


def _repaid(e: Loan.RepaymentReceived | Loan.RepaymentReversed, d: Directory) -> list[Posting]:
    bank, borrower = d.loan(e.originator_id.hex)
    return _move(
        account(BORROWER, borrower, "principal"),
        account(BANK, bank, "loans"),
        e.principal_fen,
        e.effective_date,
    ) + _move(
        account(BORROWER, borrower, "interest"),
        account(BANK, bank, "interest"),
        e.interest_fen,
        e.effective_date,
    )


def _repayment_reversed(e: Loan.RepaymentReversed, d: Directory) -> list[Posting]:
    return _reversed(_repaid(e, d), e.effective_date)


def _written_off(e: Loan.WrittenOff, d: Directory) -> list[Posting]:
    bank = d.loan(e.originator_id.hex)[0]
    return _move(
        account(BANK, bank, "written_off"),
        account(BANK, bank, "loans"),
        e.amount_fen,
        e.effective_date,
    )


def _posts_leg(payer: str, payee: str) -> bool:
    """False for legs another event posts: a pool's (its payment) and the 代偿 (the guarantee)."""
    return payer not in POOL_PARTIES and not (payer == GUARANTOR and payee == BANK)


def _leg_paid(e: Claim.LegPaid | Claim.LegPaymentReversed, d: Directory) -> list[Posting]:
    if not _posts_leg(e.payer, e.payee):
        return []
    loan_hex = d.loan_of_claim(e.originator_id.hex)
    return _move(
        _compensation(d, loan_hex, e.payee),
        _compensation(d, loan_hex, e.payer),
        e.amount_fen,
        e.effective_date,
    )


def _leg_payment_reversed(e: Claim.LegPaymentReversed, d: Directory) -> list[Posting]:
    return _reversed(_leg_paid(e, d), e.effective_date)


def _shares(d: Directory, claim_hex: str, shares: dict[str, int], day: date) -> list[Posting]:
    """Each non-pool party's share of a recovery, paid by the borrower; pools post their own."""
    loan_hex = d.loan_of_claim(claim_hex)
    lines: list[Posting] = []
    for party, fen in shares.items():
        if party not in POOL_PARTIES:
            lines += _move(
                _compensation(d, loan_hex, party), _borrower(d, loan_hex, "recovered"), fen, day
            )
    return lines


def _recovery_shared(e: Claim.RecoveryShared, d: Directory) -> list[Posting]:
    return _shares(d, e.originator_id.hex, e.shares, e.effective_date)


def _recovery_recorded(e: Claim.RecoveryRecorded, d: Directory) -> list[Posting]:
    # Before an after-recovery split the claimant keeps the whole recovery (R11).
    loan_hex = d.loan_of_claim(e.originator_id.hex)
    return _move(
        _compensation(d, loan_hex, d.party(loan_hex, "claimant")),
        _borrower(d, loan_hex, "recovered"),
        e.amount_fen,
        e.effective_date,
    )


def _claim_recovery_reversed(e: Claim.RecoveryReversed, d: Directory) -> list[Posting]:
    return _reversed(_shares(d, e.originator_id.hex, e.shares, e.effective_date), e.effective_date)


def _payout(e: Guarantee.PayoutMade, d: Directory) -> list[Posting]:
    loan_hex, guarantor = d.cover(e.originator_id.hex)
    return _move(
        _compensation(d, loan_hex, BANK),
        account(GUARANTOR, guarantor, "compensation"),
        e.amount_fen,
        e.effective_date,
    )


def _fee_paid(e: Guarantee.FeePaid, d: Directory) -> list[Posting]:
    loan_hex, guarantor = d.cover(e.originator_id.hex)
    if e.kind == GUARANTEE_FEE:  # the borrower pays the guarantor
        payer, payee = _borrower(d, loan_hex, "fees"), account(GUARANTOR, guarantor, "fees")
    else:  # the guarantor pays the re-guarantor
        reguarantor = d.party(loan_hex, REGUARANTOR)
        payer, payee = (
            account(GUARANTOR, guarantor, "fees"),
            account(REGUARANTOR, reguarantor, "fees"),
        )
    return _move(payer, payee, e.amount_fen, e.effective_date)


def _premium_paid(e: InsurancePolicy.PremiumPaid, d: Directory) -> list[Posting]:
    loan_hex, insurer = d.cover(e.originator_id.hex)
    return _move(
        _borrower(d, loan_hex, "fees"),
        account(INSURER, insurer, "fees"),
        e.amount_fen,
        e.effective_date,
    )


POSTINGS: dict[type, Callable[[Any, Directory], list[Posting]]] = {
    RiskPool.ContributionReceived: _contribution,
    RiskPool.ContributionReversed: _contribution_reversed,
    RiskPool.PaymentMade: _pool_paid,
    RiskPool.PaymentReversed: _pool_payment_reversed,
    RiskPool.RecoveryReceived: _pool_recovery,
    RiskPool.RecoveryReversed: _pool_recovery_reversed,
    Loan.Disbursed: _disbursed,
    Loan.RepaymentReceived: _repaid,
    Loan.RepaymentReversed: _repayment_reversed,
    Loan.WrittenOff: _written_off,
    Claim.LegPaid: _leg_paid,
    Claim.LegPaymentReversed: _leg_payment_reversed,
    Claim.RecoveryShared: _recovery_shared,
    Claim.RecoveryRecorded: _recovery_recorded,
    Claim.RecoveryReversed: _claim_recovery_reversed,
    Guarantee.PayoutMade: _payout,
    Guarantee.FeePaid: _fee_paid,
    InsurancePolicy.PremiumPaid: _premium_paid,
}
"""Every money event. Queued legs (R10), 代偿 counted as a leg, an insurer's claim paid and a
guarantor's reimbursement move no money of their own: another event above posts it."""


def postings(domain_event: Any, directory: Directory) -> list[Posting]:
    """Returns the event's postings, which sum to zero; none for an event that moves no money."""
    make = POSTINGS.get(type(domain_event))
    return [] if make is None else make(domain_event, directory)


class RowsDirectory:
    """A directory over the read-model rows of the batch being folded."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def loan(self, loan_hex: str) -> tuple[str, str]:
        row = self.rows.need(loans, loan_hex)
        return row["bank"], row["enterprise"]

    def loan_of_claim(self, claim_hex: str) -> str:
        return str(self.rows.need(claims, claim_hex)["loan_id"])

    def pool_code(self, pool_hex: str) -> str:
        return str(self.rows.need(pools, pool_hex)["code"])

    def cover(self, cover_hex: str) -> tuple[str, str]:
        row = self.rows.need(covers, cover_hex)
        return row["loan_id"], row["institution"]

    def party(self, key: str, role: str) -> str:
        return str(self.rows.need(journal_parties, key, role)["institution"])


def named_parties(e: Any) -> list[tuple[str, str, str]]:
    """Returns each (key, role, institution) the event names, for later events naming only ids."""
    if isinstance(e, Institution.Registered):
        return [(e.code, KIND, e.kind)]
    if isinstance(e, RiskPool.ContributionReceived):
        return [(f"{e.originator_id.hex}:{e.ref}", FUNDER, e.funder)]
    if isinstance(e, RiskPool.PaymentMade | RiskPool.LegQueued):
        return [(f"{e.originator_id.hex}:{e.claim.hex}", PAYEE, e.payee)]
    if isinstance(e, Claim.Filed):
        return [(e.loan.hex, "claimant", e.claimant)]
    if isinstance(e, Guarantee.Issued):
        named = [(e.loan.hex, GUARANTOR, e.guarantor)]
        if e.reguarantor:
            named.append((e.loan.hex, REGUARANTOR, e.reguarantor))
        return named
    if isinstance(e, InsurancePolicy.Issued):
        return [(e.loan.hex, INSURER, e.insurer)]
    return []


def _remember_parties(rows: Rows, e: Any) -> None:
    for key, role, institution in named_parties(e):
        rows.ensure(journal_parties, key=key, role=role, institution=institution)["institution"] = (
            institution
        )


def fold(rows: Rows, domain_event: Any) -> None:
    """Adds the event's postings to the account balances, after the other read models' fold."""
    _remember_parties(rows, domain_event)
    for line in postings(domain_event, RowsDirectory(rows)):
        row = rows.ensure(journal_balances, account=line.account)
        row["balance_fen"] += line.amount_fen


def trial_balance(engine: Engine) -> list[dict[str, Any]]:
    """Returns every account with its balance in fen, by account name."""
    query = select(journal_balances).order_by(journal_balances.c.account)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]
