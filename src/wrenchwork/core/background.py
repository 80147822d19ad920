"""Background work in a server process: a job run every few seconds in a thread of its own (PM generation,
webhook delivery, imports). A thread rather than an event-loop task: the jobs are synchronous database and network work,
and the thread leaves the event loop to the requests. `start()` as the app starts, `stop()` as it shuts down;
a job in progress is asked to finish through the `stop` event it is given."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("wrenchwork.background")

Job = Callable[[threading.Event], object]


def run_every(
    job: Job, interval: float, stop: threading.Event, name: str = "background job", wake: threading.Event | None = None
) -> None:
    """`job` at once, then again `interval` seconds after each run ends, or as soon as `wake` is set, until `stop`
    is set. A run that fails as a whole (the database is unreachable, say) is logged, and the next one tries
    again."""
    while not stop.is_set():
        if wake is not None:
            wake.clear()  # a wake from here on is seen by the wait below
        try:
            job(stop)
        except Exception:
            log.exception(f"{name} failed")
        (wake or stop).wait(interval)


class Runner:
    """A job's thread: `start()`, `wake()` (run now rather than at the end of the interval), `stop()`."""

    def __init__(self, name: str, job: Job, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(
            target=run_every,
            args=(job, interval, self._stop, name, self._wake),
            name=f"wrenchwork-{name}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
