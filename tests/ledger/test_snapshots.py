"""Every aggregate can be snapshotted: its attributes go through the ledger's JSON transcoder
and come back equal to the aggregate replayed from its events.

A snapshot stores an aggregate's attributes as they are. They must therefore be plain data
(dicts with text keys, lists, whole numbers, text, dates, ids) or one of the records the
ledger registers a transcoding for; a set, a tuple, a dict keyed by date or id would fail to
store or come back different.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.actor import Actor
from domain.business_calendar import BusinessCalendar
from domain.claim import Claim
from domain.claimant_account import ClaimantAccount
from domain.enterprise import Enterprise
from domain.exposure import Exposure
from domain.guarantee import Guarantee
from domain.institution import Institution
from domain.loan import Loan
from domain.lpr import LprHistory
from domain.policy import InsurancePolicy
from domain.pool import RiskPool
from domain.product import Product
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.close_of_business import close_business_day
from ledger.settings import Settings
from ledger.terms_file import load_terms
from ledger.transcodings import snapshot_transcodings
from projections.invariants import check_invariants

PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
NIGHT = Actor("riskledger", "night-batch", "scheduler")
USCC = "91320505MA1ABCDE09"
START = date(2024, 2, 1)
SKD = parse_terms(
    {
        "code": "SKD",
        "name": "苏科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.province": 3500, "pool.city": 3500, "bank": 3000},
        "eligibility": {"qualifications": ["高新技术企业"]},
        "limits": {"lpr_spread": "100bp"},
    }
)
ALL_KINDS = {
    Institution,
    Enterprise,
    LprHistory,
    Product,
    RiskPool,
    Exposure,
    Loan,
    Claim,
    ClaimantAccount,
    Guarantee,
    InsurancePolicy,
    BusinessCalendar,
}


def _set_up(s: Session) -> None:
    for code, kind, level in [
        ("KJJ", "operator", None),
        ("JS-FIN", "pool_owner", "province"),
        ("SZ-FIN", "pool_owner", "city"),
        ("KS-FIN", "pool_owner", "county"),
        ("ICBC", "bank", None),
        ("JSDB", "guarantor", None),
        ("JSZDB", "reguarantor", None),
        ("PICC", "insurer", None),
    ]:
        s.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=date(2024, 1, 1),
            actor=MANAGER,
        )
    s.add_enterprise(
        uscc=USCC, name="苏州云帆", region="苏州", effective_date=date(2024, 1, 1), actor=MANAGER
    )
    s.grant_qualification(
        uscc=USCC,
        name="高新技术企业",
        valid_from=date(2023, 1, 1),
        valid_to=None,
        certificate="GR2023",
        actor=MANAGER,
    )
    s.blacklist_enterprise(uscc=USCC, reason="失信", effective_date=date(2024, 1, 5), actor=MANAGER)
    s.clear_enterprise(uscc=USCC, effective_date=date(2024, 1, 10), actor=MANAGER)
    s.set_lpr(effective_from=date(2024, 1, 20), rate_bps=345, actor=MANAGER)
    s.define_product(terms=SKD, actor=MANAGER)
    s.define_product(terms=replace(SKD, effective_from=date(2025, 1, 1)), actor=MANAGER)
    for name in ("kechuangdai", "kejibao"):
        s.define_product(terms=load_terms(PRODUCTS / f"{name}.toml"), actor=MANAGER)
    for code, owner, level, product, funds in [
        ("JS-POOL", "JS-FIN", "province", "SKD", 10_000_000_00),
        ("SZ-POOL", "SZ-FIN", "city", "SKD", 50_000_00),
        ("KS-POOL", "KS-FIN", "county", "KCD", 10_000_000_00),
    ]:
        s.open_pool(
            code=code,
            name=code,
            owner=owner,
            level=level,
            products=[product],
            effective_date=date(2024, 1, 1),
            actor=MANAGER,
        )
        s.fund_pool(
            pool=code,
            amount_fen=funds,
            funder=owner,
            ref=f"{code}-F1",
            effective_date=date(2024, 1, 1),
            actor=MANAGER,
        )


def _lend(s: Session, loan: str, product: str, fen: int, *, drawn_at_start: int) -> None:
    s.register_loan(
        bank="ICBC",
        reference=loan,
        uscc=USCC,
        product=product,
        principal_fen=fen,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        actor=CLERK,
    )
    s.disburse(
        bank="ICBC",
        reference=loan,
        amount_fen=drawn_at_start,
        value_date=START,
        ref=f"{loan}-D1",
        actor=CLERK,
    )


def _history(ledger: RiskLedger) -> None:
    """A programme's year: a loan drawn in tranches, a repayment reversed, a close of business
    that defaults three loans and suspends the bank, a direct claim whose city leg waits in
    the queue and is paid when funds arrive, a recovery, a leg reversal, a write-off, a
    guaranteed claim and an insured one."""
    ledger.transact(_set_up)

    def lend(s: Session) -> None:
        _lend(s, "L1", "SKD", 1_000_000_00, drawn_at_start=500_000_00)
        s.receive_payment(
            bank="ICBC",
            reference="L1",
            amount_fen=1_611_11,  # February's interest on the 50万 drawn: 29 days
            value_date=date(2024, 3, 1),
            ref="P1",
            actor=CLERK,
        )
        s.disburse(
            bank="ICBC",
            reference="L1",
            amount_fen=500_000_00,
            value_date=date(2024, 3, 15),
            ref="L1-D2",
            actor=CLERK,
        )
        s.repay(
            bank="ICBC",
            reference="L1",
            principal_fen=100_000_00,
            interest_fen=0,
            value_date=date(2024, 3, 20),
            ref="P2",
            actor=CLERK,
        )
        s.reverse_repayment(
            bank="ICBC",
            reference="L1",
            ref="P2",
            reason="重复入账",
            effective_date=date(2024, 3, 21),
            actor=CLERK,
        )
        _lend(s, "L2", "SKD", 400_000_00, drawn_at_start=400_000_00)
        _lend(s, "L3", "SKD", 200_000_00, drawn_at_start=200_000_00)
        _lend(s, "K1", "KCD", 5_000_000_00, drawn_at_start=5_000_000_00)
        _lend(s, "B1", "KJB", 3_000_000_00, drawn_at_start=3_000_000_00)
        s.issue_guarantee(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            contract="DB-001",
            coverage_bps=8000,
            fee_rate_bps=100,
            reguarantor="JSZDB",
            reguarantee_fee_bps=50,
            issued_on=START,
            actor=MANAGER,
        )
        s.pay_guarantee_fee(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=10_000_00,
            ref="FEE-1",
            paid_on=START,
            actor=MANAGER,
        )
        s.issue_policy(
            insurer="PICC",
            bank="ICBC",
            reference="B1",
            number="P-001",
            coverage_bps=7000,
            premium_rate_bps=200,
            issued_on=START,
            actor=MANAGER,
        )
        s.pay_premium(
            insurer="PICC",
            bank="ICBC",
            reference="B1",
            amount_fen=10_000_00,
            ref="PREM-1",
            paid_on=START,
            actor=MANAGER,
        )

    ledger.transact(lend)
    # Only L1 pays its first interest: on 31 May L1 is 60 days past due (关注), the others 91
    # days and in default since 30 May (R5, R6), which suspends ICBC under 苏科贷 (R4).
    close_business_day(ledger, date(2024, 5, 31), NIGHT)

    def claims(s: Session) -> None:
        default_day = date(2024, 9, 1)  # when the claims are filed and approved
        for loan in ("L2", "L3"):
            s.file_claim(bank="ICBC", reference=loan, ref="C1", filed_on=default_day, actor=CLERK)
            s.approve_claim(
                bank="ICBC",
                reference=loan,
                amount_fen=None,
                effective_date=default_day,
                actor=MANAGER,
            )
            # The city pool holds 5万: its legs of 14万 and 7万 wait in its queue (R10).
            s.pay_legs(
                bank="ICBC",
                reference=loan,
                parties=None,
                effective_date=default_day,
                actor=MANAGER,
            )
        # 10万 more pays L2's city leg; L3's waits on.
        s.fund_pool(
            pool="SZ-POOL",
            amount_fen=100_000_00,
            funder="SZ-FIN",
            ref="SZ-POOL-F2",
            effective_date=date(2024, 9, 10),
            actor=MANAGER,
        )
        s.record_recovery(
            bank="ICBC",
            reference="L2",
            amount_fen=40_000_00,
            ref="REC-1",
            effective_date=date(2024, 10, 1),
            actor=CLERK,
        )
        s.reverse_leg_payment(
            bank="ICBC",
            reference="L2",
            party="pool.province",
            ref="RV-1",
            reason="重复支付",
            effective_date=date(2024, 10, 2),
            actor=MANAGER,
        )
        s.write_off(
            bank="ICBC",
            reference="L2",
            effective_date=date(2024, 12, 31),
            reason="核销",
            actor=CLERK,
        )
        s.make_guarantee_payout(
            guarantor="JSDB",
            bank="ICBC",
            reference="K1",
            amount_fen=None,
            ref="DC-1",
            effective_date=default_day,
            actor=MANAGER,
        )
        s.file_claim(
            bank="ICBC",
            reference="K1",
            ref="C1",
            filed_on=default_day,
            actor=MANAGER,
            guarantor="JSDB",
        )
        s.file_claim(bank="ICBC", reference="B1", ref="C1", filed_on=default_day, actor=CLERK)
        for loan in ("K1", "B1"):
            s.approve_claim(
                bank="ICBC",
                reference=loan,
                amount_fen=None,
                effective_date=default_day,
                actor=MANAGER,
            )
        s.pay_legs(
            bank="ICBC", reference="K1", parties=None, effective_date=default_day, actor=MANAGER
        )
        s.pay_insurer_leg(
            insurer="PICC", bank="ICBC", reference="B1", effective_date=default_day, actor=MANAGER
        )

    ledger.transact(claims)


def _aggregate_ids(ledger: RiskLedger) -> list[UUID]:
    notifications = ledger.recorder.select_notifications(start=1, limit=100_000)
    return list(dict.fromkeys(n.originator_id for n in notifications))


def _plain(value: Any, path: str) -> list[str]:
    """Names what in `value` a snapshot cannot hold as it is: sets, tuples, custom objects
    without a registered transcoding, dict keys other than text."""
    records = tuple(transcoding.type for transcoding in snapshot_transcodings())
    if value is None or isinstance(value, str | int | date | UUID):
        return []
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _plain(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        found = [f"{path} has a key {key!r}" for key in value if not isinstance(key, str)]
        return found + [f for key, item in value.items() for f in _plain(item, f"{path}.{key}")]
    if isinstance(value, records) or type(value) is Actor:
        return []
    return [f"{path} is a {type(value).__name__}"]


def test_every_aggregate_loaded_from_its_snapshot_equals_it_replayed(db_url, monkeypatch):
    monkeypatch.setenv("IS_SNAPSHOTTING_ENABLED", "y")
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    _history(ledger)
    assert ledger.snapshots is not None

    # The records a snapshot must carry are all there: a bank suspended, a leg queued, a loan
    # drawn in two tranches, a leg reversal under its reference.
    session = Session(ledger)
    assert set(session.product("SKD").suspended_banks) == {"ICBC"}
    assert [leg.payer for leg in session.pool("SZ-POOL").queue.values()] == ["pool.city"]
    assert len(session.loan("ICBC", "L1").disbursements) == 2
    assert set(session.claim_of("ICBC", "L2")[1].leg_reversals) == {"RV-1"}

    kinds: set[type] = set()
    for aggregate_id in _aggregate_ids(ledger):
        replayed = ledger.repository.get(aggregate_id)
        kinds.add(type(replayed))
        assert _plain(dict(vars(replayed)), type(replayed).__name__) == []

        ledger.take_snapshot(aggregate_id)
        (snapshot,) = ledger.snapshots.get(aggregate_id, desc=True, limit=1)
        from_snapshot = snapshot.mutate(None)

        assert type(from_snapshot) is type(replayed)
        assert vars(from_snapshot) == vars(replayed), type(replayed).__name__

    assert kinds == ALL_KINDS

    # Aggregates now load from their snapshots, and the ledger carries on from them.
    loan = ledger.get_loan("ICBC", "L1")
    assert loan.statement_on(date(2024, 6, 30)).instalments[0].interest_fen == 1_611_11
    ledger.transact(
        lambda s: s.receive_payment(
            bank="ICBC",
            reference="L1",
            amount_fen=10_000_00,
            value_date=date(2024, 12, 1),
            ref="P3",
            actor=CLERK,
        )
    )
    ledger.transact(
        lambda s: s.pay_legs(
            bank="ICBC",
            reference="L2",
            parties=None,
            effective_date=date(2025, 1, 5),
            actor=MANAGER,
        )
    )
    ledger.transact(
        lambda s: s.record_recovery(
            bank="ICBC",
            reference="L2",
            amount_fen=10_000_00,
            ref="REC-2",
            effective_date=date(2025, 1, 5),
            actor=CLERK,
        )
    )
    assert check_invariants(ledger) == []
