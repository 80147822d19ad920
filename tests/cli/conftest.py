"""The command line against the test database (SQLite, or PostgreSQL with WRENCHWORK_TEST_DATABASE_URL), with its
settings taken from the environment as in a real shell. The database is emptied after every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests.cli.support import Cli
from wrenchwork import cli
from wrenchwork.config import Settings


@pytest.fixture
def wrenchwork(database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Runs the CLI on the test database (`engine` is asked for so the database is emptied afterwards)."""
    data_dir = tmp_path / "data"
    env = {
        "WRENCHWORK_DATABASE_URL": database_url,
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_BOOTSTRAP_API_KEY": "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def invoke(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        for name, value in (extra_env or {}).items():
            monkeypatch.setenv(name, value)
        # `wrenchwork.cli.settings` is read once at import: rebuild it from this test's environment.
        monkeypatch.setattr(cli, "settings", Settings())
        return runner.invoke(cli.app, list(args), env={**env, **(extra_env or {})})

    return Cli(database_url, data_dir, env, invoke)


@pytest.fixture
def db(engine: Engine) -> Callable[[Any], list[Any]]:
    """Reads the CLI's database: `db(select(...))` returns every row."""

    def read(stmt: Any) -> list[Any]:
        with Session(engine) as session:
            return list(session.execute(stmt).all())

    return read


@pytest.fixture
def served(client: TestClient) -> Iterator[TestClient]:
    """The API served on the CLI's database."""
    yield client
