"""SQLite's planner statistics: refreshed when the server starts, so plans stay index-driven."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from wrenchwork.app import create_app
from wrenchwork.config import Settings
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
