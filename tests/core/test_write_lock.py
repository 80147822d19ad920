"""core/write_lock.py: SQLite writers queue for the database and the lock never outlives its transaction, whichever
way the transaction ends; PostgreSQL takes none."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api
from tests.parts.support import assert_ledger_matches, create_part, restock
from wrenchwork.core.db import make_engine
from wrenchwork.core.write_lock import QUEUE_SUFFIX, SUFFIX, WriteLock, WriteLockedConnection


def _lock_of(engine: Engine) -> WriteLock:
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, WriteLockedConnection)
        assert driver.write_lock is not None
        return driver.write_lock


def _file_locked(path: Path) -> bool:
    """Whether anyone, this process included, holds a flock on `path`: a flock through a file opened anew conflicts
    with every other open file's."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _thread_lock_taken(lock: WriteLock) -> bool:
    try:
        lock.acquire(timeout=0.2)
    except sqlite3.OperationalError:
        return True
    lock.release()
    return False


def assert_free(lock: WriteLock) -> None:
    assert not _thread_lock_taken(lock), "a thread of this process still holds the write lock"
    assert not _file_locked(lock.path), "the write lock file is still locked"
    assert not _file_locked(lock.queue_path), "the turnstile is still locked"


def assert_held(lock: WriteLock) -> None:
    """Held by this process's transaction, which let go of the turnstile once it had the lock."""
    assert _file_locked(lock.path)
    assert _thread_lock_taken(lock)
    assert not _file_locked(lock.queue_path)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file of its own (whichever database the suite runs on) with one table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent)"))
    yield engine
    engine.dispose()


def test_the_lock_files_sit_next_to_the_database(sqlite_engine: Engine, tmp_path: Path) -> None:
    lock = _lock_of(sqlite_engine)
    assert lock.path == (tmp_path / f"locks.db{SUFFIX}").resolve()
    assert lock.queue_path == (tmp_path / f"locks.db{QUEUE_SUFFIX}").resolve()
    assert lock.path.is_file()
    assert lock.queue_path.is_file()


def test_a_transaction_holds_the_lock_until_it_commits_or_rolls_back(sqlite_engine: Engine) -> None:
    lock = _lock_of(sqlite_engine)
    assert_free(lock)
    with sqlite_engine.connect() as connection:
        connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
        assert_held(lock)
        connection.commit()
        assert_free(lock)
        connection.execute(text("SELECT count(*) FROM parent"))  # reads take it too: every BEGIN is IMMEDIATE
        assert_held(lock)
        connection.rollback()
        assert_free(lock)
        connection.execute(text("INSERT INTO parent (id) VALUES (2)"))
    # Closed with the transaction open: the pool's reset rolls it back.
    assert_free(lock)
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM parent")).scalars().all() == [1]


def test_an_error_inside_a_transaction_releases_the_lock(sqlite_engine: Engine) -> None:
    lock = _lock_of(sqlite_engine)
    with pytest.raises(IntegrityError), sqlite_engine.begin() as connection:
        connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
        connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
    assert_free(lock)
    with pytest.raises(RuntimeError), Session(sqlite_engine) as session, session.begin():
        session.execute(text("INSERT INTO parent (id) VALUES (3)"))
        raise RuntimeError("a bug in a service")
    assert_free(lock)


def test_a_failed_commit_keeps_the_lock_until_the_rollback(sqlite_engine: Engine) -> None:
    lock = _lock_of(sqlite_engine)
    with Session(sqlite_engine) as session:
        # A deferred foreign key fails at COMMIT, and SQLite leaves the transaction open.
        session.execute(text("PRAGMA defer_foreign_keys=ON"))
        session.execute(text("INSERT INTO child (id, parent_id) VALUES (1, 42)"))
        with pytest.raises(IntegrityError):
            session.commit()
        assert_held(lock)
        session.rollback()
        assert_free(lock)
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM child")).scalar() == 0


def test_a_begin_that_fails_releases_the_lock(sqlite_engine: Engine, tmp_path: Path) -> None:
    lock = _lock_of(sqlite_engine)
    event.listen(sqlite_engine, "connect", lambda dbapi_conn, _record: dbapi_conn.execute("PRAGMA busy_timeout=100"))
    sqlite_engine.dispose()  # connect again, with the short timeout
    # A program that does not take the lock (the sqlite3 shell) writes meanwhile.
    outsider = sqlite3.connect(tmp_path / "locks.db", isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(OperationalError, match="database is locked"),  # as any statement's (core/db.py)
            sqlite_engine.connect() as connection,
        ):
            connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
        assert_free(lock)
    finally:
        outsider.rollback()
        outsider.close()
    with sqlite_engine.begin() as connection:
        connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
    assert_free(lock)


def test_a_thread_waits_its_turn_and_then_times_out_like_sqlite(sqlite_engine: Engine) -> None:
    lock = _lock_of(sqlite_engine)
    lock.acquire(timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            lock.acquire(timeout=0.3)
        assert time.monotonic() - started >= 0.3
    finally:
        lock.release()
    assert_free(lock)


def test_a_waiting_transaction_gets_the_lock_right_after_its_release(tmp_path: Path) -> None:
    """Not at SQLite's busy handler's next try (it would sleep 1, 2, 5, 10, 15, 20, 25 ms ...), but at once: the
    PM generation pass and requests take turns on the lock without sleeping through its release."""
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


def _waits_for_a_flock(pid: int) -> bool:
    """Whether process `pid` is blocked on a flock (Linux lists blocked requests in /proc/locks as `-> FLOCK`)."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1:3] == ["->", "FLOCK"] and fields[5] == str(pid):
            return True
    return False


_WAITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wrenchwork.core.write_lock import for_database

    lock = for_database(sys.argv[1])
    lock.acquire(timeout=1)
    Path(sys.argv[2]).touch()
    time.sleep(0.3)
    lock.release()
    """
)


def test_a_process_that_releases_the_lock_queues_behind_the_one_waiting(sqlite_engine: Engine, tmp_path: Path) -> None:
    lock = _lock_of(sqlite_engine)
    had_it = tmp_path / "waiter had the lock"
    lock.acquire(timeout=1)
    waiter = subprocess.Popen([sys.executable, "-c", _WAITER, str(tmp_path / "locks.db"), str(had_it)])
    try:
        deadline = time.monotonic() + 60
        while not _waits_for_a_flock(waiter.pid):
            assert waiter.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        assert _file_locked(lock.queue_path)  # it waits at the lock, holding the turnstile
        lock.release()
        lock.acquire(timeout=1)  # at once: without the turnstile this takes the lock back before the waiter wakes
        assert had_it.exists()
        lock.release()
        assert waiter.wait(60) == 0
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()
    assert_free(lock)


def test_a_forked_child_waits_for_its_parents_transaction(sqlite_engine: Engine, tmp_path: Path) -> None:
    lock = _lock_of(sqlite_engine)
    acquired_at = tmp_path / "child acquired at"
    with sqlite_engine.begin() as connection:  # the parent is in a transaction as it forks
        connection.execute(text("INSERT INTO parent (id) VALUES (1)"))
        child = os.fork()
        if child == 0:  # pragma: no cover (the child reports through its exit status)
            try:
                lock.acquire(timeout=5)  # its own thread lock, and its own file: it waits for the parent's commit
                acquired_at.write_text(repr(time.monotonic()))
                lock.release()
            finally:
                os._exit(0 if acquired_at.exists() else 1)
        time.sleep(0.5)
        released_at = time.monotonic()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert float(acquired_at.read_text()) >= released_at
    assert_free(lock)


# Each process: two threads, each incrementing one counter row `ROUNDS` times, read then write, with SQLite's busy
# handler off. Without the write lock the second writer's BEGIN IMMEDIATE fails at once: "database is locked".
_WRITER = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from sqlalchemy import event, text
    from wrenchwork.core.db import make_engine

    url, go, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    engine = make_engine(url)
    event.listen(engine, "connect", lambda dbapi_conn, _record: dbapi_conn.execute("PRAGMA busy_timeout=0"))
    errors = []

    def work():
        try:
            for _ in range(rounds):
                with engine.begin() as connection:
                    value = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    time.sleep(0.001)
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except Exception as exc:
            errors.append(repr(exc))

    while not go.exists():
        time.sleep(0.01)
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\\n".join(errors))
    sys.exit(1 if errors else 0)
    """
)


def test_writers_of_two_processes_queue_and_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'counter.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter (n) VALUES (0)"))
    go, rounds = tmp_path / "go", 100
    argv = [sys.executable, "-c", _WRITER, url, str(go), str(rounds)]
    writers = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    try:
        go.touch()
        outputs = [writer.communicate(timeout=120)[0].decode() for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar() == 2 * 2 * rounds
    engine.dispose()


def test_failing_requests_leave_the_lock_free(api: Api, engine: Engine, session: Session) -> None:
    part = create_part(api, "Belt", on_hand_qty="1", unit_cost="2.00")
    non_stock = create_part(api, "Grease", is_non_stock=True)
    failures = [
        api.patch(f"/parts/{non_stock['id']}/restock", json={"quantity": "1", "cost": "1.00"}),
        api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": "-5", "note": "counted"}),
        api.patch(f"/parts/{part['id']}/restock", json={"quantity": "-1", "cost": "1.00"}),
        api.patch("/parts/999999/restock", json={"quantity": "1", "cost": "1.00"}),
    ]
    assert [response.status_code for response in failures] == [422, 422, 422, 404]
    if engine.dialect.name == "sqlite":
        assert_free(_lock_of(engine))
    # And the next write goes through, on the stock the failures left alone.
    after = restock(api, part["id"], "2", "5.00")
    assert (after["on_hand_qty"], after["avg_unit_cost"]) == (3, 4)
    assert assert_ledger_matches(session, part["id"]).on_hand_qty == Decimal(3)
    assert ok(api.get(f"/parts/{non_stock['id']}"))["on_hand_qty"] == 0


def test_only_sqlite_takes_the_write_lock(engine: Engine) -> None:
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if engine.dialect.name == "sqlite":
            assert isinstance(driver, WriteLockedConnection)
            assert driver.write_lock is not None
        else:  # PostgreSQL: row locks, and not a lock file in sight
            assert not isinstance(driver, WriteLockedConnection)
            assert not hasattr(driver, "write_lock")
