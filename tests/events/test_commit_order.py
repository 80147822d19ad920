"""The feed is in commit order on PostgreSQL too: a transaction that numbers its events holds the entity's counter
until it commits, so a later number is never visible before an earlier one (events/outbox.py)."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.events.support import events
from tests.helpers import Api, Tenant
from wrenchwork.events import outbox
from wrenchwork.models import Category, Storeroom


def test_a_later_commit_never_shows_a_lower_seq_first(app: FastAPI, engine: Engine, api: Api, tenant: Tenant) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers (core/write_lock.py)")
    first: Session = app.state.sessionmaker()
    second: Session = app.state.sessionmaker()
    try:
        # The first transaction numbers its event (as its commit does) and has not committed yet.
        early = Category(entity_id=tenant.entity_id, name="early")
        first.add(early)
        first.flush()
        outbox._write_events(first)  # what its commit does first
        # The second commits meanwhile: it waits at the counter instead of taking a number past the first's.
        late = Storeroom(entity_id=tenant.entity_id, name="late")  # another table: no shared row counter
        second.add(late)
        second.flush()  # noted by the outbox: written at its commit
        done = threading.Event()

        def commit_second() -> None:
            second.commit()
            done.set()

        thread = threading.Thread(target=commit_second)
        thread.start()
        assert not done.wait(0.5), "the second transaction must wait for the first's commit"
        assert events(api) == []  # a reader sees neither yet
        first.commit()
        thread.join(30)
        assert done.is_set()
        found = events(api)
        assert [(e["seq"], e["data"]) for e in found] == [(1, {"id": early.id}), (2, {"id": late.id})]
    finally:
        first.close()
        second.close()
