"""Running queued imports in the background, in every server process (as pm_schedules/scheduler.py does).

An import runs in one transaction together with its job row's result, so a process killed midway leaves
nothing of it behind and the job waiting to run (`queued`, or `running` with nobody running it); the next
runner to look (this process after a restart, or any other) runs it again from the start. Claiming: on
PostgreSQL the runner holds the job's row lock (`FOR UPDATE SKIP LOCKED`) for the whole import, so other runners
skip it; on SQLite the import's transaction holds the database's write lock, so no other runner gets that far.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core.auth import Scope
from wrenchwork.core.background import Runner
from wrenchwork.core.model_base import utcnow
from wrenchwork.imports.engine import run_import
from wrenchwork.imports.repository import any_waiting, claim, job_scope, mark_running, next_job_id

log = logging.getLogger("wrenchwork.imports")


def run_next(sessions: sessionmaker[Session], progress: Callable[[int], None] | None = None) -> int | None:
    """Run the oldest waiting import, if any; its id."""
    with sessions.begin() as session:
        job_id = next_job_id(session)
        if job_id is None:
            return None
        mark_running(session, job_id)  # visible to GET /imports/{id} while it runs
    try:
        with sessions.begin() as session:
            job = claim(session, job_id)
            if job is None:  # another runner has it, or has finished it
                return job_id
            scope: Scope = job_scope(session, job)
            result = run_import(session, scope, job.content, job.resource, job.mode, progress)
            job.rows, job.created, job.updated, job.skipped = (
                result.rows,
                result.created,
                result.updated,
                result.skipped,
            )
            job.errors, job.unmatched_columns = result.errors, result.unmatched_columns
            job.status = "failed" if result.failed else "completed"
            job.finished_at = utcnow()
    except Exception:
        log.exception("import %s failed", job_id)
        with sessions.begin() as session:
            job = claim(session, job_id)
            if job is not None:
                job.status = "failed"
                job.errors = [{"row": None, "column": None, "field": None, "message": "The import stopped on an error"}]
                job.finished_at = utcnow()
    return job_id


def run_waiting(
    sessions: sessionmaker[Session], stop: threading.Event | None = None, reads: sessionmaker[Session] | None = None
) -> int:
    """Every waiting import, one after the other; how many ran. With `reads` (read sessions, which on SQLite take
    no write lock) it first looks whether any import waits at all, so an idle runner never queues for the lock."""
    count = 0
    while stop is None or not stop.is_set():
        try:
            if reads is not None:
                with reads() as session:
                    if not any_waiting(session):
                        break
            if run_next(sessions) is None:
                break
        except Exception:  # the database unreachable, say: try again at the next wake-up
            log.exception("import runner failed")
            break
        count += 1
    return count


class ImportRunner(Runner):
    """The background thread of a server process (core/background.py): woken by `POST /imports`, and every
    `interval` seconds in any case (to pick up an import a dead process left, or one posted to another process)."""

    def __init__(self, sessions: sessionmaker[Session], interval: float, reads: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reads = reads
        super().__init__("imports", lambda stop: run_waiting(sessions, stop, reads), interval)


def wake_runner(app: Any) -> None:
    """Tell this process's runner (if it has one) that an import was posted."""
    runner = getattr(app.state, "import_runner", None)
    if runner is not None:
        runner.wake()
