"""SQLite read sessions are kept for the next read (core/db.py `KeptReadSessions`), and a kept one behaves as a
new one would: each read sees the database as it is when it begins, holds no snapshot once closed, and carries
nothing over from the read before."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from wrenchwork.core.db import KeptReadSessions, make_engine, make_sessionmaker


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
        connection.execute(text("INSERT INTO note (body) VALUES ('first')"))
    yield engine
    engine.dispose()


@pytest.fixture
def reads(scratch: Engine) -> Iterator[KeptReadSessions]:
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
