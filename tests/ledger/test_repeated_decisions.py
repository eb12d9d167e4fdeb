"""The fund manager's decisions on a claim sent again (R14): the same approval, rejection or
payment writes nothing and counts nothing twice (claimant account, exposure, pools); another
amount, reason or day is a conflict naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.actor import Actor
from domain.claimant_account import ClaimantAccount
from domain.errors import Conflict, RuleViolation
from domain.ids import exposure_id
from ledger.app import RiskLedger, Session
from ledger.settings import Settings
from ledger.terms_file import load_terms

PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
USCC = "91320505MA1ABCDE09"
START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 9, 1)
DECIDED_ON = date(2024, 9, 20)


class InMemory(Settings):
    def event_store_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def ledger() -> RiskLedger:
    """科创贷 (guaranteed): JSDB guarantees ICBC's K1 and K2, both in default, JSDB paid its
    代偿 on each and filed a claim on each on the default day."""
    ledger = RiskLedger(InMemory(operator="pytest"))

    def programme(s: Session) -> None:
        for code, kind, level in [
            ("KJJ", "operator", None),
            ("KS-FIN", "pool_owner", "county"),
            ("ICBC", "bank", None),
            ("JSDB", "guarantor", None),
            ("JSZDB", "reguarantor", None),
        ]:
            s.add_institution(
                code=code,
                kind=kind,
                name=code,
                region="苏州",
                level=level,
                effective_date=START,
                actor=MANAGER,
            )
        s.add_enterprise(
            uscc=USCC, name="某科技", region="苏州", effective_date=START, actor=MANAGER
        )
        s.define_product(terms=load_terms(PRODUCTS / "kechuangdai.toml"), actor=MANAGER)
        s.open_pool(
            code="KS-POOL",
            name="县池",
            owner="KS-FIN",
            level="county",
            products=["KCD"],
            effective_date=START,
            actor=MANAGER,
        )
        s.fund_pool(
            pool="KS-POOL",
            amount_fen=10_000_000_00,
            funder="KS-FIN",
            ref="F1",
            effective_date=START,
            actor=MANAGER,
        )
        for loan in ("K1", "K2"):
            s.register_loan(
                bank="ICBC",
                reference=loan,
                uscc=USCC,
                product="KCD",
                principal_fen=5_000_000_00,
                annual_rate_bps=400,
                term_months=12,
                start_date=START,
                actor=CLERK,
            )
            s.disburse(
                bank="ICBC",
                reference=loan,
                amount_fen=5_000_000_00,
                value_date=START,
                ref=f"{loan}-D",
                actor=CLERK,
            )
            s.issue_guarantee(
                guarantor="JSDB",
                bank="ICBC",
                reference=loan,
                contract=f"DB-{loan}",
                coverage_bps=8000,
                fee_rate_bps=100,
                reguarantor="JSZDB",
                issued_on=START,
                actor=MANAGER,
            )
            s.declare_default(
                bank="ICBC", reference=loan, default_date=DEFAULT_DAY, reason="破产", actor=CLERK
            )
            s.make_guarantee_payout(
                guarantor="JSDB",
                bank="ICBC",
                reference=loan,
                amount_fen=None,
                ref=f"DC-{loan}",
                effective_date=DEFAULT_DAY,
                actor=MANAGER,
            )
            s.file_claim(
                bank="ICBC",
                reference=loan,
                ref="C1",
                filed_on=DEFAULT_DAY,
                actor=MANAGER,
                guarantor="JSDB",
            )

    ledger.transact(programme)
    return ledger


def _approve(
    ledger: RiskLedger, fen: int | None = None, day: date = DECIDED_ON, loan: str = "K1"
) -> dict[str, int]:
    return ledger.transact(
        lambda s: s.approve_claim(
            bank="ICBC", reference=loan, amount_fen=fen, effective_date=day, actor=MANAGER
        )
    )


def _reject(ledger: RiskLedger, reason: str = "材料不全", day: date = DECIDED_ON) -> bool:
    return ledger.transact(
        lambda s: s.reject_claim(
            bank="ICBC", reference="K2", reason=reason, effective_date=day, actor=MANAGER
        )
    )


def _counted(ledger: RiskLedger) -> tuple[int, dict, int, dict]:
    """What an approval counts: the claimant's account and the product's exposure, versioned."""
    account = ledger.repository.get(ClaimantAccount.create_id("KCD", "JSDB"))
    exposure = ledger.repository.get(exposure_id("KCD"))
    return account.version, dict(account.counted), exposure.version, dict(exposure.compensations)


def test_the_same_approval_again_returns_its_burdens_and_counts_nothing_twice(ledger):
    burdens = _approve(ledger)
    loss_base = Session(ledger).claim_of("ICBC", "K1")[1].loss_base_fen
    written, counted = ledger.event_count(), _counted(ledger)

    # The whole loss base, by default or named, on the same day: the first answer, no event.
    assert _approve(ledger) == burdens
    assert _approve(ledger, loss_base) == burdens
    assert ledger.event_count() == written
    assert _counted(ledger) == counted


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"fen": 1_000_000_00}, "amount"), ({"day": date(2024, 9, 21)}, "date")],
)
def test_another_amount_or_day_for_an_approved_claim_is_a_conflict(ledger, changes, field):
    _approve(ledger)
    written = ledger.event_count()

    with pytest.raises(Conflict) as refused:
        _approve(ledger, **changes)

    assert refused.value.field == field, str(refused.value)
    assert ledger.event_count() == written


def test_paying_a_claim_whose_legs_are_all_paid_pays_nothing_and_writes_nothing(ledger):
    _approve(ledger)

    def pay(s: Session) -> dict[str, int]:
        return s.pay_legs(
            bank="ICBC", reference="K1", parties=None, effective_date=DECIDED_ON, actor=MANAGER
        )

    assert ledger.transact(pay)  # the pool's and re-guarantor's legs to JSDB
    written, funds = ledger.event_count(), ledger.get_pool("KS-POOL").available_fen
    assert ledger.transact(pay) == {}
    assert (ledger.event_count(), ledger.get_pool("KS-POOL").available_fen) == (written, funds)
    assert _approve(ledger) == Session(ledger).claim_of("ICBC", "K1")[1].burdens
    assert ledger.event_count() == written


def test_the_same_rejection_again_writes_nothing_and_another_is_a_conflict(ledger):
    assert _reject(ledger) is True
    assert ledger.get_loan("ICBC", "K2").open_claim is None
    written = ledger.event_count()

    assert _reject(ledger) is False
    for changes, field in [({"reason": "用途不符"}, "reason"), ({"day": START}, "date")]:
        with pytest.raises(Conflict) as refused:
            _reject(ledger, **changes)
        assert refused.value.field == field, str(refused.value)
    assert ledger.event_count() == written


def test_an_approved_claim_is_not_rejected(ledger):
    _approve(ledger)
    written = ledger.event_count()
    with pytest.raises(RuleViolation):
        ledger.transact(
            lambda s: s.reject_claim(
                bank="ICBC",
                reference="K1",
                reason="材料不全",
                effective_date=DECIDED_ON,
                actor=MANAGER,
            )
        )
    assert ledger.event_count() == written
