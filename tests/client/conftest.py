"""A real server for the client: uvicorn on a free port in a thread, on the test database (SQLite, or PostgreSQL
when the suite runs there), one per session; a rate-limited one on the same database for the retry tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from tests.helpers import Tenant
from wrenchwork.app import create_app
from wrenchwork.client import Client, RetryPolicy
from wrenchwork.config import Settings

# Fast retries: the tests check which requests are retried, not how long the default waits are.
QUICK = RetryPolicy(max_retries=3, backoff=0.01, max_delay=5.0)


def serve(app: FastAPI) -> Iterator[str]:
    """Serves `app` until the generator is closed; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.engine.dispose()


# These servers live for the whole run on the suite's database: without an import runner of their own, which
# would take the import jobs other tests make and run themselves (tests/imports/test_kill.py).
QUIET = {"import_interval": 0}


@pytest.fixture(scope="session")
def server_url(settings: Settings) -> Iterator[str]:
    yield from serve(create_app(settings.model_copy(update=QUIET)))


@pytest.fixture(scope="session")
def limited_url(settings: Settings) -> Iterator[str]:
    yield from serve(create_app(settings.model_copy(update={**QUIET, "rate_limit": "4 per 2 seconds"})))


@pytest.fixture
def client(server_url: str, tenant: Tenant) -> Iterator[Client]:
    """The client as the tenant's admin in its entity (replaces the suite's in-process test client here)."""
    with Client(server_url, tenant.token, tenant.entity_id, retry=QUICK) as found:
        yield found
