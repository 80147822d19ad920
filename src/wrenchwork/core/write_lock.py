"""SQLite writers wait in line for the database instead of polling for it.

Every SQLite transaction starts with `BEGIN IMMEDIATE` (core/db.py): it takes the database's one write lock. When
another process holds it, SQLite's busy handler sleeps and tries again, sleeping longer each time (1, 2, 5, 10 ...
up to 100 ms). A writer that sleeps through the moment the lock comes free loses it to whoever asks next, often
the process that just let go, and may lose again and again: with two server processes and 32 clients restocking
one part, the slowest hundredth of the requests took seconds, several times as long as with one process, while
the typical request was as fast as ever (docs/performance.md).

So a transaction first takes this module's lock, and its `BEGIN IMMEDIATE` then finds SQLite's lock free: within a
process a `threading.Lock`, then across processes an exclusive `flock` on a file beside the database
(`<database>-writelock`). A process waiting for a `flock` sleeps in the kernel and is woken the moment it is
released. The kernel does not queue `flock` waiters, though: a process that releases the lock and at once asks
again can take it back before the process it woke gets a CPU, which on a busy machine happens again and again. So
the lock is reached through a turnstile, a second file (`<database>-writequeue`): a process holds the turnstile
while it waits for the lock and lets go of it once it has the lock. At most one process waits at the lock itself,
and the one that just released it queues at the turnstile behind that one: with two processes wanting to write,
they take turns. Programs that do not take the lock (the `sqlite3` shell, a backup) still meet SQLite's busy
handler, as before.

The lock lives exactly as long as the SQLite transaction: `WriteLockedConnection` releases it when the driver's
connection commits, rolls back or closes, whichever way that comes about (the request's commit, the rollback of an
error, the pool's reset of a connection handed back, an invalidated connection), and a failing `BEGIN IMMEDIATE`
never keeps it. A request's handler runs without awaiting anything and its commit runs in a thread handed the
work at once (core/routing.py), so the lock is never held across a client's I/O. Waiting for this process's other
threads ends after the busy timeout with SQLite's "database is locked", as SQLite's own wait would; waiting for
another process lasts as long as that process holds the lock, and the kernel releases a `flock` when its process
ends, however it ends. PostgreSQL has row locks and none of this: its engine never uses this module.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: a process queues its own threads; other processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("wrenchwork.db")

SUFFIX = "-writelock"
QUEUE_SUFFIX = "-writequeue"


class WriteLock:
    """The write lock of one SQLite database file, shared by every connection of this process to it."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}{SUFFIX}")
        self.queue_path = Path(f"{database}{QUEUE_SUFFIX}")
        self._threads = threading.Lock()
        self._files: tuple[int, int] | None = None
        self._usable = fcntl is not None
        self._pid = os.getpid()

    def acquire(self, timeout: float) -> None:
        """Waits for this process's other threads for at most `timeout` seconds (then SQLite's own "database is
        locked" error), then for other processes as long as they hold it."""
        self._forget_parent()
        if not self._threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            files = self._open()
            if files is not None:
                lock, queue = files
                fcntl.flock(queue, fcntl.LOCK_EX)
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                finally:
                    fcntl.flock(queue, fcntl.LOCK_UN)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._pid != os.getpid():
            return  # taken before a fork: it is the parent's to release
        try:
            if self._files is not None:
                fcntl.flock(self._files[0], fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _forget_parent(self) -> None:
        """In a forked child: a thread lock and files of its own. A `flock` belongs to an open file, and the
        inherited files are the parent's (closed here: they would keep a lock of the parent's alive); the thread
        lock may have been taken by one of the parent's threads, which the child does not have."""
        if self._pid == os.getpid():
            return
        for inherited in self._files or ():
            os.close(inherited)
        self._threads, self._files, self._pid = threading.Lock(), None, os.getpid()

    def _open(self) -> tuple[int, int] | None:
        """The lock file and the turnstile, opened once per process. None when they cannot be created (a read-only
        directory, or no `flock`): this process then queues its own threads only."""
        if self._files is None and self._usable:
            # Read-only suffices for flock, and lets another user's process (the CLI) share the files.
            flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC
            try:
                lock = os.open(self.path, flags, 0o644)
                try:
                    self._files = (lock, os.open(self.queue_path, flags, 0o644))
                except OSError:
                    os.close(lock)
                    raise
            except OSError as exc:
                self._usable = False
                message = "no write lock file: only this process's writers queue"
                log.warning(message, extra={"fields": {"error": str(exc)}})
        return self._files


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
    _query_only = False

    def begin_read(self) -> None:
        """A deferred transaction that may not write: it takes no lock and sees the database as it was at its
        first read (WAL), however long writers of other connections take meanwhile."""
        self._set_query_only(True)
        self.execute("BEGIN")

    def begin_immediate(self, timeout: float) -> None:
        self._set_query_only(False)
        lock = self.write_lock
        if lock is not None and self._holding is None:
            lock.acquire(timeout)
            self._holding = lock
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def _set_query_only(self, on: bool) -> None:
        """SQLite's `query_only`: a write in a read transaction fails ("attempt to write a readonly database")
        rather than taking the write lock behind this module's back. Changed only when the kind changes."""
        if self._query_only != on:
            self.execute(f"PRAGMA query_only={int(on)}")
            self._query_only = on

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
