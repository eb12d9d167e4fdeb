"""Keeping the read models caught up from a process of their own: fold, wait, fold again.

The follower polls the notification log: it folds whatever was recorded since its position,
then waits `interval` seconds (or less, when woken). Each batch's rows and the new position
are committed together (see `projections.runner`), so the process can be killed at any
moment: a batch cut short is rolled back whole, and the next start resumes from the last
position committed, folding nothing twice and missing nothing. A stop asked for (SIGTERM,
Ctrl-C) is honoured between batches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.persistence import OperationalError as StoreOperationalError
from sqlalchemy.exc import OperationalError as ReadModelOperationalError

from projections.runner import ProjectionRaceError, ReadModels

# How long to wait before trying again after the database could not be reached.
RETRY_CAP_SECONDS = 30.0


@dataclass(frozen=True)
class Lag:
    """Where the follower stands: what it has folded, what the ledger holds, how fast it goes."""

    position: int
    last_event: int
    # Positions folded since the previous report: the events, plus on PostgreSQL any ids a
    # rolled-back write left unused.
    folded: int
    seconds: float  # since the previous report

    @property
    def behind(self) -> int:
        """Notification positions recorded but not folded yet (0 when caught up)."""
        return max(self.last_event - self.position, 0)

    @property
    def rate(self) -> float:
        """Events folded per second since the previous report."""
        return self.folded / self.seconds if self.seconds > 0 else 0.0


class _StopRequested(Exception):
    """Raised between two batches to leave a long catch-up early; nothing is left half done."""


class Follower:
    """Folds new events into the read models until asked to stop, reporting the lag."""

    def __init__(
        self,
        models: ReadModels,
        *,
        interval: float,
        report_every: float,
        report: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models = models
        self.interval = interval
        self.report_every = report_every
        self._report = report
        self._clock = clock
        self._stop = threading.Event()
        self._folded_since_report = 0
        self._last_report = clock()
        self._position = 0
        self.folded = 0

    def stop(self) -> None:
        """Asks the follower to stop after the batch it is folding (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def lag(self) -> Lag:
        """Where the read models stand now, with the rate since the previous report."""
        return Lag(
            position=self.models.position(),
            last_event=self.models.app.recorder.max_notification_id() or 0,
            folded=self._folded_since_report,
            seconds=self._clock() - self._last_report,
        )

    def run(self, *, once: bool = False) -> int:
        """Folds until stopped (or, with `once`, until caught up); returns the events folded."""
        start = self.lag()
        how = "catching up once" if once else f"polling every {self.interval:g} s"
        self._report(f"following from position {start.position}, {start.behind} behind; {how}")
        failures = 0
        while not self.stopping:
            try:
                # Counted from here: what another runner folds meanwhile is not ours.
                self._position = self.models.position()
                self.models.catch_up(self._between_batches)
            except _StopRequested:
                break
            except ProjectionRaceError:
                continue  # another runner folded those events: carry on from its position
            except (ReadModelOperationalError, StoreOperationalError) as error:
                failures += 1
                wait = min(RETRY_CAP_SECONDS, self.interval * 2**failures)
                first_line = (str(error).splitlines() or [""])[0]
                self._report(f"database unavailable ({first_line}); retrying in {wait:.1f} s")
                self._stop.wait(wait)
                continue
            failures = 0
            if once:
                break
            self._report_if_due()
            self._stop.wait(self.interval)
        final = self.lag()
        self._report(f"stopped at position {final.position}, {final.behind} behind")
        return self.folded

    def _between_batches(self, position: int, last: int) -> None:
        """Called after each committed batch: counts it, reports during a long catch-up, and
        honours a stop asked for meanwhile."""
        self._add(position - self._position)
        self._position = position
        self._report_if_due()
        if self.stopping:
            raise _StopRequested

    def _add(self, folded: int) -> None:
        self.folded += folded
        self._folded_since_report += folded

    def _report_if_due(self) -> None:
        if self._clock() - self._last_report < self.report_every:
            return
        lag = self.lag()
        self._report(
            f"position {lag.position}, last event {lag.last_event}, lag {lag.behind}; "
            f"folded {lag.folded} in {lag.seconds:.1f} s ({lag.rate:,.0f} events/s)"
        )
        self._folded_since_report = 0
        self._last_report = self._clock()
