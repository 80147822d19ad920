"""A PostgreSQL connection that breaks (the server restarted, the network dropped it) costs no 500 and no more
than the requests in flight: a read is tried again on a new connection, a write answers 503 and the next one
succeeds, and a connection idle for a while is checked before it is handed out (core/db.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, make_url

from tests.core.connections import end_other_connections
from tests.helpers import Api
from wrenchwork.core import db


@pytest.fixture(autouse=True)
def _postgresql_only(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a connection to a database server (WRENCHWORK_TEST_DATABASE_URL)")


def location_names(api: Api) -> list[str]:
    response = api.get("/locations")
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["data"])


def test_a_read_on_a_broken_connection_is_tried_again(api: Api, killer: Engine) -> None:
    assert api.post("/locations", json={"location": {"name": "Hall"}}).status_code == 201
    assert location_names(api) == ["Hall"]
    assert end_other_connections(killer) >= 1

    assert location_names(api) == ["Hall"]
    assert location_names(api) == ["Hall"]


def test_a_write_on_a_broken_connection_answers_503_and_the_next_succeeds(api: Api, killer: Engine) -> None:
    assert location_names(api) == []
    assert api.post("/locations", json={"location": {"name": "Hall"}}).status_code == 201
    assert end_other_connections(killer) >= 1

    lost = api.post("/locations", json={"location": {"name": "Yard"}})  # on a pooled, broken connection
    assert lost.status_code == 503, lost.text
    assert lost.json() == {"status": "error", "message": "The connection to the database was lost; try again"}
    assert lost.headers["Retry-After"] == "1"
    assert location_names(api) == ["Hall"]  # nothing of it was written

    assert api.post("/locations", json={"location": {"name": "Yard"}}).status_code == 201
    assert location_names(api) == ["Hall", "Yard"]


def test_a_connection_idle_for_a_while_is_checked_first(
    api: Api, killer: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_CHECK_SECONDS", 0.0)  # every pooled connection counts as idle
    assert api.post("/locations", json={"location": {"name": "Hall"}}).status_code == 201
    assert end_other_connections(killer) >= 1

    # Every write gets a connection found good or made anew: none answers 503.
    for name in ("Yard", "Dock"):
        response = api.post("/locations", json={"location": {"name": name}})
        assert response.status_code == 201, response.text
    assert location_names(api) == ["Dock", "Hall", "Yard"]
