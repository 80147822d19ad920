"""PostgreSQL reads on the server's own event loop, which waits for none of their round trips.

A GET's transaction is synchronous code (a sync session, the sync psycopg driver, as everywhere else). On
PostgreSQL each of its statements is a round trip to another process: run plainly on the server's loop, the loop
and with it every other request would stand idle until the answer came. A read used to run on an event loop of a
thread of its own instead; handing it over and its answer back (two thread wakeups, and the interpreter's lock
changing hands) cost as much as the read's own Python work, 40 % of a detail's CPU (docs/performance.md).

So the read runs here, on the server's loop, in a greenlet (`greenlet_spawn`: SQLAlchemy's, what its asyncio
extension is made of), and a connection of `LoopConnection` waits for its socket the way psycopg's async connection
does (`wait_async`), through the loop: the read's greenlet is set aside meanwhile and other requests run. This
steps around the framework (FastAPI would run sync work in a thread) for speed, and only there: outside such a
greenlet (a write on a writer loop's thread, an export's worker thread, a background job, a test) the same
connection waits as any psycopg connection does. A read's coroutine is run to its end inside the greenlet (`_drive`),
awaiting through the loop whatever it awaits. A new connection is still made with blocking waits (psycopg's
`connect`), which a warm pool rarely needs.

At most `READS_AT_ONCE` reads run at a time: each holds one of the pool's connections, which it takes from the pool
without waiting through the loop; more reads than the pool can lend would wait for one that only another read on
this same loop can give back.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import psycopg
from psycopg import waiting
from sqlalchemy.util.concurrency import await_, greenlet_spawn, in_greenlet

T = TypeVar("T")

READS_AT_ONCE = 4


class LoopConnection(psycopg.Connection[Any]):
    """A psycopg connection that, used from a read's greenlet (`run`), waits for its socket through the loop."""

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if not in_greenlet():
            return super().wait(gen, interval, timeout)
        try:
            return await_(waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout))
        except asyncio.CancelledError:
            # Given up midway (the server shutting down): the connection's exchange is cut, so it is closed, and
            # the pool replaces it.
            self.pgconn.finish()
            raise


def connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> LoopConnection:
    """SQLAlchemy's `do_connect`: the engine's connections are `LoopConnection`s."""
    return LoopConnection.connect(*cargs, **cparams)


_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


async def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`work()`, a read request's transaction, to its end on this loop (see the module's text)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(READS_AT_ONCE)
    async with slots:
        result: T = await greenlet_spawn(_drive, work())
        return result


async def _settled(awaited: Any) -> None:
    """Waits until what a coroutine awaits (a future, or `None`: it yields its turn) is done; its outcome is the
    coroutine's to take."""
    if awaited is None:
        await asyncio.sleep(0)
        return
    awaited._asyncio_future_blocking = False  # as a task takes it (a future refuses a second `await` otherwise)
    try:
        await awaited
    except BaseException:
        if not (isinstance(awaited, asyncio.Future) and awaited.done()):
            raise  # this wait's own (its task cancelled): `_drive` throws it into the coroutine


def _drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs `coroutine` as its task would, here in the greenlet: each time it yields what it awaits, waits for that
    through the loop (`await_`), then resumes it."""
    thrown: BaseException | None = None
    while True:
        try:
            awaited = coroutine.send(None) if thrown is None else coroutine.throw(thrown)
        except StopIteration as stop:
            result: T = stop.value
            return result
        thrown = None
        try:
            await_(_settled(awaited))
        except BaseException as exc:  # the task cancelled meanwhile: the coroutine is told, as its task would
            thrown = exc
