"""The server's background runner: the PM generation pass (pm_schedules/engine.py) and the other periodic
jobs (`JOBS`: the sweep of expired unlinked uploads, files/expiry.py) every few seconds.

Every `wrenchwork serve` process runs them in a background thread while it serves (`WRENCHWORK_SCHEDULER_INTERVAL`
seconds apart, default 60; 0 turns it off), and `wrenchwork scheduler` runs it as a process of its own for
deployments that want one. Any number of them may run against one database: the engine makes each occurrence
exactly once whoever gets there first, and a sweep deletes only what is still expired. A thread rather than an
event-loop task: the jobs are synchronous database work, and the thread leaves the event loop to the requests. A
job takes the sessions and the stop event (set at shutdown: a job finishes its batch and returns).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.files.expiry import sweep_expired
from wrenchwork.pm_schedules.engine import run_pass

log = logging.getLogger("wrenchwork.pm")

Job = Callable[[sessionmaker[Session], threading.Event], object]


def _generate(sessions: sessionmaker[Session], stop: threading.Event) -> object:
    return run_pass(sessions, stop=stop)


JOBS: tuple[Job, ...] = (_generate, sweep_expired)


def run_safely(job: Job, sessions: sessionmaker[Session], stop: threading.Event) -> object:
    """One run of `job`; a run that fails as a whole (the database is unreachable, say) is logged, not raised."""
    try:
        return job(sessions, stop)
    except Exception:
        log.exception("background job failed", extra={"fields": {"job": getattr(job, "__name__", repr(job))}})
        return None


def run_every(
    sessions: sessionmaker[Session], interval: float, stop: threading.Event, jobs: Sequence[Job] = JOBS
) -> None:
    """Every job at once, then again every `interval` seconds (from the end of the previous round) until `stop` is
    set. A job in progress finishes its batch first."""
    while not stop.is_set():
        for job in jobs:
            if stop.is_set():
                break
            run_safely(job, sessions, stop)
        stop.wait(interval)


class Scheduler:
    """The background thread of a server process: `start()` as the app starts, `stop()` as it shuts down."""

    def __init__(self, sessions: sessionmaker[Session], interval: float, jobs: Sequence[Job] = JOBS) -> None:
        self.sessions = sessions
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=run_every, args=(sessions, interval, self._stop, jobs), name="wrenchwork-pm-scheduler", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
