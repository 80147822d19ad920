"""Running the generation pass (pm_schedules/engine.py) every few seconds.

Every `wrenchwork serve` process runs it in a background thread while it serves (`WRENCHWORK_SCHEDULER_INTERVAL`
seconds apart, default 60; 0 turns it off), and `wrenchwork scheduler` runs it as a process of its own for
deployments that want one. Any number of them may run against one database: the engine makes each occurrence
exactly once whoever gets there first. A thread rather than an event-loop task: the pass is synchronous
database work, and the thread leaves the event loop to the requests.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core.background import Runner
from wrenchwork.pm_schedules.engine import PassResult, run_pass

log = logging.getLogger("wrenchwork.pm")


def run_safely(sessions: sessionmaker[Session], stop: threading.Event | None = None) -> PassResult | None:
    """One pass; a pass that fails as a whole (the database is unreachable, say) is logged, not raised."""
    try:
        return run_pass(sessions, stop=stop)
    except Exception:
        log.exception("pm generation pass failed")
        return None


def run_every(sessions: sessionmaker[Session], interval: float, stop: threading.Event) -> None:
    """A pass at once, then one every `interval` seconds (from the end of the previous one) until `stop` is set.
    A pass in progress finishes its batch first."""
    while not stop.is_set():
        run_safely(sessions, stop)
        stop.wait(interval)


class Scheduler(Runner):
    """The background thread of a server process (core/background.py): `start()` as the app starts, `stop()` as it
    shuts down."""

    def __init__(self, sessions: sessionmaker[Session], interval: float) -> None:
        self.sessions = sessions
        super().__init__("pm-scheduler", lambda stop: run_safely(sessions, stop), interval)
