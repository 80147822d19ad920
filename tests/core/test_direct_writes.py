"""core/direct.py for writes: a JSON body that parses and validates is taken without FastAPI's handler; any other
goes through that handler, and every answer is the one FastAPI gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from tests.helpers import Api, Tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core import routing

# Bodies FastAPI refuses (or parses otherwise than orjson would): each must be answered as FastAPI answers it.
REFUSED = [
    b'{"location": {"name": 5}}',
    b'{"location": {}}',
    b'{"location": {"name": "Plant", "bogus": 1}}',
    b'{"location": null}',
    b"{}",
    b"null",
    b"[]",
    b'"Plant"',
    b'{"location": {"name": "Plant"',
    b'{"location": {"name": NaN}}',
    b'{"location": {"name": "\\ud800"}}',
    b'{"location": {"name": "Plant", "parent_id": 99999999999999999999999}}',
    b'{"location": {"name": "Plant", "parent_id": 1e400}}',
    b"\xff\xfe",
    b"",
]


@pytest.fixture
def fastapi_only(settings: Settings, monkeypatch: pytest.MonkeyPatch, tenant: Tenant) -> Iterator[Api]:
    """The same API on the same database, every operation through FastAPI's own handler (no direct calls)."""
    monkeypatch.setattr(routing, "direct_call", lambda _dependant: None)
    other = create_app(settings)
    monkeypatch.undo()
    try:
        with TestClient(other, raise_server_exceptions=False) as client:
            yield Api(client, tenant.token, tenant.entity_id)
    finally:
        other.state.engine.dispose()


def _answer(api: Api, method: str, path: str, body: bytes) -> tuple[int, Any]:
    response = api.request(method, path, content=body, headers={"Content-Type": "application/json"})
    return response.status_code, response.json()


# What two creates of the same location answer differently: its own id (a root location is its own root) and times.
OWN = ("id", "root_id", "created_at", "updated_at")


def _without_times_and_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times_and_ids(v) for k, v in value.items() if k not in OWN}
    if isinstance(value, list | tuple):
        return [_without_times_and_ids(v) for v in value]
    return value


@pytest.mark.parametrize("body", REFUSED)
def test_a_refused_body_is_answered_as_fastapi_answers_it(api: Api, fastapi_only: Api, body: bytes) -> None:
    direct = _answer(api, "POST", "/locations", body)
    assert 400 <= direct[0] < 500
    assert direct == _answer(fastapi_only, "POST", "/locations", body)
    assert api.get("/locations").json()["meta"]["pagination"]["total"] == 0


@pytest.mark.parametrize("path", ["/locations/{id}", "/locations/0{id}", "/locations/99999999999"])
@pytest.mark.parametrize("body", [b'{"location": {"name": "Renamed"}}', b'{"location": {"name": []}}'])
def test_an_update_is_answered_as_fastapi_answers_it(api: Api, fastapi_only: Api, path: str, body: bytes) -> None:
    location_id = api.post("/locations", json={"location": {"name": "Plant"}}).json()["data"]["id"]
    target = path.format(id=location_id)
    direct = _answer(api, "PATCH", target, body)
    api.patch(f"/locations/{location_id}", json={"location": {"name": "Plant"}})  # as it was
    through_fastapi = _answer(fastapi_only, "PATCH", target, body)
    assert _without_times_and_ids(direct) == _without_times_and_ids(through_fastapi)  # a second apart, maybe


def test_a_valid_body_skips_fastapis_handler_and_writes(
    api: Api, fastapi_only: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"location": {"name": "Plant", "description": "North side", "address": "1 Main St"}}'
    expected = _answer(fastapi_only, "POST", "/locations", body)

    async def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("went through FastAPI's handler")

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", refused)
    status, created = _answer(api, "POST", "/locations", body)
    monkeypatch.undo()
    assert status == expected[0] == 201
    assert _without_times_and_ids(created) == _without_times_and_ids(expected[1])
    found = api.get(f"/locations/{created['data']['id']}").json()["data"]
    assert (found["name"], found["description"], found["address"]) == ("Plant", "North side", "1 Main St")
