"""The nightly close-of-business job and how APScheduler is set to run it (no sleeping)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.actor import Actor
from domain.terms_parsing import parse_terms
from ledger.app import RiskLedger, Session
from ledger.scheduler import (
    JOB_ID,
    TIMEZONE,
    build_scheduler,
    business_day_ended,
    close_of_business_job,
)
from ledger.settings import Settings

MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor("ICBC", "bob", "cli")
USCC = "91320505MA1ABCDE09"


def _one_loan_unpaid_since_january(session: Session) -> None:
    day = date(2024, 1, 2)
    for code, kind, level in (("SZ-FIN", "pool_owner", "city"), ("ICBC", "bank", None)):
        session.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=day,
            actor=MANAGER,
        )
    session.add_enterprise(
        uscc=USCC, name="某科技", region="苏州", effective_date=day, actor=MANAGER
    )
    session.define_product(
        terms=parse_terms(
            {
                "code": "TKD",
                "name": "通科贷",
                "structure": "direct",
                "effective_from": date(2024, 1, 1),
                "shares": {"pool.city": 8000, "bank": 2000},
            }
        ),
        actor=MANAGER,
    )
    session.open_pool(
        code="SZ-P",
        name="市池",
        owner="SZ-FIN",
        level="city",
        products=["TKD"],
        effective_date=day,
        actor=MANAGER,
    )
    session.fund_pool(
        pool="SZ-P",
        amount_fen=1_000_000_00,
        funder="SZ-FIN",
        ref="C1",
        effective_date=day,
        actor=MANAGER,
    )
    session.register_loan(
        bank="ICBC",
        reference="L1",
        uscc=USCC,
        product="TKD",
        principal_fen=100_000_00,
        annual_rate_bps=400,
        term_months=12,
        start_date=date(2024, 1, 31),
        actor=CLERK,
    )
    session.disburse(
        bank="ICBC",
        reference="L1",
        amount_fen=100_000_00,
        value_date=date(2024, 1, 31),
        ref="D1",
        actor=CLERK,
    )


def test_the_scheduler_closes_each_day_at_half_past_midnight_china_time(tmp_path: Path):
    settings = Settings(db=str(tmp_path / "s.db"), operator="ops")

    scheduler = build_scheduler(settings)

    assert isinstance(scheduler, BlockingScheduler)
    assert not scheduler.running
    (job,) = scheduler.get_jobs()
    assert job.id == JOB_ID
    assert job.func is close_of_business_job
    assert job.args == (settings,)
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["second"]) == ("0", "30", "0")
    assert job.trigger.timezone == TIMEZONE
    after_noon = datetime(2025, 3, 31, 12, 0, tzinfo=TIMEZONE)
    assert job.trigger.get_next_fire_time(None, after_noon) == datetime(
        2025, 4, 1, 0, 30, tzinfo=TIMEZONE
    )
    assert not Path(settings.db).exists(), "configuring the scheduler opened the ledger"


def test_a_scheduler_starting_closes_the_day_that_ended_at_once(tmp_path: Path):
    before = datetime.now(TIMEZONE)
    (job,) = build_scheduler(Settings(db=str(tmp_path / "s.db"))).get_jobs()
    # The jobs are kept in memory: a night missed while it was down is not remembered.
    assert before <= job.next_run_time <= datetime.now(TIMEZONE)


def test_the_run_time_can_be_moved():
    scheduler = build_scheduler(Settings(db="unused.db"), hour=23, minute=5)

    fields = {f.name: str(f) for f in scheduler.get_job(JOB_ID).trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("23", "5")


def test_the_day_closed_is_the_one_that_ended_last_in_china():
    # 16:30 UTC on 31 March is 00:30 on 1 April in Beijing: 31 March has ended.
    assert business_day_ended(datetime(2025, 3, 31, 16, 30, tzinfo=UTC)) == date(2025, 3, 31)
    assert business_day_ended(datetime(2025, 4, 1, 0, 30, tzinfo=TIMEZONE)) == date(2025, 3, 31)


def test_the_job_closes_the_day_as_the_scheduler_and_a_rerun_writes_nothing(db_url: str):
    settings = Settings(db=db_url, operator="ops")
    ledger = RiskLedger(settings)
    ledger.transact(_one_loan_unpaid_since_january)
    before = ledger.event_count()
    ledger.close()

    closing = close_of_business_job(settings, today=lambda: date(2024, 3, 15))
    again = close_of_business_job(settings, today=lambda: date(2024, 3, 15))

    assert (closing.closed_now, closing.loans_reviewed, closing.loans_classified) == (True, 1, 1)
    assert not again.closed_now
    ledger = RiskLedger(settings)
    try:
        written = [
            ledger.mapper.to_domain_event(n)
            for n in ledger.recorder.select_notifications(start=before + 1, limit=10)
        ]
    finally:
        ledger.close()
    assert [type(e).__name__ for e in written] == ["Classified", "Opened", "BusinessDayClosed"]
    assert {e.actor.channel for e in written} == {"scheduler"}
    assert {e.actor.operator for e in written} == {"ops"}
