"""SQLite writes that queue up share one commit, and each is answered only after it (core/group_commit.py).

The writes are sent while the process's writer loop is held busy, so they queue up as they do under load."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

from tests.helpers import Api
from wrenchwork.core import db, group_commit
from wrenchwork.core.group_commit import CommitGroup
from wrenchwork.core.routing import writers_for
from wrenchwork.models import WorkOrder


@pytest.fixture
def group(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> CommitGroup:
    found: CommitGroup | None = app.state.commit_group
    if found is None:
        pytest.skip("only SQLite groups its commits")
    monkeypatch.setattr(group_commit, "MAX_AGE_S", 60.0)  # the test's writes in one group, however slow the machine
    return found


@pytest.fixture
def commits(engine: Engine) -> Iterator[list[int]]:
    """One entry per commit sent to the database."""
    seen: list[int] = []

    def record(_conn: Any) -> None:
        seen.append(1)

    event.listen(engine, "commit", record)
    yield seen
    event.remove(engine, "commit", record)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@contextmanager
def _queued(group: CommitGroup, count: int) -> Iterator[ThreadPoolExecutor]:
    """A pool to send `count` writes from, with the writer loop held busy until all of them wait for it."""
    release = threading.Event()
    writers_for("sqlite").loops[0].call_soon_threadsafe(release.wait, 30)
    with ThreadPoolExecutor(count) as pool:
        try:
            yield pool
            _wait_for(lambda: group.queued == count)
        finally:
            release.set()


def _create(api: Api, title: str) -> httpx.Response:
    return api.post("/work_orders", json={"work_order": {"title": title}})


@pytest.fixture
def titles(app: FastAPI) -> Iterator[Callable[[], list[str]]]:
    """The work orders' titles as a reader sees them now (a read session: it takes no write lock)."""

    def titles() -> list[str]:
        with app.state.read_sessionmaker() as session:
            return sorted(session.scalars(select(WorkOrder.title)))

    yield titles


def test_writes_that_queue_up_share_one_commit(
    api: Api, group: CommitGroup, commits: list[int], titles: Callable[[], list[str]]
) -> None:
    with _queued(group, 8) as pool:
        sent = [pool.submit(_create, api, f"Fix {n}") for n in range(8)]
    answers = [future.result(30) for future in sent]
    assert [a.status_code for a in answers] == [201] * 8
    assert len(commits) == 1
    assert titles() == [f"Fix {n}" for n in range(8)]
    assert sorted(a.json()["data"]["title"] for a in answers) == titles()


def test_a_failed_write_undoes_only_its_own_changes(
    api: Api, group: CommitGroup, commits: list[int], titles: Callable[[], list[str]]
) -> None:
    def refuse(session: Session, _context: Any, _instances: Any) -> None:
        if any(isinstance(o, WorkOrder) and o.title == "boom" for o in session.new):
            raise RuntimeError("refused in the middle of the write")

    event.listen(Session, "before_flush", refuse)
    try:
        with _queued(group, 5) as pool:
            sent = [pool.submit(_create, api, title) for title in ("a", "boom", "b")]
            sent.append(pool.submit(api.patch, "/work_orders/999999", json={"work_order": {"title": "x"}}))
            sent.append(pool.submit(_create, api, "c"))
        statuses = [future.result(30).status_code for future in sent]
    finally:
        event.remove(Session, "before_flush", refuse)
    assert statuses == [201, 500, 201, 404, 201]
    assert len(commits) == 1
    assert titles() == ["a", "b", "c"]


def test_an_answer_waits_for_its_commit(
    api: Api, group: CommitGroup, engine: Engine, titles: Callable[[], list[str]]
) -> None:
    syncing, release = threading.Event(), threading.Event()

    def slow_commit(_conn: Any) -> None:
        syncing.set()
        release.wait(30)

    event.listen(engine, "commit", slow_commit)
    try:
        with ThreadPoolExecutor(1) as pool:
            sent: Future[httpx.Response] = pool.submit(_create, api, "Durable")
            assert syncing.wait(30)
            time.sleep(0.2)
            assert not sent.done(), "answered before its commit"
            assert titles() == []  # nothing visible yet either
            release.set()
            assert sent.result(30).status_code == 201
    finally:
        release.set()
        event.remove(engine, "commit", slow_commit)
    assert titles() == ["Durable"]


def test_a_failed_commit_fails_every_write_of_its_group(
    api: Api, group: CommitGroup, engine: Engine, titles: Callable[[], list[str]]
) -> None:
    def failing_commit(_conn: Any) -> None:
        raise OSError("disk full")

    event.listen(engine, "commit", failing_commit)
    try:
        with _queued(group, 3) as pool:
            sent = [pool.submit(_create, api, f"Lost {n}") for n in range(3)]
        answers = [future.result(30) for future in sent]
    finally:
        event.remove(engine, "commit", failing_commit)
    assert [a.status_code for a in answers] == [500] * 3
    assert titles() == []
    assert _create(api, "After").status_code == 201  # the next group starts afresh
    assert titles() == ["After"]


def test_a_batch_commits_alone_between_grouped_writes(
    api: Api, group: CommitGroup, commits: list[int], titles: Callable[[], list[str]]
) -> None:
    ops = [
        {"method": "POST", "url": "/api/v1/work_orders", "params": {"work_order": {"title": f"Batch {n}"}}}
        for n in (1, 2)
    ]
    sends: list[tuple[Callable[..., httpx.Response], tuple[Any, ...], dict[str, Any]]] = [
        (_create, (api, "Before 1"), {}),
        (_create, (api, "Before 2"), {}),
        (api.post, ("/batch",), {"json": {"ops": ops, "sequential": True}}),
        (_create, (api, "After 1"), {}),
        (_create, (api, "After 2"), {}),
    ]
    sent: list[Future[httpx.Response]] = []
    with _queued(group, 5) as pool:
        for n, (send, args, kwargs) in enumerate(sends, 1):
            sent.append(pool.submit(send, *args, **kwargs))
            _wait_for(lambda n=n: group.queued == n)  # queued in this order, which decides the commits
    answers = [future.result(30) for future in sent]
    assert [a.status_code for a in answers] == [201, 201, 200, 201, 201]
    assert [r["status"] for r in answers[2].json()["results"]] == [201, 201]
    # The two before it, each of the batch's ops, the two after it (the batch's key was checked by the first write
    # and is known: its authentication reads nothing, so commits nothing).
    assert len(commits) == 4
    assert titles() == ["After 1", "After 2", "Batch 1", "Batch 2", "Before 1", "Before 2"]


def test_a_write_that_cannot_take_the_write_lock_fails_alone(
    app: FastAPI, api: Api, group: CommitGroup, monkeypatch: pytest.MonkeyPatch, titles: Callable[[], list[str]]
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    with app.state.sessionmaker() as holder:
        holder.execute(text("SELECT 1"))  # a write transaction: it holds the write lock (BEGIN IMMEDIATE)
        refused = _create(api, "Waited too long")
    assert refused.status_code == 503
    assert refused.headers["retry-after"]
    assert _create(api, "After").status_code == 201  # the next write opens a group of its own
    assert titles() == ["After"]
