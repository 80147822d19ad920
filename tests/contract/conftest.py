"""Contract-suite fixtures.

Every response the suite receives is checked for an X-Request-Id and for being no 500 (`check_response`).

The database is the suite's one (tests/conftest.py `database_url`, which keeps concurrent runs apart already): a
session-scoped `database_url` of its own here would leave the session's app on whichever database came first in
a worker, while tests that hand `database_url` to another process (the scheduler, `serve`) got the other one.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient


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
