"""One data set for the whole package (world.py), built once per worker process and emptied at the end.

The tests here never ask for the `engine` fixture, so the suite's per-test emptying (tests/conftest.py) leaves the
data set alone between them; they change nothing they do not put back, or work on records of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import empty_database
from tests.contract.conftest import check_response
from tests.contract.operations.world import World, build_world


@pytest.fixture(scope="package")
def world(app: FastAPI) -> Iterator[World]:
    empty_database(app.state.engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.event_hooks["response"].append(check_response)
        try:
            yield build_world(app, client)
        finally:
            empty_database(app.state.engine)
