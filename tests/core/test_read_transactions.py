"""GET requests read in transactions of their own kind (core/db.py): on SQLite a snapshot that neither takes nor
waits for the write lock, and that may not write."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from tests.catalog.support import create_asset, ok
from tests.helpers import Api
from wrenchwork.core.db import make_sessionmaker


@pytest.fixture
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers; there is no write lock to step around")


def test_a_get_is_answered_while_a_writer_holds_the_lock_and_sees_only_committed_data(
    api: Api, engine: Engine, sqlite_only: None
) -> None:
    asset = create_asset(api, "Boiler 1")
    ok(api.get(f"/assets/{asset['id']}"))  # the key's use is noted now, so the reads below write nothing

    with engine.begin() as writer:  # BEGIN IMMEDIATE: the write lock is this connection's until the block ends
        writer.execute(text("UPDATE assets SET name = 'Boiler 1 (renamed)' WHERE id = :id"), {"id": asset["id"]})
        started = time.monotonic()
        during = api.get(f"/assets/{asset['id']}")
        listed = api.get("/assets")
        waited = time.monotonic() - started

    assert waited < 5, "the reads waited for the writer"  # the busy timeout is 15 s
    assert ok(during)["name"] == "Boiler 1"
    assert listed.status_code == 200, listed.text
    assert [item["name"] for item in listed.json()["data"]] == ["Boiler 1"]
    assert ok(api.get(f"/assets/{asset['id']}"))["name"] == "Boiler 1 (renamed)"


def test_writes_still_wait_for_the_writer(api: Api, engine: Engine, sqlite_only: None) -> None:
    """Only reads step around the lock: a PATCH behind a writer answers after the writer commits, on its data."""
    asset = create_asset(api, "Pump")
    with engine.begin() as writer:
        writer.execute(text("UPDATE assets SET description = 'held' WHERE id = :id"), {"id": asset["id"]})
        answers: list[dict[str, object]] = []
        thread = threading.Thread(
            target=lambda: answers.append(ok(api.patch(f"/assets/{asset['id']}", json={"asset": {"name": "Pump 2"}})))
        )
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the write did not wait for the lock"
    thread.join(20)
    assert answers and answers[0]["name"] == "Pump 2"
    assert answers[0]["description"] == "held"


def test_a_read_session_cannot_write_and_its_connection_writes_again_afterwards(scratch: Engine) -> None:
    reads, writes = make_sessionmaker(scratch, read=True), make_sessionmaker(scratch)
    with reads() as session:
        assert session.info["read"] is True
        with pytest.raises(OperationalError, match="readonly"):
            session.execute(text("INSERT INTO note (body) VALUES ('from a read')"))
        session.rollback()
    with writes() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('from a write')"))
        session.commit()
    with reads() as session:
        assert session.execute(text("SELECT body FROM note")).scalars().all() == ["from a write"]


def test_a_read_session_keeps_its_snapshot_while_another_connection_commits(scratch: Engine) -> None:
    reads = make_sessionmaker(scratch, read=True)
    with reads() as session:
        assert session.execute(text("SELECT count(*) FROM note")).scalar() == 0
        with scratch.begin() as writer:
            writer.execute(text("INSERT INTO note (body) VALUES ('meanwhile')"))
        assert session.execute(text("SELECT count(*) FROM note")).scalar() == 0
    with reads() as session:
        assert session.execute(text("SELECT count(*) FROM note")).scalar() == 1


def test_the_driver_refuses_the_write_too(scratch: Engine) -> None:
    """The refusal is SQLite's own (`query_only`), whatever way the statement is sent."""
    with make_sessionmaker(scratch, read=True)() as session:
        driver = session.connection().connection.driver_connection
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            driver.execute("DELETE FROM note")
