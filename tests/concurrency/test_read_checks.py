"""A registration decides leverage on the pools' funds without changing the pools (R3); a leg
paid from them between its reading and its saving must make it decide again, on both stores.

Two `RiskLedger` objects on one store stand for two clerks' processes; the rival writes
from inside the first one's command, after that command has read the pools.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from workload import (
    BANK,
    CLAIM_STEPS,
    CLERK,
    DOOMED,
    ENTERPRISES,
    MULTIPLE,
    POOL,
    PRODUCT,
    START,
    contribution,
    set_up,
)

from domain.errors import NotFound, RuleViolation
from domain.exposure import Exposure
from domain.ids import exposure_id
from ledger.app import RiskLedger, Session
from ledger.settings import Settings

WAN = 10_000_00


@pytest.fixture
def ledgers(db_url: str) -> Any:
    """The ledger with the workload's programme and one approved claim, and a rival on it."""
    ledger = RiskLedger(Settings(db=db_url))
    set_up(ledger, loans=[DOOMED[0], "R00"])
    for step in ("default", "file", "approve"):
        ledger.transact(CLAIM_STEPS[step](DOOMED[0]))
    rival = RiskLedger(Settings(db=db_url))
    yield ledger, rival
    rival.close()
    ledger.close()


def _headroom(ledger: RiskLedger) -> int:
    exposure = ledger.repository.get(exposure_id(PRODUCT))
    assert isinstance(exposure, Exposure)
    return MULTIPLE * ledger.get_pool(POOL).available_fen - exposure.covered_fen


def _register_while(
    rival: RiskLedger, rival_command: Callable[[Session], Any], principal_fen: int
) -> Callable[[Session], Any]:
    """A registration that, on its first attempt only, lets the rival write after it read."""
    attempts = 0

    def command(session: Session) -> Any:
        nonlocal attempts
        attempts += 1
        found = session.register_loan(
            bank=BANK,
            reference="BIG",
            uscc=ENTERPRISES[0],
            product=PRODUCT,
            principal_fen=principal_fen,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            actor=CLERK,
        )
        if attempts == 1:
            rival.transact(rival_command)
        return found

    return command


def test_a_leg_paid_meanwhile_makes_the_registration_decide_again_and_refuse(ledgers) -> None:
    ledger, rival = ledgers
    headroom = _headroom(ledger)
    # Fits the funds the registration reads; not what is left once the pool pays its 80万 leg,
    # which takes 10 × 80万 of headroom away.
    principal = headroom - 100 * WAN
    with pytest.raises(RuleViolation, match="R3"):
        ledger.transact(_register_while(rival, CLAIM_STEPS["pay"](DOOMED[0]), principal))
    assert ledger.conflicts == 1  # the first decision was not saved: the pool had moved on
    assert ledger.get_pool(POOL).paid_out_fen == 80 * WAN
    assert _headroom(ledger) == headroom - MULTIPLE * 80 * WAN
    with pytest.raises(NotFound):
        ledger.get_loan(BANK, "BIG")


def test_a_contribution_meanwhile_makes_the_registration_rerun_and_succeed(ledgers) -> None:
    ledger, rival = ledgers
    headroom = _headroom(ledger)
    loan, new = ledger.transact(
        _register_while(rival, contribution("RIVAL-C", 10 * WAN), headroom - 10 * WAN)
    )
    assert new
    assert ledger.conflicts == 1  # decided twice: once on the old funds, once on the new
    assert ledger.get_loan(BANK, "BIG").id == loan
    assert _headroom(ledger) == 10 * WAN + MULTIPLE * 10 * WAN


def test_a_registration_that_changes_nothing_it_relied_on_saves_at_once(ledgers) -> None:
    ledger, _ = ledgers
    ledger.transact(
        lambda s: s.register_loan(
            bank=BANK,
            reference="SMALL",
            uscc=ENTERPRISES[1],
            product=PRODUCT,
            principal_fen=10 * WAN,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            actor=CLERK,
        )
    )
    assert ledger.conflicts == 0
    assert ledger.get_loan(BANK, "SMALL").principal_fen == 10 * WAN
