"""Test harness: one database per run built through the migrations, emptied after every test.

SQLite by default; set WRENCHWORK_TEST_DATABASE_URL (e.g. postgresql+psycopg://...) to run on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.db import make_engine
from wrenchwork.core.migrate import upgrade
from wrenchwork.models import Base

# The database the run is on; a module that never touches one says `pytestmark = pytest.mark.no_database` and
# runs in the SQLite pass only (the PostgreSQL pass would repeat it word for word).
ON_POSTGRESQL = os.environ.get("WRENCHWORK_TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "no_database: runs once, in the SQLite pass (it touches no database)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRESQL:
        skip = pytest.mark.skip(reason="touches no database: run in the SQLite pass")
        for item in items:
            if item.get_closest_marker("no_database"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("WRENCHWORK_TEST_DATABASE_URL", "")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    # A database of its own for each run and xdist worker, created fresh from the server's maintenance database
    # (the run id keeps concurrent runs against one server apart).
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]
    name = f"wrenchwork_test_{run}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, empty, on the same server as the run's."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path}/scratch.db"
        return
    name = f"wrenchwork_scratch_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    upgrade(database_url)
    return Settings(
        database_url=database_url,
        data_dir=Path(tmp_path_factory.mktemp("data")),
        rate_limit="",
        log_level="WARNING",
        scheduler_interval=0,  # no background PM generation: tests run passes themselves
        webhook_interval=0,  # nor webhook delivery
        webhook_allow_private=True,  # receivers of the tests listen on 127.0.0.1
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> Engine:
    result: Engine = app.state.engine
    return result


@pytest.fixture(autouse=True)
def _empty_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    empty_database(request.getfixturevalue("engine"))
    # Rows deleted behind the sessions' backs: the keys the server process knew are gone too.
    request.getfixturevalue("app").state.known_keys.forget()


def empty_database(engine: Engine) -> None:
    """Deletes every row (a test that works without the `engine` fixture calls it when its data set goes)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # Trees (parent_id ... ON DELETE RESTRICT) are checked row by row; check once, at commit, instead.
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session(app: FastAPI, engine: Engine) -> Iterator[Session]:
    """A session for arranging data and checking what a request left in the database."""
    with app.state.sessionmaker() as db:
        yield db


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def tenant(session: Session) -> Tenant:
    """A customer with one entity, an admin user and the admin's API key."""
    return make_tenant(session)


@pytest.fixture
def api(client: TestClient, tenant: Tenant) -> Api:
    """The client acting as the tenant's admin in its entity."""
    return Api(client, tenant.token, tenant.entity_id)
