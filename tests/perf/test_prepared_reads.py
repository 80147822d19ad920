"""Repeated reads reuse their plans on PostgreSQL.

psycopg prepares a statement on its fifth execution on a connection, and PostgreSQL then plans it once
(a generic plan) instead of on every execution. A rollback undoes that: psycopg forgets its prepared statements
on every ROLLBACK and deallocates them on the server. A GET whose transaction ended in a rollback (or whose
connection the pool rolled back on its return) therefore had every statement parsed and planned again: 2.7-4.5 ms
of PostgreSQL CPU per detail instead of under 1 (docs/performance.md). Checked here on the server itself: after
a warm-up, every further request of a detail or a list page executes its statement as a prepared statement
(`pg_prepared_statements` of the server's connections), on its generic plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import InternalError

from tests.helpers import Api
from wrenchwork.core import driver
from wrenchwork.core.db import KeptReadSessions, make_sessionmaker

WARMUP = 60
REQUESTS = 10


@pytest.fixture(autouse=True)
def _postgresql_only(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (WRENCHWORK_TEST_DATABASE_URL)")


def _connections(app: FastAPI) -> Iterator[Any]:
    """Each connection the app holds between requests, once: those resting in the engine's pool (all checked out
    together) and those of its idle read sessions (core/db.py `KeptReadSessions`)."""
    engine: Engine = app.state.engine
    reads = app.state.read_sessionmaker
    with ExitStack() as stack:
        for _ in range(engine.pool.checkedin()):  # type: ignore[attr-defined]
            raw = engine.raw_connection()
            stack.callback(raw.close)
            yield raw
        if isinstance(reads, KeptReadSessions):
            for session in list(reads.idle):
                yield session.kept_connection.connection


def prepared_runs(app: FastAPI, table: str) -> tuple[int, int]:
    """(executions, of them on a generic plan) of the prepared statements reading `table`, over every connection
    the app holds. Read in a transaction that commits, so that it keeps what it reads."""
    executions = generic = 0
    for raw in _connections(app):
        cursor = raw.cursor()
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0), coalesce(sum(generic_plans), 0)"
            " FROM pg_prepared_statements WHERE statement LIKE %s",
            (f"%FROM {table}%",),
        )
        runs, on_generic = cursor.fetchone()
        cursor.close()
        raw.commit()
        executions += runs
        generic += on_generic
    return executions, generic


def _assert_reused(api: Api, app: FastAPI, path: str, table: str, missing: str | None = None) -> None:
    """`missing`: a path answered 404, requested before each measured request (an error answer keeps them too)."""
    for _ in range(WARMUP):
        assert api.get(path).status_code == 200
    before = prepared_runs(app, table)
    for _ in range(REQUESTS):
        if missing is not None:
            assert api.get(missing).status_code == 404
        assert api.get(path).status_code == 200
    after = prepared_runs(app, table)
    executions, generic = after[0] - before[0], after[1] - before[1]
    assert executions >= REQUESTS, f"{path}: {executions} prepared executions in {REQUESTS} requests"
    assert generic >= REQUESTS, f"{path}: {generic} of {executions} prepared executions on a generic plan"


def test_details_run_prepared_on_a_generic_plan(api: Api, app: FastAPI) -> None:
    asset = api.post("/assets", json={"asset": {"name": "Pump"}}).json()["data"]
    part = api.post("/parts", json={"part": {"name": "Seal"}}).json()["data"]
    order = api.post("/work_orders", json={"work_order": {"title": "Fix", "asset_id": asset["id"]}}).json()["data"]
    _assert_reused(api, app, f"/assets/{asset['id']}", "assets")
    _assert_reused(api, app, f"/parts/{part['id']}", "parts")
    _assert_reused(api, app, f"/work_orders/{order['id']}", "work_orders")


def test_a_read_answered_with_an_error_keeps_them(api: Api, app: FastAPI) -> None:
    asset = api.post("/assets", json={"asset": {"name": "Pump"}}).json()["data"]
    _assert_reused(api, app, f"/assets/{asset['id']}", "assets", missing=f"/assets/{asset['id'] + 1000}")


def test_list_pages_run_prepared_on_a_generic_plan(api: Api, app: FastAPI) -> None:
    for n in range(3):
        asset = api.post("/assets", json={"asset": {"name": f"Pump {n}"}}).json()["data"]
        api.post("/parts", json={"part": {"name": f"Seal {n}"}})
        api.post("/work_orders", json={"work_order": {"title": f"Fix {n}", "asset_id": asset["id"]}})
    _assert_reused(api, app, "/assets?per_page=50", "assets")
    _assert_reused(api, app, "/parts?per_page=50", "parts")
    _assert_reused(api, app, "/work_orders?per_page=50", "work_orders")


def test_a_read_session_cannot_write_and_its_connection_writes_again_afterwards(engine: Engine) -> None:
    reads, writes = make_sessionmaker(engine, read=True), make_sessionmaker(engine)
    with reads() as session:
        assert session.info["read"] is True
        with pytest.raises(InternalError, match="read-only transaction"):
            session.execute(text("CREATE TEMPORARY TABLE note (body text)"))
    for _ in range(engine.pool.size() + 1):  # type: ignore[attr-defined]  # whichever connection comes back
        with writes() as session:
            session.execute(text("CREATE TEMPORARY TABLE note (body text) ON COMMIT DROP"))
            session.commit()


@pytest.fixture
def probe(engine: Engine) -> Iterator[str]:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE snapshot_probe (x int)"))
    yield "snapshot_probe"
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE snapshot_probe"))


def test_a_read_sees_one_snapshot(engine: Engine, probe: str) -> None:
    """Every statement of a read session sees the database as its first did (REPEATABLE READ), as on SQLite."""
    with make_sessionmaker(engine, read=True)() as session:
        assert session.execute(text(f"SELECT count(*) FROM {probe}")).scalar_one() == 0
        with engine.begin() as writer:
            writer.execute(text(f"INSERT INTO {probe} VALUES (1)"))
        assert session.execute(text(f"SELECT count(*) FROM {probe}")).scalar_one() == 0
    with make_sessionmaker(engine, read=True)() as session:
        assert session.execute(text(f"SELECT count(*) FROM {probe}")).scalar_one() == 1


def test_a_detail_runs_alone_without_a_transaction_and_a_list_in_one(
    api: Api, engine: Engine, probe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A detail whose API key is known is its read's only statement: it runs in autocommit, without the BEGIN
    and COMMIT round trips (core/db.py `run_alone`). A list page reads in its snapshot transaction. Either way
    the pool's connections run the next write in a transaction again."""
    asset = api.post("/assets", json={"asset": {"name": "Pump"}}).json()["data"]
    assert api.get(f"/assets/{asset['id']}").status_code == 200  # the key is known from now on
    autocommit: list[bool] = []
    original = driver.rows

    def spy(connection: Any, stmt: Any, params: Any, prepare: bool = True) -> Any:
        autocommit.append(connection.connection.driver_connection.autocommit)
        return original(connection, stmt, params, prepare)

    monkeypatch.setattr(driver, "rows", spy)
    for _ in range(3):
        assert api.get(f"/assets/{asset['id']}").status_code == 200
    assert autocommit == [True, True, True]
    autocommit.clear()
    assert api.get("/assets").status_code == 200
    assert autocommit and not any(autocommit)

    writes = make_sessionmaker(engine)
    for _ in range(engine.pool.size() + 1):  # type: ignore[attr-defined]  # whichever connection comes back
        with writes() as session:
            session.execute(text(f"INSERT INTO {probe} VALUES (1)"))
            session.rollback()
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {probe}")).scalar_one() == 0
