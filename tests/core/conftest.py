from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
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
