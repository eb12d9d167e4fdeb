"""`riskledger projections follow`, killed at any moment, resumes exactly where it stopped.

The follower starts on a backlog of a few thousand events (the demo programme) while the
test keeps writing more. It is SIGKILLed mid-catch-up (once its first batch is committed and
the next is being folded), before it has even started, and at random moments, then started
again. In the end, stopped with SIGTERM, its read models must equal a fresh rebuild and its
position the ledger's last event: nothing folded twice, nothing missed.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from following import (
    FollowerProcess,
    differences,
    read_model_tables,
    read_models_of,
    wait_until,
)

from ledger.app import RiskLedger
from ledger.demo.build import build_demo
from ledger.demo.institutions import FUND_MANAGER, POOLS
from ledger.settings import Settings
from projections.runner import BATCH

DEMO_LOANS = 100  # over 2,000 events: several batches of the runner
RANDOM_KILLS = 2
CONTRIBUTIONS_PER_ROUND = 10
SEED = 11


def _contribute(ledger: RiskLedger, ref: str) -> None:
    """One more event in the ledger: a contribution into the city pool."""
    pool = POOLS[1]
    ledger.transact(
        lambda s: s.fund_pool(
            pool=pool.code,
            amount_fen=1_000_00,
            funder=pool.owner,
            ref=ref,
            effective_date=pool.funding_days[-1],
            actor=FUND_MANAGER,
        )
    )


def test_a_follower_killed_at_any_moment_resumes_where_it_stopped(
    db_url: str, tmp_path: Path
) -> None:
    ledger = RiskLedger(Settings(db=db_url))
    build_demo(ledger, seed=SEED, loans=DEMO_LOANS)
    models = read_models_of(ledger)
    rng = random.Random(SEED)
    log = tmp_path / "follow.log"
    backlog = ledger.recorder.max_notification_id() or 0
    assert backlog > 2 * BATCH, "the backlog must take the follower several batches"

    # Killed mid-catch-up: the first batch is committed, the second is being folded.
    follower = FollowerProcess(db_url, log).start()
    wait_until(lambda: models.position() >= BATCH, "the follower's first batch")
    assert follower.kill() == -signal.SIGKILL
    killed_at = models.position()
    assert BATCH <= killed_at < backlog, "the kill was meant to land mid-catch-up"

    # Killed before it could fold anything: still starting up.
    assert FollowerProcess(db_url, log).start().kill() == -signal.SIGKILL
    assert models.position() == killed_at

    # Killed at random moments while the ledger keeps taking events.
    for round_number in range(RANDOM_KILLS):
        follower = FollowerProcess(db_url, log).start()
        for n in range(CONTRIBUTIONS_PER_ROUND):
            _contribute(ledger, f"FOLLOW-{round_number}-{n}")
        time.sleep(rng.uniform(0.0, 1.5))
        assert follower.kill() == -signal.SIGKILL

    # Started once more: it catches up with everything, while more events arrive.
    follower = FollowerProcess(db_url, log).start()
    for n in range(CONTRIBUTIONS_PER_ROUND):
        _contribute(ledger, f"FOLLOW-LAST-{n}")
    last_event = ledger.recorder.max_notification_id()
    wait_until(lambda: models.position() == last_event, "the follower to catch up")
    assert follower.stop() == 0, follower.output()
    output = follower.output()
    assert f"stopped at position {last_event}, 0 behind" in output, output
    assert "Traceback" not in output, output

    followed = read_model_tables(models.engine)
    models.rebuild()
    assert models.position() == last_event
    assert differences(followed, read_model_tables(models.engine)) == []
    models.engine.dispose()
    ledger.close()
