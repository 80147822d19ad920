"""SQLite writes of a process share their commits (group commit), and each is answered only once its commit is on
disk.

Why this steps around the session-per-request of core/routing.py: on SQLite a commit waits for the log's sync to
disk (`synchronous=FULL`, core/db.py), and with a work order's row, its indexes, its text index and its event that
sync was 1.2 ms of a create's 3 ms in-process. SQLite writes one transaction at a time anyway, and a process runs its
writes one after another on its writer loop (core/routing.py). So the writes that arrive while one is running or
syncing do not each pay a sync of their own: they run one after another on one connection, each in a savepoint of
one transaction (its session joins that connection with `join_transaction_mode="create_savepoint"`, so its commit
releases its savepoint and its rollback undoes only its own changes), and that transaction commits once when no
further write is waiting, or once it holds `MAX_WRITES` writes or is `MAX_AGE_S` old, so that a steady stream of
writes still commits. Every write of the group is answered after that one commit: a 2xx still means the write is
durable. A write answered 4xx or 5xx is rolled back to its savepoint and answered at once; if the group's commit
fails, every write of the group fails with it (a 500, as a failed commit always was). A group begins once it has the
write lock: the write that could not take it in time fails alone (503).

What a commit's hooks do that must wait for the disk (forget the cached API keys, remove a deleted file's bytes)
goes through `when_durable`, which runs them after the group's commit. A write that must not share a transaction (a
batch, whose ops commit one by one: `commits_alone`) first commits the open group and then runs on its own session.
Only writes on the writer loop are grouped; a multipart upload commits on the server's loop, where its body
arrives, on its own connection, which waits for the group's commit as any other writer does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

log = logging.getLogger("wrenchwork.db")

# A group commits once it holds this many writes or is this old, even while more writes wait: the first write of a
# group waits for the others, and under a steady stream of writes the queue would never empty.
MAX_WRITES = 64
MAX_AGE_S = 0.010
# `session.info` key of a grouped session: what runs once its group's commit is durable (`when_durable`).
DURABLE = "wrenchwork.when_durable"

E = TypeVar("E", bound=Callable[..., Any])


def commits_alone(endpoint: E) -> E:
    """Marks a route's endpoint whose request must have a transaction (or several) of its own, never in a group."""
    endpoint.commits_alone = True  # type: ignore[attr-defined]
    return endpoint


def when_durable(session: Session, action: Callable[[], None]) -> None:
    """`action()` once what `session` just committed is on disk: at once after a session's own commit, after its
    group's commit for a grouped session (whose commit only released its savepoint). Call from `after_commit`."""
    waiting: list[Callable[[], None]] | None = session.info.get(DURABLE)
    if waiting is None:
        action()
    else:
        waiting.append(action)


# A write's transaction on the session given (core/routing.py `transaction`), answered with its response.
Run = Callable[[Session], Coroutine[Any, Any, Response]]


class CommitGroup:
    """The open group of one SQLite database in this process. `expect()` is called where a write is handed to the
    writer loop, `write()` runs it there."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self._engine = engine
        self._sessions = sessions
        # Writes handed to the writer loop that have not started: while there are some, the group stays open.
        self._expected = 0
        self._expected_lock = threading.Lock()
        self._turn: asyncio.Lock | None = None  # one write at a time; made on the writer loop at first use
        self._connection: Connection | None = None
        self._opened_at = 0.0
        self._saved: list[asyncio.Future[None]] = []
        self._durable: list[Callable[[], None]] = []

    @property
    def queued(self) -> int:
        """Writes handed to the writer loop that have not started yet."""
        return self._expected

    def expect(self) -> None:
        with self._expected_lock:
            self._expected += 1

    async def write(self, run: Run, alone: bool = False) -> Response:
        """`run(session)`, on the writer loop (after `expect()`): answered once its group has committed."""
        with self._expected_lock:
            self._expected -= 1
        if self._turn is None:
            self._turn = asyncio.Lock()
        loop = asyncio.get_running_loop()
        async with self._turn:
            if alone or len(self._saved) >= MAX_WRITES or time.monotonic() - self._opened_at >= MAX_AGE_S:
                self._commit()
            if alone:
                return await run(self._sessions())
            try:
                response = await run(self._session())
            finally:
                loop.call_soon(self._commit_if_idle)
            if response.status_code >= 400:
                return response  # rolled back to its savepoint: nothing to wait for
            saved = loop.create_future()
            self._saved.append(saved)
        await saved
        return response

    def nested_session(self) -> Session:
        """The session of a write made by a write already running on the writer loop (a batch's op): in the open
        group's transaction if there is one, else a session of its own."""
        return self._session() if self._connection is not None else self._sessions()

    def _session(self) -> Session:
        if self._connection is None:
            connection = self._engine.connect()
            try:
                connection.begin()  # BEGIN IMMEDIATE (core/db.py): the group holds the write lock from here
            except BaseException:  # the lock stayed taken past the busy timeout: this write fails (503), not the next
                connection.close()
                raise
            self._connection, self._opened_at = connection, time.monotonic()
        return self._sessions(
            bind=self._connection, join_transaction_mode="create_savepoint", info={DURABLE: self._durable}
        )

    def _commit_if_idle(self) -> None:
        if self._turn is not None and self._turn.locked():
            return  # the write running schedules this again when it ends
        with self._expected_lock:
            if self._expected:
                return  # the last of them commits
        self._commit()

    def _commit(self) -> None:
        connection, saved, durable = self._connection, self._saved, self._durable
        if connection is None:
            return
        self._connection, self._saved, self._durable = None, [], []
        failure: BaseException | None = None
        try:
            if saved and not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
                # SQLite rolls a whole transaction back on some errors (a full disk, an I/O error): the writes
                # answered so far are not in the database, and committing now would commit nothing.
                raise RuntimeError("the group's transaction was rolled back by the database")
            connection.commit()
        except BaseException as exc:  # every write of the group is answered with it
            failure = exc
            log.error("a group of %d writes failed to commit", len(saved), exc_info=exc)
            with contextlib.suppress(Exception):  # its writes are answered below whatever happens here
                connection.invalidate()
        with contextlib.suppress(Exception):
            connection.close()
        if failure is None:
            for action in durable:
                try:
                    action()
                except Exception:
                    log.warning("an action after a commit failed", exc_info=True)
        for future in saved:
            if not future.done():
                if failure is None:
                    future.set_result(None)
                else:
                    future.set_exception(failure)
