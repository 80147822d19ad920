"""SQLite writers wait in line for the database instead of polling for it.

Every SQLite transaction starts with `BEGIN IMMEDIATE` (core/db.py): it takes the database's one write lock. When
another process holds it, SQLite's busy handler sleeps and tries again, sleeping longer each time (1, 2, 5, 10 ...
up to 100 ms). A writer that sleeps through the moment the lock comes free loses it to whoever asks next, often
the process that just let go, and may lose again and again: with two server processes and 32 clients restocking
one part, the slowest hundredth of the requests took 2.2-2.4 s (0.35 s with one process), while the typical
request was as fast as ever.

So a transaction first takes a lock of this module, then sends `BEGIN IMMEDIATE`, which then finds SQLite's lock
free: within a process a `threading.Lock`, then across processes an exclusive `flock` on a file next to the
database (`<database>-writelock`). A process that waits for the `flock` sleeps in the kernel and is woken the
moment the lock is released, before the releasing process, which is still answering its request, can ask again.
Programs that do not take the lock (the `sqlite3` shell, a backup) still meet SQLite's busy handler, as before.

The lock lives exactly as long as the SQLite transaction: `WriteLockedConnection` releases it when the driver's
connection commits, rolls back or closes, whichever way that comes about (the request's commit, the rollback of an
error, the pool's reset of a connection handed back, an invalidated connection), and a failing `BEGIN IMMEDIATE`
never keeps it. A request never awaits while its transaction is open (core/routing.py), so the lock is never held
across a client's I/O. The kernel releases a `flock` when its process ends, however it ends. PostgreSQL has row
locks and none of this: its engine never uses this module.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("wrenchwork.db")

SUFFIX = "-writelock"


class WriteLock:
    """The write lock of one SQLite database file, shared by every connection of this process to it."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}{SUFFIX}")
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    def acquire(self, timeout: float) -> None:
        """Waits for this process's other threads for at most `timeout` seconds (then SQLite's own "database is
        locked" error), and for other processes as long as they hold it."""
        if not self._threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            fd = self._descriptor()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _descriptor(self) -> int | None:
        """The lock file, opened once per process. A `flock` belongs to an open file, so a forked child must open
        its own or it would share its parent's. None when it cannot be created (a read-only directory): this
        process then queues its own threads only."""
        if self._pid != os.getpid():
            self._fd, self._pid = None, os.getpid()
        if self._fd is None:
            try:
                # Read-only suffices for flock, and lets another user's process (the CLI) share the file.
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                log.warning(
                    "no write lock file: queueing this process's writers only", extra={"fields": {"error": str(exc)}}
                )
                return None
        return self._fd


_LOCKS: dict[Path, WriteLock] = {}
_LOCKS_GUARD = threading.Lock()


def for_database(database: str) -> WriteLock:
    """This process's lock of a SQLite database file (one per file, however many engines open it)."""
    path = Path(database).resolve()
    with _LOCKS_GUARD:
        lock = _LOCKS.get(path)
        if lock is None:
            lock = _LOCKS[path] = WriteLock(path)
        return lock


class WriteLockedConnection(sqlite3.Connection):
    """A sqlite3 connection whose transactions hold `write_lock` (none for an in-memory database) from
    `begin_immediate` until the transaction ends."""

    write_lock: WriteLock | None = None
    _holding: WriteLock | None = None

    def begin_immediate(self, timeout: float) -> None:
        lock = self.write_lock
        if lock is not None and self._holding is None:
            lock.acquire(timeout)
            self._holding = lock
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_unless_open()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_unless_open()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def __del__(self) -> None:
        # A connection dropped without close(): SQLite ends its transaction, so the lock goes too.
        self._release()

    def _release_unless_open(self) -> None:
        """After a COMMIT or ROLLBACK: a failed COMMIT can leave the transaction open, and the lock stays with it
        until the rollback that follows."""
        try:
            still_open = self.in_transaction
        except sqlite3.ProgrammingError:  # closed
            still_open = False
        if not still_open:
            self._release()

    def _release(self) -> None:
        lock, self._holding = self._holding, None
        if lock is not None:
            lock.release()
