"""Contract-suite fixtures.

- Every response the suite receives is checked for an X-Request-Id and for being no 500 (`check_response`).
- On PostgreSQL the suite works in a database of its own per worker process (`wrenchwork_contract_<pid>`, dropped
  at the end), so it cannot collide with another test run on the same server using the shared per-worker names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text

from wrenchwork.core.db import make_engine


def check_response(response: httpx.Response) -> None:
    """Runs on every response of the suite: no request may ever produce a 500 or lack a request id."""
    request = response.request
    response.read()
    assert response.headers.get("x-request-id"), f"no X-Request-Id: {request.method} {request.url}"
    assert response.status_code < 500, (
        f"{response.status_code} on {request.method} {request.url}: {response.text[:500]}"
    )


@pytest.fixture
def client(client: TestClient) -> TestClient:
    client.event_hooks["response"].append(check_response)
    return client


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("WRENCHWORK_TEST_DATABASE_URL", "")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"wrenchwork_contract_{os.getpid()}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
