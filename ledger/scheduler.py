"""The daily close-of-business job, run by APScheduler (DESIGN §6).

Shortly after midnight in China the job closes the business day just ended: every open loan
is classified (R5) and those past their product's threshold are defaulted (R6). A day closes
once: a rerun, a second scheduler or a clerk's `riskledger close-day` for the same date
writes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.actor import Actor
from ledger.app import RiskLedger
from ledger.close_of_business import DayClose, close_business_day
from ledger.settings import TIMEZONE, Settings

JOB_ID = "close-of-business"
RUN_AT_HOUR, RUN_AT_MINUTE = 0, 30
# The ledger itself closes the day; the operator who started the scheduler is recorded too.
SYSTEM = "riskledger"

log = logging.getLogger(__name__)


def business_day_ended(now: datetime | None = None) -> date:
    """Returns the business date that ended most recently in China (yesterday there)."""
    moment = now.astimezone(TIMEZONE) if now is not None else datetime.now(TIMEZONE)
    return moment.date() - timedelta(days=1)


def close_of_business_job(
    settings: Settings, today: Callable[[], date] = business_day_ended
) -> DayClose:
    """The scheduled job: closes the business day that just ended on the ledger `settings` name."""
    business_date = today()
    ledger = RiskLedger(settings)
    try:
        closing = close_business_day(
            ledger, business_date, Actor(SYSTEM, settings.operator, "scheduler")
        )
    finally:
        ledger.close()
    log.info(
        "business day %s %s: %d loans reviewed, %d classified, %d defaulted",
        closing.business_date,
        "closed" if closing.closed_now else "was already closed",
        closing.loans_reviewed,
        closing.loans_classified,
        closing.loans_defaulted,
    )
    for change in closing.breakers:
        log.warning("circuit breaker (R4): %s", change)
    return closing


def schedule_close_of_business(
    scheduler: BaseScheduler,
    settings: Settings,
    *,
    hour: int = RUN_AT_HOUR,
    minute: int = RUN_AT_MINUTE,
) -> None:
    """Adds the daily close-of-business job to `scheduler`, at `hour:minute` China time."""
    scheduler.add_job(
        close_of_business_job,
        CronTrigger(hour=hour, minute=minute, timezone=TIMEZONE),
        args=[settings],
        id=JOB_ID,
        name="close of business: classify and default loans",
        replace_existing=True,
        # The jobs live in memory, so a night missed while the scheduler was down is not
        # remembered: it closes the day that ended last as soon as it starts, then nightly.
        # A day closed already writes nothing; older missed days are closed with close-day
        # (defaults are dated by their due dates, whichever day's close finds them).
        next_run_time=datetime.now(TIMEZONE),
        coalesce=True,
        misfire_grace_time=int(timedelta(hours=1).total_seconds()),
        max_instances=1,
    )


def build_scheduler(
    settings: Settings, *, hour: int = RUN_AT_HOUR, minute: int = RUN_AT_MINUTE
) -> BlockingScheduler:
    """Returns a blocking scheduler that closes each business day; `start()` runs it."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    schedule_close_of_business(scheduler, settings, hour=hour, minute=minute)
    return scheduler
