"""Time travel: a report as of a date, or as known at a time, equals a replay of only the
events that moment sees — whether the read models were folded bit by bit or rebuilt.

Random command sequences give back-dated repayments, reversals, defaults and claims in
any order the ledger accepts; refused commands are part of the game.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from city_programme import CLERK, DAY, MANAGER, USCC, city_programme
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from ledger.app import RiskLedger, Session
from ledger.close_of_business import close_business_day
from ledger.settings import Settings
from projections.dated import Moment
from projections.reports import (
    NOW,
    loan_book,
    party_statistics,
    period_statistics,
    pool_balances,
    product_statistics,
)
from projections.runner import ReadModels, open_engine, replay

START = date(2024, 2, 1)
LOANS = ("L1", "L2", "L3")


def _reports(engine: Any, moment: Moment) -> dict[str, Any]:
    return {
        "pools": pool_balances(engine, moment),
        "products": product_statistics(engine, moment),
        "parties": party_statistics(engine, moment),
        "loans": loan_book(engine, moment),
        "quarters": period_statistics(engine, "quarter", moment),
    }


def _replayed(ledger: RiskLedger, moment: Moment) -> dict[str, Any]:
    engine = open_engine("sqlite://")
    try:
        replay(ledger, engine, moment)
        return _reports(engine, NOW)
    finally:
        engine.dispose()


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


def _command(kind: str, loan: str, offset: int, amount: int, n: int) -> Callable[[Session], Any]:
    day, ref = _day(offset), f"{kind}-{n}"
    commands: dict[str, Callable[[Session], Any]] = {
        "register": lambda s: s.register_loan(
            bank="ICBC",
            reference=loan,
            uscc=USCC,
            product="TKD",
            principal_fen=amount * 1000,
            annual_rate_bps=385,
            term_months=12,
            start_date=day,
            actor=CLERK,
        ),
        "disburse": lambda s: s.disburse(
            bank="ICBC",
            reference=loan,
            amount_fen=amount * 1000,
            value_date=day,
            ref=ref,
            actor=CLERK,
        ),
        "repay": lambda s: s.receive_payment(
            bank="ICBC",
            reference=loan,
            amount_fen=amount * 100,
            value_date=day,
            ref=ref,
            actor=CLERK,
        ),
        # The explicit form takes a repayment value-dated before the last one.
        "settle": lambda s: s.repay(
            bank="ICBC",
            reference=loan,
            principal_fen=amount * 100,
            interest_fen=amount * 10,
            value_date=day,
            ref=ref,
            actor=CLERK,
        ),
        "reverse": lambda s: s.reverse_repayment(
            bank="ICBC",
            reference=loan,
            ref=f"{'settle' if amount % 2 else 'repay'}-{n - 1}",
            reason="错账",
            effective_date=day,
            actor=CLERK,
        ),
        "default": lambda s: s.declare_default(
            bank="ICBC", reference=loan, default_date=day, reason="破产", actor=CLERK
        ),
        "claim": lambda s: s.file_claim(
            bank="ICBC", reference=loan, ref=ref, filed_on=day, actor=CLERK
        ),
        "approve": lambda s: s.approve_claim(
            bank="ICBC", reference=loan, amount_fen=None, effective_date=day, actor=MANAGER
        ),
        "pay": lambda s: s.pay_legs(
            bank="ICBC", reference=loan, parties=None, effective_date=day, actor=MANAGER
        ),
        "recover": lambda s: s.record_recovery(
            bank="ICBC",
            reference=loan,
            amount_fen=amount * 100,
            ref=ref,
            effective_date=day,
            actor=MANAGER,
        ),
        "fund": lambda s: s.fund_pool(
            pool="SZ-P",
            amount_fen=amount * 1000,
            funder="SZ-FIN",
            ref=ref,
            effective_date=day,
            actor=MANAGER,
        ),
    }
    return commands[kind]


KINDS = (
    "register",
    "disburse",
    "repay",
    "settle",
    "reverse",
    "default",
    "claim",
    "approve",
    "pay",
    "recover",
    "fund",
    "close",
)
steps = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from(LOANS),
        st.integers(0, 400),  # days after START: commands arrive back-dated as often as not
        st.integers(1, 5000),
        st.booleans(),  # fold the read models after this command
    ),
    min_size=5,
    max_size=30,
)


@settings(max_examples=40)
@given(steps=steps, as_of=st.integers(-30, 430), cut=st.floats(0, 1))
def test_reports_at_a_moment_equal_a_replay_of_what_it_sees(
    steps: list[tuple[str, str, int, int, bool]], as_of: int, cut: float
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ledger = RiskLedger(Settings(db=str(Path(folder) / "t.db")))
        engine = open_engine(ledger.settings.read_model_url())
        try:
            ledger.transact(lambda s: city_programme(s, funds_fen=10_000_000_00))
            incremental = ReadModels(ledger, engine)
            for n, (kind, loan, offset, amount, fold) in enumerate(steps):
                try:
                    if kind == "close":
                        close_business_day(ledger, _day(offset), MANAGER)
                    else:
                        ledger.transact(_command(kind, loan, offset, amount, n))
                except DomainError:
                    pass  # refused: nothing written, and the sequence goes on
                if fold:
                    incremental.catch_up()
            incremental.catch_up()

            stamps = [
                ledger.mapper.to_domain_event(n).timestamp
                for n in ledger.recorder.select_notifications(start=1, limit=10_000)
            ]
            moments = [
                NOW,
                Moment(as_of=_day(as_of)),
                Moment(as_of=DAY - timedelta(days=1)),  # before the programme began
                Moment(known_at=stamps[int(cut * (len(stamps) - 1))]),
                Moment(as_of=_day(as_of), known_at=stamps[int(cut * (len(stamps) - 1))]),
            ]
            rebuilt = ReadModels(ledger, open_engine("sqlite://"))
            rebuilt.catch_up()
            for moment in moments:
                expected = _replayed(ledger, moment)
                assert _reports(engine, moment) == expected, moment
                assert _reports(rebuilt.engine, moment) == expected, moment
            rebuilt.engine.dispose()
        finally:
            engine.dispose()
            ledger.close()


def test_a_back_dated_repayment_counts_on_its_value_date_and_a_reversal_on_its_own() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ledger = RiskLedger(Settings(db=str(Path(folder) / "t.db")))
        engine = open_engine(ledger.settings.read_model_url())
        try:
            ledger.transact(lambda s: city_programme(s, funds_fen=10_000_000_00))
            for kind, offset, amount in (("register", 0, 3000), ("disburse", 0, 3000)):
                ledger.transact(_command(kind, "L1", offset, amount, 0))
            ledger.transact(_command("settle", "L1", 60, 2000, 1))  # recorded first, 2024-04-01
            ledger.transact(_command("settle", "L1", 30, 1000, 2))  # back-dated, 2024-03-02
            ReadModels(ledger, engine).catch_up()

            def repaid(moment: Moment) -> int:
                (row,) = product_statistics(engine, moment)
                return row["repaid_fen"] + row["interest_fen"]

            assert repaid(Moment(as_of=_day(29))) == 0
            assert repaid(Moment(as_of=_day(30))) == 110_000
            assert repaid(Moment(as_of=_day(60))) == 330_000
            ledger.transact(
                lambda s: s.reverse_repayment(
                    bank="ICBC",
                    reference="L1",
                    ref="settle-2",
                    reason="错账",
                    effective_date=_day(90),
                    actor=CLERK,
                )
            )
            ReadModels(ledger, engine).catch_up()
            assert repaid(Moment(as_of=_day(60))) == 330_000  # the books said so on that day
            assert repaid(Moment(as_of=_day(90))) == 220_000
            assert repaid(NOW) == 220_000
        finally:
            engine.dispose()
            ledger.close()
