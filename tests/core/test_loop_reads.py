"""Reads on the server's loop (core/loop_reads.py): a read's coroutine runs to its end in its greenlet, whatever it
awaits; on PostgreSQL a read waiting for the database leaves the loop to the others, and the same connections
still work, blocking, outside a read."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from wrenchwork.core import loop_reads


def test_a_read_that_awaits_futures_sleeps_and_errors_runs_to_its_end() -> None:
    async def scenario() -> tuple[str, list[str]]:
        loop = asyncio.get_running_loop()
        seen: list[str] = []

        async def work() -> str:
            later = loop.create_future()
            loop.call_later(0.01, later.set_result, "set later")
            seen.append(await later)
            await asyncio.sleep(0)  # yields its turn (a bare yield)
            failing = loop.create_future()
            loop.call_soon(failing.set_exception, LookupError("refused"))
            try:
                await failing
            except LookupError as exc:
                seen.append(str(exc))
            return "answer"

        return await loop_reads.run(work), seen

    assert asyncio.run(scenario()) == ("answer", ["set later", "refused"])


def test_an_error_of_the_read_reaches_its_caller() -> None:
    async def work() -> None:
        await asyncio.sleep(0.001)
        raise ValueError("bad read")

    async def scenario() -> None:
        await loop_reads.run(work)

    with pytest.raises(ValueError, match="bad read"):
        asyncio.run(scenario())


def test_a_read_cancelled_while_it_waits_is_told() -> None:
    cleaned: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cleaned.append("cancelled")
            raise

    async def scenario() -> None:
        task = asyncio.ensure_future(loop_reads.run(work))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert cleaned == ["cancelled"]


@pytest.fixture
def postgresql(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("a database server (WRENCHWORK_TEST_DATABASE_URL)")
    return engine


def test_a_read_waiting_for_postgresql_leaves_the_loop_to_another(postgresql: Engine) -> None:
    """A statement that takes half a second holds up neither the loop nor a quick read meanwhile."""
    finished: list[str] = []

    def query(sql: str, name: str) -> None:
        with Session(postgresql) as session:
            session.execute(text(sql))
        finished.append(name)

    async def slow() -> None:
        query("SELECT pg_sleep(0.5)", "slow")

    async def quick() -> None:
        query("SELECT 1", "quick")

    async def scenario() -> float:
        began = time.monotonic()
        slow_read = asyncio.ensure_future(loop_reads.run(slow))
        await asyncio.sleep(0.05)
        await loop_reads.run(quick)
        quick_after = time.monotonic() - began
        await slow_read
        return quick_after

    assert asyncio.run(scenario()) < 0.4
    assert finished == ["quick", "slow"]


def test_the_same_connections_work_outside_a_read(postgresql: Engine) -> None:
    with postgresql.connect() as connection:
        assert isinstance(connection.connection.driver_connection, loop_reads.LoopConnection)
        assert connection.execute(text("SELECT 41 + 1")).scalar_one() == 42
