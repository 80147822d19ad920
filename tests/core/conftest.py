from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool

from wrenchwork.core import db


@pytest.fixture
def killer(database_url: str, app: FastAPI) -> Iterator[Engine]:
    """A connection of its own that ends every other connection to the test database, as a restart would
    (tests/core/connections.py `end_other_connections`). Afterwards the app lets go of every connection it holds,
    so that a broken one is not left for the next test."""
    engine = db.make_engine(database_url, poolclass=NullPool)
    yield engine
    engine.dispose()
    reads = app.state.read_sessionmaker
    if isinstance(reads, db.KeptReadSessions):
        reads.close_idle()
    app.state.engine.dispose()


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file of its own (whichever database the suite runs on) with an empty table `note`."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield engine
    engine.dispose()
