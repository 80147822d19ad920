"""SQLite's planner statistics: refreshed when the server starts and as tables grow or shrink, so plans stay
index-driven."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.db import make_engine, refresh_stale_statistics, refresh_statistics, stale_tables
from wrenchwork.core.migrate import upgrade


def test_server_start_writes_sqlite_planner_statistics(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:  # a row, so an index has something to sample
        row = "('A', 'a', '2026-01-01', '2026-01-01')"
        connection.execute(text(f"INSERT INTO customers (name, slug, created_at, updated_at) VALUES {row}"))
    assert "sqlite_stat1" not in inspect(engine).get_table_names()

    with TestClient(create_app(Settings(database_url=url, log_level="WARNING"))) as client:
        assert client.get("/healthz").status_code == 200
        client.app.state.engine.dispose()

    with engine.connect() as connection:
        tables = {row[0] for row in connection.execute(text("SELECT tbl FROM sqlite_stat1"))}
    assert "customers" in tables


_INSERT = text(
    "INSERT INTO customers (name, slug, created_at, updated_at) VALUES (:name, :slug, '2026-01-01', '2026-01-01')"
)


def _customers(engine: Engine, first: int, count: int) -> None:
    with engine.begin() as connection:
        connection.execute(_INSERT, [{"name": f"C{n}", "slug": f"c{n}"} for n in range(first, first + count)])


def _said(engine: Engine, table: str) -> int | None:
    with engine.connect() as connection:
        stats = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalars().all()
    return max((int(stat.split()[0]) for stat in stats), default=None)


@pytest.fixture
def analyzed(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database with 10 customers, its statistics taken."""
    url = f"sqlite:///{tmp_path / 'stale.db'}"
    upgrade(url)
    engine = make_engine(url)
    _customers(engine, 0, 10)
    refresh_statistics(engine)
    assert _said(engine, "customers") == 10
    yield engine
    engine.dispose()


def test_tables_that_grew_are_analyzed_again(analyzed: Engine) -> None:
    _customers(analyzed, 10, 1990)
    assert stale_tables(analyzed) == ["customers"]
    assert refresh_stale_statistics(analyzed) == ["customers"]
    assert _said(analyzed, "customers") == 2000
    assert stale_tables(analyzed) == []


def test_small_changes_keep_the_statistics(analyzed: Engine) -> None:
    """Fewer than 1,000 rows apart, or within a factor of two, is not stale."""
    _customers(analyzed, 10, 900)
    assert stale_tables(analyzed) == []
    _customers(analyzed, 910, 1200)
    assert stale_tables(analyzed) == ["customers"]  # 2,110 rows against 10
    refresh_stale_statistics(analyzed)
    _customers(analyzed, 2110, 1100)  # 3,210 against 2,110: more than 1,000 apart, less than twice
    assert stale_tables(analyzed) == []


def test_tables_that_shrank_are_analyzed_again(analyzed: Engine) -> None:
    _customers(analyzed, 10, 2990)
    refresh_stale_statistics(analyzed)
    with analyzed.begin() as connection:
        connection.execute(text("DELETE FROM customers WHERE id > 1000"))
    assert refresh_stale_statistics(analyzed) == ["customers"]
    assert _said(analyzed, "customers") == 1000


def test_the_server_refreshes_statistics_while_it_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'running.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, log_level="WARNING", statistics_interval=0.05)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert _said(engine, "customers") is None  # analyzed at start, when it was empty
        _customers(engine, 0, 1500)
        deadline = time.monotonic() + 10
        while _said(engine, "customers") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        client.app.state.engine.dispose()
    assert _said(engine, "customers") == 1500
    engine.dispose()


def _never_analyzed(engine: Engine) -> set[str]:
    with engine.connect() as connection:  # a transaction of its own: the statistics views as they are now
        rows = connection.execute(
            text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL")
        )
        return set(rows.scalars())


def test_postgresql_tables_never_analyzed_are_analyzed_at_start(scratch_url: str) -> None:
    """A database restored or loaded in bulk has no statistics until autovacuum comes round: the server takes
    them for the tables that have none, and leaves the others to autovacuum."""
    if make_url(scratch_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    upgrade(scratch_url)
    engine = make_engine(scratch_url)
    try:
        _customers(engine, 0, 20)  # under autovacuum's threshold (50 changed rows): it leaves the table alone
        assert "customers" in _never_analyzed(engine)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE users"))
            connection.commit()
            analyzed_at = connection.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'users'")
            ).scalar_one()

        refresh_statistics(engine)
        assert _never_analyzed(engine) == set()
        with engine.connect() as connection:
            said = connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'customers'")).scalar_one()
            again = connection.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'users'")
            ).scalar_one()
        assert said == 20
        assert again == analyzed_at  # already had statistics: not analyzed again
    finally:
        engine.dispose()
