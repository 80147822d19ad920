"""SQLite's write lock (core/db.py): a waiting transaction gets it about a millisecond after its release, and
gives up with "database is locked" after the busy timeout."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from wrenchwork.core import db
from wrenchwork.core.db import make_engine


def test_a_waiting_transaction_gets_the_lock_right_after_its_release(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    lates: list[float] = []

    def wait(got: list[float]) -> None:
        with engine.begin() as waiter:
            waiter.execute(text("SELECT 1"))
            got.append(time.monotonic())

    for _ in range(5):
        got: list[float] = []
        with engine.begin() as holder:
            holder.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the lock is this connection's
            thread = threading.Thread(target=wait, args=(got,))
            thread.start()
            time.sleep(0.06)  # SQLite's own handler would next try 78 ms after it began to wait: 18 ms late
            released = time.monotonic()
        thread.join(10)
        lates.append(got[0] - released)
    engine.dispose()

    assert statistics.median(lates) < 0.01, lates


def test_a_transaction_gives_up_after_the_busy_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT", 0.2)
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as holder:
        holder.execute(text("SELECT 1"))
        started = time.monotonic()
        with pytest.raises(Exception, match="database is locked"), engine.begin() as waiter:
            waiter.execute(text("SELECT 1"))
        waited = time.monotonic() - started
    engine.dispose()

    assert 0.2 <= waited < 2
