"""Reversals in the application (R13): saved with everything that follows from them.

A reversed leg gives the pool its money back, which pays the legs queued on it; a reversed
leg of a guaranteed or insured claim comes off the guarantee or the policy; a reversed
repayment puts its principal back on the product's covered outstanding. Any sequence of
money events and reversals keeps every invariant, and reversing everything returns every
balance to where it started.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor
from domain.errors import DomainError, RuleViolation
from domain.ids import exposure_id
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.close_of_business import close_business_day
from ledger.settings import Settings
from ledger.terms_file import load_terms
from projections.invariants import check_invariants
from projections.runner import ReadModels, open_engine
from projections.schema import covers

PRODUCTS = Path(__file__).resolve().parents[2] / "examples" / "products"
MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 9, 1)
APPROVED_ON = date(2024, 9, 20)
LATE = date(2025, 12, 31)  # when the reversals are made: after every event they reverse
USCC = "91320505MA1ABCDE09"
REASON = "keyed by mistake"
SCHEDULER = Actor("riskledger", "night-batch", "scheduler")
LEG_REVERSAL_REFS = itertools.count(1)


class InMemory(Settings):
    """Settings of a ledger held in memory: the properties run hundreds of short histories."""

    def event_store_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def _institutions(s: Session, *institutions: tuple[str, str, str | None]) -> None:
    for code, kind, level in institutions:
        s.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=START,
            actor=MANAGER,
        )
    s.add_enterprise(uscc=USCC, name="某科技", region="苏州", effective_date=START, actor=MANAGER)


def _lend(s: Session, product: str, loan: str, fen: int, default: bool) -> None:
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
        bank="ICBC", reference=loan, amount_fen=fen, value_date=START, ref=f"{loan}-D", actor=CLERK
    )
    if default:
        s.declare_default(
            bank="ICBC", reference=loan, default_date=DEFAULT_DAY, reason="破产", actor=CLERK
        )


# -- a direct product: the property over any history ----------------------------------------

SKD = parse_terms(
    {
        "code": "SKD",
        "name": "苏科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.province": 3500, "pool.city": 3500, "bank": 3000},
    }
)
POOLS = {"province": "JS-POOL", "city": "SZ-POOL"}
CLAIMED = ("L2", "L3")


def _direct_programme(ledger: RiskLedger) -> None:
    """苏科贷 with a rich province pool and a poor city pool; L1 runs, L2 and L3 are claimed,
    L2's legs paid (so it takes recoveries), L3's not."""

    def programme(s: Session) -> None:
        _institutions(
            s,
            ("KJJ", "operator", None),
            ("JS-FIN", "pool_owner", "province"),
            ("SZ-FIN", "pool_owner", "city"),
            ("ICBC", "bank", None),
        )
        s.define_product(terms=SKD, actor=MANAGER)
        for (level, code), (owner, fen) in zip(
            POOLS.items(), [("JS-FIN", 1_000_000_00), ("SZ-FIN", 200_000_00)], strict=True
        ):
            s.open_pool(
                code=code,
                name=code,
                owner=owner,
                level=level,
                products=["SKD"],
                effective_date=START,
                actor=MANAGER,
            )
            s.fund_pool(
                pool=code,
                amount_fen=fen,
                funder=owner,
                ref="F0",
                effective_date=START,
                actor=MANAGER,
            )
        _lend(s, "SKD", "L1", 1_000_000_00, default=False)
        for loan, fen in zip(CLAIMED, (400_000_00, 500_000_00), strict=True):
            _lend(s, "SKD", loan, fen, default=True)
            s.file_claim(bank="ICBC", reference=loan, ref="C", filed_on=DEFAULT_DAY, actor=CLERK)
            s.approve_claim(
                bank="ICBC",
                reference=loan,
                amount_fen=None,
                effective_date=APPROVED_ON,
                actor=MANAGER,
            )

        s.pay_legs(
            bank="ICBC", reference="L2", parties=None, effective_date=APPROVED_ON, actor=MANAGER
        )

    ledger.transact(programme)


@dataclass
class Balances:
    """Every balance a reversal may move, read from the aggregates."""

    pools: dict[str, tuple[int, int, int]]
    loan: tuple[int, int, int, str]
    claims: dict[str, tuple[int, dict[str, Any], str]]
    covered_fen: int

    @classmethod
    def of(cls, ledger: RiskLedger) -> Balances:
        s = Session(ledger)
        pools = {}
        for code in POOLS.values():
            pool = s.pool(code)
            pools[code] = (pool.contributed_fen, pool.paid_out_fen, pool.recovered_fen)
            assert pool.available_fen >= 0, f"{code} below zero (R10)"
        loan = s.loan("ICBC", "L1")
        assert 0 <= loan.outstanding_fen <= loan.principal_fen
        claims = {}
        for reference in CLAIMED:
            _, claim = s.claim_of("ICBC", reference)
            claims[reference] = (claim.recovered_fen, dict(claim.legs_paid), claim.state)
        covered = ledger.repository.get(exposure_id("SKD")).covered_fen
        return cls(
            pools=pools,
            loan=(
                loan.outstanding_fen,
                loan.principal_repaid_fen,
                loan.interest_repaid_fen,
                loan.state,
            ),
            claims=claims,
            covered_fen=covered,
        )


def _paid_legs(ledger: RiskLedger) -> set[tuple[str, str]]:
    s = Session(ledger)
    return {(loan, payer) for loan in CLAIMED for payer in s.claim_of("ICBC", loan)[1].legs_paid}


OPS = st.one_of(
    st.tuples(st.just("fund"), st.sampled_from(sorted(POOLS.values())), st.integers(1, 300_000_00)),
    st.tuples(st.just("repay"), st.integers(0, 600_000_00), st.integers(0, 10_000_00)),
    st.tuples(st.just("pay"), st.sampled_from(CLAIMED), st.just(0)),
    st.tuples(st.just("recover"), st.sampled_from(CLAIMED), st.integers(1, 200_000_00)),
    st.tuples(st.just("reverse"), st.integers(0, 20), st.just(0)),
)


def _command(op: tuple[str, Any, int], number: int, standing: list[tuple[str, ...]]):
    """Returns the command an op gives, and the money event it records (None: a reversal)."""
    kind, target, fen = op
    ref = f"X{number}"
    if kind == "fund":
        owner = {"JS-POOL": "JS-FIN", "SZ-POOL": "SZ-FIN"}[target]
        return (
            lambda s: s.fund_pool(
                pool=target,
                amount_fen=fen,
                funder=owner,
                ref=ref,
                effective_date=START,
                actor=MANAGER,
            ),
            ("contribution", target, ref),
        )
    if kind == "repay":
        return (
            lambda s: s.repay(
                bank="ICBC",
                reference="L1",
                principal_fen=target,
                interest_fen=fen,
                value_date=START,
                ref=ref,
                actor=CLERK,
            ),
            ("repayment", ref),
        )
    if kind == "pay":
        return (
            lambda s: s.pay_legs(
                bank="ICBC",
                reference=target,
                parties=None,
                effective_date=APPROVED_ON,
                actor=MANAGER,
            ),
            None,
        )
    if kind == "recover":
        return (
            lambda s: s.record_recovery(
                bank="ICBC",
                reference=target,
                amount_fen=fen,
                ref=ref,
                effective_date=APPROVED_ON,
                actor=CLERK,
            ),
            ("recovery", target, ref),
        )
    return _reversal(standing[target % len(standing)]) if standing else (lambda s: None), None


def _reversal(event: tuple[str, ...]):
    kind, *key = event
    if kind == "contribution":
        return lambda s: s.reverse_contribution(
            pool=key[0], ref=key[1], reason=REASON, effective_date=LATE, actor=MANAGER
        )
    if kind == "repayment":
        return lambda s: s.reverse_repayment(
            bank="ICBC", reference="L1", ref=key[0], reason=REASON, effective_date=LATE, actor=CLERK
        )
    if kind == "recovery":
        return lambda s: s.reverse_recovery(
            bank="ICBC",
            reference=key[0],
            ref=key[1],
            reason=REASON,
            effective_date=LATE,
            actor=CLERK,
        )
    ref = f"RV-{next(LEG_REVERSAL_REFS)}"  # each reversal its own: a leg may be paid again
    return lambda s: s.reverse_leg_payment(
        bank="ICBC",
        reference=key[0],
        party=key[1],
        ref=ref,
        reason=REASON,
        effective_date=LATE,
        actor=MANAGER,
    )


def _apply(
    ledger: RiskLedger, command, recorded, standing: list[tuple[str, ...]], undoing=None
) -> bool:
    """Runs one command; a refusal writes nothing. Keeps `standing` the money events in force."""
    before, legs_before = ledger.event_count(), _paid_legs(ledger)
    try:
        answer = ledger.transact(command)
    except DomainError:
        assert ledger.event_count() == before, "a refused command wrote events"
        return False
    if undoing is not None:
        standing.remove(undoing)
    elif recorded is not None and answer is not None and answer is not False:
        standing.append(recorded)
    # Legs paid by the command, at once or from a queue the money arriving paid (R10).
    standing.extend(("leg", *leg) for leg in sorted(_paid_legs(ledger) - legs_before))
    assert check_invariants(ledger) == []
    Balances.of(ledger)
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, max_size=14))
def test_any_history_of_money_events_and_reversals_keeps_the_invariants_and_unwinds(ops):
    ledger = RiskLedger(InMemory(operator="pytest"))
    _direct_programme(ledger)
    start = Balances.of(ledger)
    standing: list[tuple[str, ...]] = []
    for number, op in enumerate(ops):
        command, recorded = _command(op, number, standing)
        undoing = standing[op[1] % len(standing)] if op[0] == "reverse" and standing else None
        _apply(ledger, command, recorded, standing, undoing)
    # Undo the legs first (money back in a pool may pay queued legs: those are undone too),
    # then the recoveries, then the money in: no reversal can then find a pool short (R10).
    for kinds in (("leg",), ("recovery",), ("contribution", "repayment")):
        while todo := [event for event in standing if event[0] in kinds]:
            assert _apply(ledger, _reversal(todo[-1]), None, standing, todo[-1]), todo[-1]
    assert standing == []
    end = Balances.of(ledger)
    assert end.pools == start.pools
    assert end.loan == start.loan
    assert end.covered_fen == start.covered_fen
    assert end.claims == start.claims


# -- guaranteed and insured claims: the cover's record of a leg follows ----------------------


def _covered_ledger(db_url: str, product: str) -> RiskLedger:
    ledger = RiskLedger(Settings(db=db_url, operator="pytest"))
    terms = replace(load_terms(PRODUCTS / f"{product}.toml"), leverage_multiple=50)

    def programme(s: Session) -> None:
        _institutions(
            s,
            ("KJJ", "operator", None),
            ("KS-FIN", "pool_owner", "county"),
            ("ICBC", "bank", None),
            ("JSDB", "guarantor", None),
            ("JSZDB", "reguarantor", None),
            ("PICC", "insurer", None),
        )
        s.define_product(terms=terms, actor=MANAGER)
        if terms.structure == "guaranteed":
            s.open_pool(
                code="KS-POOL",
                name="县池",
                owner="KS-FIN",
                level="county",
                products=[terms.code],
                effective_date=START,
                actor=MANAGER,
            )
            s.fund_pool(
                pool="KS-POOL",
                amount_fen=1_000_000_00,
                funder="KS-FIN",
                ref="F1",
                effective_date=START,
                actor=MANAGER,
            )
        s.register_loan(
            bank="ICBC",
            reference="K1",
            uscc=USCC,
            product=terms.code,
            principal_fen=5_000_000_00,
            annual_rate_bps=400,
            term_months=12,
            start_date=START,
            actor=CLERK,
        )
        s.disburse(
            bank="ICBC",
            reference="K1",
            amount_fen=5_000_000_00,
            value_date=START,
            ref="D1",
            actor=CLERK,
        )
        if terms.structure == "guaranteed":
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
        else:
            s.issue_policy(
                insurer="PICC",
                bank="ICBC",
                reference="K1",
                number="P-001",
                coverage_bps=7000,
                premium_rate_bps=200,
                issued_on=START,
                actor=MANAGER,
            )
        s.declare_default(
            bank="ICBC", reference="K1", default_date=DEFAULT_DAY, reason="破产", actor=CLERK
        )
        guarantor = None
        if terms.structure == "guaranteed":
            guarantor = "JSDB"
            s.make_guarantee_payout(
                guarantor="JSDB",
                bank="ICBC",
                reference="K1",
                amount_fen=None,
                ref="DC1",
                effective_date=DEFAULT_DAY,
                actor=MANAGER,
            )
        s.file_claim(
            bank="ICBC",
            reference="K1",
            ref="C1",
            filed_on=DEFAULT_DAY,
            actor=CLERK,
            guarantor=guarantor,
        )
        s.approve_claim(
            bank="ICBC", reference="K1", amount_fen=None, effective_date=APPROVED_ON, actor=MANAGER
        )
        s.pay_legs(
            bank="ICBC", reference="K1", parties=None, effective_date=APPROVED_ON, actor=MANAGER
        )

    ledger.transact(programme)
    return ledger


def _reverse_leg(ledger: RiskLedger, party: str):
    return ledger.transact(
        lambda s: s.reverse_leg_payment(
            bank="ICBC",
            reference="K1",
            party=party,
            ref=f"RV-{party}",
            reason=REASON,
            effective_date=LATE,
            actor=MANAGER,
        )
    )


def _cover_row(ledger: RiskLedger) -> dict[str, Any]:
    engine = open_engine(ledger.settings.read_model_url())
    try:
        ReadModels(ledger, engine).catch_up()
        with engine.connect() as connection:
            return dict(connection.execute(covers.select()).mappings().one())
    finally:
        engine.dispose()


def test_a_reversed_leg_to_the_guarantor_comes_off_its_reimbursements(db_url):
    ledger = _covered_ledger(db_url, "kechuangdai")
    guarantee = Session(ledger).guarantee_on(ledger.get_loan("ICBC", "K1").id)
    assert guarantee is not None and guarantee.reimbursed == {
        "reguarantor": 1_500_000_00,
        "pool.county": 500_000_00,
    }
    assert _reverse_leg(ledger, "reguarantor") == (1_500_000_00, True)
    assert _reverse_leg(ledger, "pool.county") == (500_000_00, True)
    guarantee = Session(ledger).guarantee_on(ledger.get_loan("ICBC", "K1").id)
    assert guarantee is not None and guarantee.reimbursed == {}
    assert ledger.get_pool("KS-POOL").available_fen == 1_000_000_00
    assert check_invariants(ledger) == []
    assert _cover_row(ledger)["reimbursed_fen"] == 0


def test_the_guarantors_own_leg_is_its_payout_and_is_not_reversed_as_a_leg(db_url):
    ledger = _covered_ledger(db_url, "kechuangdai")
    before = ledger.event_count()
    with pytest.raises(RuleViolation) as refused:
        _reverse_leg(ledger, "guarantor")
    assert (refused.value.rule, refused.value.field) == ("R13", "party")
    assert ledger.event_count() == before


def test_a_reversed_insurer_leg_comes_off_the_policys_claims_paid(db_url):
    ledger = _covered_ledger(db_url, "kejibao")
    assert _reverse_leg(ledger, "insurer") == (3_500_000_00, True)
    policy = Session(ledger).policy_on(ledger.get_loan("ICBC", "K1").id)
    assert policy is not None and policy.claims_paid_fen == 0
    assert check_invariants(ledger) == []
    assert _cover_row(ledger)["claims_paid_fen"] == 0
    # The leg is payable again, and the policy pays it once more.
    ledger.transact(
        lambda s: s.pay_insurer_leg(
            insurer="PICC", bank="ICBC", reference="K1", effective_date=LATE, actor=MANAGER
        )
    )
    assert check_invariants(ledger) == []


# -- the invariant checker names a reversal of more than it reverses -------------------------


def _tampered(ledger: RiskLedger, tamper) -> list[str]:
    """Saves what `tamper` does to the session's aggregates, skipping every domain check."""
    session = Session(ledger)
    tamper(session)
    ledger.save(*session.touched())
    return check_invariants(ledger)


def test_the_checker_names_a_contribution_reversed_for_more_than_it_brought():
    ledger = RiskLedger(InMemory(operator="pytest"))
    _direct_programme(ledger)
    found = _tampered(
        ledger,
        lambda s: s.pool("JS-POOL")._contribution_reversed(
            ref="F0", amount_fen=1_000_000_01, reason=REASON, effective_date=LATE, actor=MANAGER
        ),
    )
    assert any("less those reversed" in v and "(R13)" in v for v in found), found


def test_the_checker_names_a_repayment_reversed_for_more_than_was_repaid():
    ledger = RiskLedger(InMemory(operator="pytest"))
    _direct_programme(ledger)
    ledger.transact(
        lambda s: s.repay(
            bank="ICBC",
            reference="L1",
            principal_fen=100_00,
            interest_fen=0,
            value_date=START,
            ref="P1",
            actor=CLERK,
        )
    )
    found = _tampered(
        ledger,
        lambda s: s.loan("ICBC", "L1")._repayment_reversed(
            ref="P1",
            principal_fen=200_00,
            interest_fen=0,
            value_date=START,
            reason=REASON,
            effective_date=LATE,
            actor=CLERK,
        ),
    )
    assert any("its repayments less those reversed" in v for v in found), found


def test_the_checker_names_a_recovery_reversed_with_other_parts_than_were_shared():
    ledger = RiskLedger(InMemory(operator="pytest"))
    _direct_programme(ledger)
    ledger.transact(
        lambda s: s.record_recovery(
            bank="ICBC",
            reference="L2",
            amount_fen=100_00,
            ref="REC-1",
            effective_date=LATE,
            actor=CLERK,
        )
    )
    found = _tampered(
        ledger,
        lambda s: s.claim_of("ICBC", "L2")[1]._recovery_reversed(
            ref="REC-1",
            amount_fen=200_00,
            shares={"bank": 200_00},
            reason=REASON,
            effective_date=LATE,
            actor=CLERK,
        ),
    )
    assert any("recoveries less those reversed" in v for v in found), found


def test_a_loan_active_again_is_reviewed_again_at_the_next_close_of_business():
    ledger = RiskLedger(InMemory(operator="pytest"))
    _direct_programme(ledger)
    paid_off_on = date(2024, 6, 30)
    ledger.transact(
        lambda s: s.repay(
            bank="ICBC",
            reference="L1",
            principal_fen=1_000_000_00,
            interest_fen=0,
            value_date=paid_off_on,
            ref="P1",
            actor=CLERK,
        )
    )
    assert close_business_day(ledger, date(2024, 7, 1), SCHEDULER).loans_reviewed == 2
    ledger.transact(
        lambda s: s.reverse_repayment(
            bank="ICBC",
            reference="L1",
            ref="P1",
            reason=REASON,
            effective_date=date(2024, 7, 2),
            actor=CLERK,
        )
    )
    closing = close_business_day(ledger, date(2024, 7, 2), SCHEDULER)
    assert closing.loans_reviewed == 3
    loan = ledger.get_loan("ICBC", "L1")
    # Its interest has been unpaid since 2024-03-01: past the 90 days of default (R5, R6).
    assert (loan.classification, loan.state, loan.default_date) == (
        "substandard",
        "defaulted",
        date(2024, 5, 30),
    )
    assert check_invariants(ledger) == []
