"""Read sessions are kept for the next read (core/db.py `KeptReadSessions`), and a kept one behaves as a
new one would: each read sees the database as it is when it begins, holds no snapshot once closed, and carries
nothing over from the read before. The first tests use a SQLite file of their own; the last ones, PostgreSQL's read
sessions (a snapshot that is read only, connections that break when the server restarts)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.core.connections import end_other_connections
from tests.core.test_lost_connections import location_names
from tests.helpers import Api
from wrenchwork.core import db, loop_reads
from wrenchwork.core.db import KeptReadSession, KeptReadSessions, make_sessionmaker


@pytest.fixture
def reads(scratch: Engine) -> Iterator[KeptReadSessions]:
    with scratch.begin() as connection:
        connection.execute(text("INSERT INTO note (body) VALUES ('first')"))
    made = make_sessionmaker(scratch, read=True, info={"shared": "kept"})
    assert isinstance(made, KeptReadSessions)
    yield made
    made.close_idle()


def _bodies(reads: KeptReadSessions) -> list[str]:
    with reads() as session:
        return list(session.execute(text("SELECT body FROM note ORDER BY id")).scalars())


def test_a_closed_read_session_is_handed_out_again_on_the_same_connection(reads: KeptReadSessions) -> None:
    first = reads()
    connection = first.connection().connection.driver_connection
    first.close()
    second = reads()
    assert second is first
    assert second.connection().connection.driver_connection is connection
    second.close()


def test_each_read_sees_what_was_committed_before_it_began(reads: KeptReadSessions, scratch: Engine) -> None:
    assert _bodies(reads) == ["first"]
    with scratch.begin() as writer:
        writer.execute(text("INSERT INTO note (body) VALUES ('second')"))
    assert _bodies(reads) == ["first", "second"]


def test_an_idle_kept_session_holds_no_snapshot(reads: KeptReadSessions, scratch: Engine) -> None:
    """A checkpoint can copy every committed page back into the database only when no reader holds an older
    snapshot: it could not if a kept connection's read transaction were left open."""
    assert _bodies(reads) == ["first"]
    with scratch.begin() as writer:
        writer.execute(text("INSERT INTO note (body) VALUES ('second')"))
    with contextlib.closing(scratch.raw_connection()) as raw:  # outside any transaction, as a checkpoint must be
        busy, _log, _copied = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    assert len(reads.idle) == 1


def test_a_kept_session_starts_with_only_the_sessionmakers_info(reads: KeptReadSessions) -> None:
    first = reads()
    first.info["left behind"] = True
    first.close()
    second = reads()
    assert second is first
    assert second.info == {"shared": "kept", "read": True}
    second.close()


def test_sessions_in_use_at_once_are_distinct_and_closing_twice_keeps_one_once(reads: KeptReadSessions) -> None:
    one, two = reads(), reads()
    assert one is not two
    one.close()
    one.close()
    two.close()
    assert len(reads.idle) == 2
    assert reads() is not reads()


def test_a_read_left_in_a_transaction_or_used_after_its_close_is_not_handed_out(reads: KeptReadSessions) -> None:
    held = reads()
    held.close()
    held.execute(text("SELECT 1"))  # its holder uses it again after closing it: a transaction of its own
    fresh = reads()
    assert fresh is not held
    assert reads.idle == []
    fresh.close()
    held.close()


def test_no_more_than_keep_idle_wait(reads: KeptReadSessions) -> None:
    many = [reads() for _ in range(KeptReadSessions.KEEP_IDLE + 3)]
    for session in many:
        session.close()
    assert len(reads.idle) == KeptReadSessions.KEEP_IDLE


def test_a_read_session_may_not_write(reads: KeptReadSessions) -> None:
    with reads() as session, pytest.raises(OperationalError):
        session.execute(text("INSERT INTO note (body) VALUES ('no')"))
    assert _bodies(reads) == ["first"]


# On PostgreSQL (WRENCHWORK_TEST_DATABASE_URL), the API's own read sessions.


@pytest.fixture
def postgresql_reads(app: FastAPI, engine: Engine) -> KeptReadSessions:
    if engine.dialect.name != "postgresql":
        pytest.skip("a connection to a database server (WRENCHWORK_TEST_DATABASE_URL)")
    reads: KeptReadSessions = app.state.read_sessionmaker
    return reads


def _isolation(session: Session) -> tuple[str, str]:
    level = session.execute(text("SHOW transaction_isolation")).scalar_one()
    read_only = session.execute(text("SHOW transaction_read_only")).scalar_one()
    return level, read_only


def test_a_kept_postgresql_read_is_a_read_only_snapshot_again_after_a_detail_read_alone(
    api: Api, postgresql_reads: KeptReadSessions
) -> None:
    """A detail runs its one statement outside a transaction (core/db.py `run_alone`): the session it used is
    handed out again as a repeatable read, read-only transaction, not in autocommit."""
    location = ok(api.post("/locations", json={"location": {"name": "Hall"}}), 201)
    postgresql_reads.close_idle()
    assert ok(api.get(f"/locations/{location['id']}"))["name"] == "Hall"
    assert len(postgresql_reads.idle) == 1
    with postgresql_reads() as session:
        assert session.connection().get_isolation_level() == "REPEATABLE READ"
        assert _isolation(session) == ("repeatable read", "on")


def test_every_kept_postgresql_read_is_let_go_once_one_is_found_broken(
    api: Api, postgresql_reads: KeptReadSessions, killer: Engine
) -> None:
    assert api.post("/locations", json={"location": {"name": "Hall"}}).status_code == 201
    held = [postgresql_reads() for _ in range(3)]
    for session in held:
        session.execute(text("SELECT 1"))
    for session in held:
        session.close()
    assert len(postgresql_reads.idle) == 3
    assert end_other_connections(killer) >= 3

    assert location_names(api) == ["Hall"]  # its first try broke, and let every kept session go
    assert len(postgresql_reads.idle) == 1  # the one its second try used
    assert location_names(api) == ["Hall"]


def test_a_kept_postgresql_read_idle_for_a_while_is_checked_first(
    postgresql_reads: KeptReadSessions, killer: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgresql_reads.close_idle()
    with postgresql_reads() as session:
        session.execute(text("SELECT 1"))
    assert end_other_connections(killer) >= 1
    monkeypatch.setattr(db, "IDLE_CHECK_SECONDS", 0.0)

    with postgresql_reads() as session:  # not the broken one: found broken before it was handed out
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_reads_waiting_for_their_turn_take_no_session_before_they_begin(
    api: Api, postgresql_reads: KeptReadSessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen reads at once, of which two may run (core/loop_reads.py `READS_AT_ONCE`, 4, made 2 here): a read
    waiting for its turn holds no session (nor a connection), so no more sessions are ever made than reads run at
    once. (Without a limit this test's reads made 8.)"""
    location = ok(api.post("/locations", json={"location": {"name": "Hall"}}), 201)
    postgresql_reads.close_idle()
    made: list[KeptReadSession] = []
    make = postgresql_reads.session_class

    def counted(owner: KeptReadSessions, connection: Connection) -> KeptReadSession:
        made.append(make(owner, connection))
        return made[-1]

    monkeypatch.setattr(postgresql_reads, "session_class", counted)
    monkeypatch.setattr(loop_reads, "READS_AT_ONCE", 2)
    monkeypatch.setattr(loop_reads, "_slots", weakref.WeakKeyDictionary())
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: api.get(f"/locations/{location['id']}"), range(160)))
    assert {answer.status_code for answer in answers} == {200}
    assert 1 <= len(made) <= 2
