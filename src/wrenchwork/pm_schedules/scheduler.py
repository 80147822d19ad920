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

from wrenchwork.core import background
from wrenchwork.core.background import Runner
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


def run_round(sessions: sessionmaker[Session], stop: threading.Event, jobs: Sequence[Job] = JOBS) -> None:
    """Every job once, in order; once `stop` is set no further job starts (one in progress finishes its batch)."""
    for job in jobs:
        if stop.is_set():
            break
        run_safely(job, sessions, stop)


def run_every(
    sessions: sessionmaker[Session], interval: float, stop: threading.Event, jobs: Sequence[Job] = JOBS
) -> None:
    """A round at once, then again every `interval` seconds (from the end of the previous round) until `stop` is
    set: `wrenchwork scheduler`'s loop, the one of core/background.py."""
    background.run_every(lambda stop: run_round(sessions, stop, jobs), interval, stop, "pm scheduler")


class Scheduler(Runner):
    """The background thread of a server process (core/background.py): `start()` as the app starts, `stop()` as it
    shuts down."""

    def __init__(self, sessions: sessionmaker[Session], interval: float, jobs: Sequence[Job] = JOBS) -> None:
        self.sessions = sessions
        super().__init__("pm-scheduler", lambda stop: run_round(sessions, stop, jobs), interval)
