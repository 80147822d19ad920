"""The sweep of uploads never linked (`POST /attachments`): past their day, rows and bytes go.

Run by the server's background runner (pm_schedules/scheduler.py) with the PM generation pass. Rows are deleted in
small committed batches; their bytes go after each commit (files/lifecycle.py), so a crash leaves at worst bytes
without a row, which `wrenchwork files check --fix` removes. Any number of processes may sweep at once.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core import clock
from wrenchwork.files import lifecycle
from wrenchwork.files.repository import delete_expired

BATCH = 200


def sweep_expired(sessions: sessionmaker[Session], stop: threading.Event | None = None) -> int:
    """Removes every unlinked upload past its day; returns how many."""
    removed = 0
    while stop is None or not stop.is_set():
        with sessions() as session:
            keys = delete_expired(session, clock.now(), BATCH)
            lifecycle.doomed(session, keys)
            session.commit()
        removed += len(keys)
        if len(keys) < BATCH:
            break
    return removed
