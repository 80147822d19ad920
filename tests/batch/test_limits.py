"""Limits every request obeys, a batch op as much as a direct call: JSON nesting depth, query length, values of an
`in` filter, body size; and ops whose params the batch's JSON reader took but a re-encoding could lose."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import db_scalars, error, ok
from tests.helpers import Api, Tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.models import Location

DEPTH = "must not nest arrays and objects more than 32 levels deep"
TOO_DEEP = {"status": "error", "message": f"body {DEPTH}", "errors": {"body": [DEPTH]}}
QUERY_TOO_LONG = {"status": "error", "message": "Query string is too long (at most 8192 bytes)"}


def nested(depth: int, leaf: Any = 1) -> Any:
    """`depth` objects inside one another around `leaf` (`{"a": {"a": 1}}` is 2 deep)."""
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def batch(api: Api, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post("/batch", json={"ops": list(ops), "sequential": True})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def raw_batch(api: Api, payload: str) -> list[dict[str, Any]]:
    """A batch sent as the given JSON text (for values an encoder would refuse to write)."""
    response = api.post("/batch", content=payload.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def locations(session: Session) -> int:
    return int(db_scalars(session, select(func.count()).select_from(Location))[0])


# ---- nesting depth ------------------------------------------------------------------------------------------


def test_batch_params_nested_300_deep_are_a_422_not_a_500(api: Api, session: Session) -> None:
    op = {"method": "POST", "url": "/api/v1/locations", "params": {"location": {"name": "Deep", "x": nested(300)}}}

    response = api.post("/batch", json={"ops": [op], "sequential": True})

    assert response.status_code == 422, response.text
    assert response.json() == TOO_DEEP
    assert locations(session) == 0


def test_a_body_nested_deeper_than_32_is_422(api: Api, session: Session) -> None:
    too_deep = api.post("/locations", json={"location": {"name": "Deep", "x": nested(31)}})  # 33 levels
    assert too_deep.status_code == 422 and too_deep.json() == TOO_DEEP

    at_limit = error(api.post("/locations", json={"location": {"name": "Deep", "x": nested(30)}}), 422)
    assert at_limit["errors"] == {"location.x": ["is not a known field"]}  # 32 levels: validated as usual
    # Brackets in strings are text, not nesting.
    name = "[{" * 600
    assert ok(api.post("/locations", json={"location": {"name": name[:200]}}), 201)["name"] == name[:200]
    text_only = error(api.post("/locations", json={"location": {"name": "x", "note": "[" * 5000}}), 422)
    assert text_only["errors"] == {"location.note": ["is not a known field"]}
    assert locations(session) == 1


def test_a_deep_array_is_as_deep_as_a_deep_object(api: Api) -> None:
    body = {"location": {"name": "x", "x": json.loads("[" * 40 + "]" * 40)}}
    assert api.post("/locations", json=body).json() == TOO_DEEP


def test_an_op_at_the_depth_limit_is_validated_like_a_direct_call(api: Api) -> None:
    """The batch wraps an op's params 4 levels deep, so an op's body can nest 28 more."""
    params = {"location": {"name": "x", "x": nested(26)}}
    direct = api.post("/locations", json=params)

    (result,) = batch(api, {"method": "POST", "url": "/api/v1/locations", "params": params})

    assert (result["status"], result["body"]) == (direct.status_code, direct.json()) == (
        422, {"status": "error", "message": "location.x is not a known field",
              "errors": {"location.x": ["is not a known field"]}},
    )  # fmt: skip


# ---- query length and `in` values -----------------------------------------------------------------------------


def test_a_get_op_with_300000_values_in_an_in_filter_is_refused_not_a_500(api: Api) -> None:
    op = {"method": "GET", "url": "/api/v1/locations", "params": {"filter": {"id_in": ",".join(["1"] * 300_000)}}}

    (result,) = batch(api, op)

    assert result == {"status": 414, "body": QUERY_TOO_LONG}


def test_a_query_string_over_8192_bytes_is_414_direct_or_in_a_batch(api: Api) -> None:
    search = "x" * 8200
    direct = api.get("/locations", params={"search": search})
    assert direct.status_code == 414 and direct.json() == QUERY_TOO_LONG

    (result,) = batch(api, {"method": "GET", "url": "/api/v1/locations", "params": {"search": search}})
    assert result == {"status": 414, "body": QUERY_TOO_LONG}
    # At the limit, the query is read as usual.
    fits = "x" * (8192 - len("search="))
    assert ok(api.get("/locations", params={"search": fits})) == []


@pytest.mark.parametrize("matcher", ["in", "not_in"])
def test_an_in_filter_takes_at_most_1000_values(api: Api, matcher: str) -> None:
    key = f"filter[id_{matcher}]"
    message = "takes at most 1000 values"
    values = ",".join(["7"] * 1001)

    direct = api.get("/locations", params={key: values})
    (result,) = batch(
        api, {"method": "GET", "url": "/api/v1/locations", "params": {"filter": {f"id_{matcher}": values}}}
    )

    assert direct.status_code == 422
    assert direct.json() == {"status": "error", "message": f"{key} {message}", "errors": {key: [message]}}
    assert result == {"status": 422, "body": direct.json()}
    assert api.get("/locations", params={key: ",".join(["7"] * 1000)}).status_code == 200


# ---- params a re-encoding would lose ---------------------------------------------------------------------------


def test_an_integer_past_64_bits_in_params_gets_the_ops_own_answer(api: Api, session: Session) -> None:
    body = '{"location": {"name": "Big", "floor": 123456789012345678901234567890}}'
    direct = api.post("/locations", content=body.encode(), headers={"Content-Type": "application/json"})

    (result,) = raw_batch(api, f'{{"sequential": true, "ops": [{{"method": "POST", "url": "/api/v1/locations", '
                               f'"params": {body}}}]}}')  # fmt: skip

    assert (result["status"], result["body"]) == (direct.status_code, direct.json())
    assert result["body"]["errors"] == {"location.floor": ["is not a known field"]}
    assert locations(session) == 0


def test_lone_surrogates_in_params_get_the_ops_own_answer(api: Api) -> None:
    name = '"Bad \\ud800 name"'
    direct = api.post("/locations", content=f'{{"location": {{"name": {name}}}}}'.encode(),
                      headers={"Content-Type": "application/json"})  # fmt: skip
    payload = {"sequential": True, "ops": [
        {"method": "POST", "url": "/api/v1/locations", "params": {"location": {"name": "@NAME@"}}},
        {"method": "GET", "url": "/api/v1/locations", "params": {"search": "@NAME@"}},
    ]}  # fmt: skip

    post, get = raw_batch(api, json.dumps(payload).replace('"@NAME@"', name))

    assert direct.status_code == 422
    assert (post["status"], post["body"]) == (422, direct.json())
    assert get["status"] == 200 and get["body"]["data"] == []


# ---- body size ---------------------------------------------------------------------------------------------------


@pytest.fixture
def small_body_app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}))
    yield app
    app.state.engine.dispose()


def test_an_op_body_obeys_the_body_size_limit(small_body_app: FastAPI, tenant: Tenant, session: Session) -> None:
    """Re-encoded, `1e5` becomes `100000.0`: an op's body can outgrow the batch that carried it."""
    numbers = ",".join(["1e5"] * 300)
    payload = (
        '{"sequential": true, "ops": [{"method": "POST", "url": "/api/v1/locations", '
        f'"params": {{"location": {{"name": "Big"}}, "n": [{numbers}]}}}}]}}'
    )
    assert len(payload) < 2048
    with TestClient(small_body_app) as client:
        api = Api(client, tenant.token, tenant.entity_id)

        (result,) = raw_batch(api, payload)

    assert result == {"status": 413, "body": {"status": "error", "message": "Request body is too large"}}
    assert locations(session) == 0
