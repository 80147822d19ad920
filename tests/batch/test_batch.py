"""POST /batch: ops run through the normal routing with the caller's key and entity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.models import Location, User

BATCH = "/batch"


def db_location_names(session: Session, entity_id: int) -> list[str]:
    session.expire_all()
    names = list(session.scalars(select(Location.name).where(Location.entity_id == entity_id).order_by(Location.id)))
    session.commit()  # SQLite holds its write lock from BEGIN until the transaction ends
    return names


def db_location(session: Session, location_id: int) -> Location | None:
    session.expire_all()
    found = session.get(Location, location_id)
    session.commit()
    return found


def db_user_emails(session: Session) -> set[str]:
    session.expire_all()
    emails = set(session.scalars(select(User.email)))
    session.commit()
    return emails


def make_location(api: Api, name: str) -> dict[str, Any]:
    response = api.post("/locations", json={"location": {"name": name}})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def run(api: Api, ops: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    response = api.post(BATCH, json={"ops": ops, "sequential": True, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def statuses(body: dict[str, Any]) -> list[int]:
    return [r["status"] for r in body["results"]]


def create_op(name: Any) -> dict[str, Any]:
    return {"method": "POST", "url": "/api/v1/locations", "params": {"location": {"name": name}}}


def assert_422(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == "error"
    assert field in body["errors"], body


# ---- the documented shape --------------------------------------------------------------------------------------


def test_documented_example_list_then_update(api: Api, session: Session, tenant: Tenant) -> None:
    location = make_location(api, "Building A")
    ops: list[dict[str, Any]] = [
        {"method": "GET", "url": "/api/v1/locations"},
        {"method": "PATCH", "url": f"/api/v1/locations/{location['id']}", "params": {"location": {"name": "Bldg A"}}},
    ]
    direct_list = api.get("/locations").json()

    body = run(api, ops)

    assert set(body) == {"results"}
    assert statuses(body) == [200, 200]
    assert all(set(r) == {"status", "body"} for r in body["results"])
    assert body["results"][0]["body"] == direct_list
    updated = body["results"][1]["body"]
    assert set(updated) == {"status", "data", "meta"}
    assert updated["status"] == "success"
    assert updated["data"]["name"] == "Bldg A"
    assert updated["meta"]["entity"]["id"] == tenant.entity_id
    row = db_location(session, location["id"])
    assert row is not None and row.name == "Bldg A"


def test_results_keep_the_order_of_the_ops(api: Api) -> None:
    first = make_location(api, "First")
    ops: list[dict[str, Any]] = [
        {"method": "GET", "url": f"/api/v1/locations/{first['id']}"},
        {"method": "GET", "url": "/api/v1/users"},
        {"method": "GET", "url": "/api/v1/locations/999999"},
    ]

    body = run(api, ops)

    assert statuses(body) == [200, 200, 404]
    assert body["results"][0]["body"]["data"]["id"] == first["id"]
    assert isinstance(body["results"][1]["body"]["data"], list)
    assert body["results"][2]["body"] == {"status": "error", "message": "Location not found"}


def test_get_params_become_the_query_string(api: Api) -> None:
    make_location(api, "Boiler Room")
    wanted = make_location(api, "Roof Deck")
    other = make_location(api, "Roof Access")
    ops: list[dict[str, Any]] = [
        {"method": "GET", "url": "/api/v1/locations", "params": {"filter": {"name_cont": "roof"}, "sort": "name desc"}},
        {"method": "GET", "url": "/api/v1/locations", "params": {"filter": {"id_in": [wanted["id"], other["id"]]}}},
        {"method": "GET", "url": "/api/v1/locations?per_page=1", "params": {"page": 2}},
        {"method": "GET", "url": "/api/v1/locations", "params": {"search": "Boiler", "per_page": 5}},
    ]

    body = run(api, ops)

    assert statuses(body) == [200, 200, 200, 200]
    by_filter, by_list, paged, searched = (r["body"] for r in body["results"])
    assert [d["name"] for d in by_filter["data"]] == ["Roof Deck", "Roof Access"]
    assert by_filter["meta"]["filter"] == {"name_cont": "roof"}
    assert by_filter["meta"]["sort"] == ["name desc"]
    assert sorted(d["id"] for d in by_list["data"]) == sorted([wanted["id"], other["id"]])
    assert by_list["meta"]["filter"] == {"id_in": [str(wanted["id"]), str(other["id"])]}
    assert paged["meta"]["pagination"] == {"total": 3, "page": 2, "per_page": 1, "total_pages": 3}
    assert [d["name"] for d in searched["data"]] == ["Boiler Room"]
    assert (searched["meta"]["search"], searched["meta"]["pagination"]["per_page"]) == ("Boiler", 5)


def test_bad_get_params_fail_in_that_op_like_a_direct_call(api: Api) -> None:
    body = run(api, [{"method": "GET", "url": "/api/v1/locations", "params": {"filter": {"colour_eq": "red"}}}])

    assert statuses(body) == [422]
    assert "filter[colour_eq]" in body["results"][0]["body"]["errors"]


def test_post_params_become_the_json_body(api: Api, session: Session, tenant: Tenant) -> None:
    body = run(api, [create_op("Created In Batch")])

    assert statuses(body) == [201]
    result = body["results"][0]["body"]
    assert result["status"] == "success"
    assert result["data"]["name"] == "Created In Batch"
    assert db_location_names(session, tenant.entity_id) == ["Created In Batch"]


def test_delete_op_answers_204_without_a_body(api: Api, session: Session) -> None:
    location = make_location(api, "Doomed")

    body = run(api, [{"method": "DELETE", "url": f"/api/v1/locations/{location['id']}"}])

    assert body["results"] == [{"status": 204, "body": None}]
    assert db_location(session, location["id"]) is None


# ---- failures --------------------------------------------------------------------------------------------------


def test_a_failing_op_does_not_stop_the_rest(api: Api, session: Session, tenant: Tenant) -> None:
    body = run(api, [create_op("One"), create_op(""), create_op("Three")])

    assert statuses(body) == [201, 422, 201]
    failed = body["results"][1]["body"]
    assert failed["status"] == "error"
    assert "location.name" in failed["errors"]
    assert "rolled_back" not in body
    # Each op committed on its own: the failure undid nothing.
    assert db_location_names(session, tenant.entity_id) == ["One", "Three"]


def test_failing_op_changes_nothing_of_its_own(api: Api, session: Session) -> None:
    location = make_location(api, "Stable")
    ops: list[dict[str, Any]] = [
        {"method": "PATCH", "url": f"/api/v1/locations/{location['id']}", "params": {"location": {"name": None}}},
        {"method": "PATCH", "url": f"/api/v1/locations/{location['id']}", "params": {"location": {"address": "A"}}},
    ]

    body = run(api, ops)

    assert statuses(body) == [422, 200]
    row = db_location(session, location["id"])
    assert row is not None
    assert (row.name, row.address) == ("Stable", "A")


@pytest.mark.parametrize("count", [0, 101])
def test_op_count_outside_1_to_100_is_422(api: Api, session: Session, tenant: Tenant, count: int) -> None:
    response = api.post(BATCH, json={"ops": [create_op(f"L{i}") for i in range(count)], "sequential": True})

    assert_422(response, "ops")
    assert db_location_names(session, tenant.entity_id) == []


def test_100_ops_are_accepted(api: Api) -> None:
    body = run(api, [{"method": "GET", "url": "/api/v1/users", "params": {"per_page": 1}}] * 100)
    assert statuses(body) == [200] * 100


@pytest.mark.parametrize("extra", [{"sequential": False}, {}, {"sequential": "yes"}])
def test_sequential_must_be_true(api: Api, session: Session, tenant: Tenant, extra: dict[str, Any]) -> None:
    response = api.post(BATCH, json={"ops": [create_op("X")], **extra})

    assert_422(response, "sequential")
    assert db_location_names(session, tenant.entity_id) == []


@pytest.mark.parametrize("url", ["/api/v1/batch", "/api/v1/batch/", "/api/v1/batch?x=1"])
def test_nested_batch_is_422_and_nothing_runs(api: Api, session: Session, tenant: Tenant, url: str) -> None:
    nested = {"method": "POST", "url": url, "params": {"ops": [create_op("Inner")], "sequential": True}}

    response = api.post(BATCH, json={"ops": [create_op("Outer"), nested], "sequential": True})

    assert_422(response, "ops.1.url")
    assert db_location_names(session, tenant.entity_id) == []


@pytest.mark.parametrize(
    "url", ["/healthz", "/api/docs", "https://example.com/api/v1/users", "api/v1/users", "/api/v2/x"]
)
def test_url_outside_the_api_is_422(api: Api, session: Session, tenant: Tenant, url: str) -> None:
    response = api.post(BATCH, json={"ops": [create_op("Before"), {"method": "GET", "url": url}], "sequential": True})

    assert_422(response, "ops.1.url")
    assert db_location_names(session, tenant.entity_id) == []


@pytest.mark.parametrize(
    "op",
    [
        {"method": "TRACE", "url": "/api/v1/users"},
        {"method": "GET"},
        {"method": "GET", "url": "/api/v1/users", "body": {}},
        {"method": "GET", "url": "/api/v1/users", "params": [1, 2]},
    ],
)
def test_malformed_op_is_422(api: Api, op: dict[str, Any]) -> None:
    response = api.post(BATCH, json={"ops": [op], "sequential": True})
    assert response.status_code == 422, response.text
    assert any(key.startswith("ops.0") for key in response.json()["errors"]), response.text


def test_unknown_op_path_is_404_in_its_result(api: Api) -> None:
    body = run(api, [{"method": "GET", "url": "/api/v1/no_such_thing"}, {"method": "GET", "url": "/api/v1/users"}])
    assert statuses(body) == [404, 200]
    assert body["results"][0]["body"]["status"] == "error"


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_non_json_op_body_keeps_the_batch_response_valid_json(api: Api, suffix: str) -> None:
    """An image answer (a QR code) cannot travel inside JSON: the op reports its status with a null body."""
    created = api.post("/locations", json={"location": {"name": "Q", "qr_code_attributes": {"value": "QR-1"}}})
    assert created.status_code == 201, created.text
    op = {"method": "GET", "url": f"/api/v1/locations/{created.json()['data']['id']}/qr_code.{suffix}"}

    response = api.post(BATCH, json={"ops": [op, {"method": "GET", "url": "/api/v1/users"}], "sequential": True})

    assert response.status_code == 200
    body = response.json()  # must parse whatever the op answered
    assert body["results"][0] == {"status": 200, "body": None}
    assert body["results"][1]["status"] == 200


# ---- atomic (extension) ----------------------------------------------------------------------------------------


def test_atomic_failure_rolls_everything_back(api: Api, session: Session, tenant: Tenant) -> None:
    existing = make_location(api, "Existing")
    ops: list[dict[str, Any]] = [
        create_op("A"),
        {"method": "PATCH", "url": f"/api/v1/locations/{existing['id']}", "params": {"location": {"name": "Renamed"}}},
        create_op(""),
        create_op("D"),
        {"method": "GET", "url": "/api/v1/users"},
    ]

    body = run(api, ops, atomic=True)

    assert statuses(body) == [201, 200, 422, 424, 424]
    assert body["rolled_back"] is True
    for skipped in body["results"][3:]:
        assert skipped["body"]["status"] == "error"
        assert isinstance(skipped["body"]["message"], str) and skipped["body"]["message"]
    assert db_location_names(session, tenant.entity_id) == ["Existing"]
    row = db_location(session, existing["id"])
    assert row is not None and row.name == "Existing"


def test_atomic_forbidden_op_rolls_back_too(api: Api, session: Session, tenant: Tenant) -> None:
    ops: list[dict[str, Any]] = [create_op("A"), {"method": "GET", "url": "/api/v1/locations/999999"}]

    body = run(api, ops, atomic=True)

    assert statuses(body) == [201, 404]
    assert body["rolled_back"] is True
    assert db_location_names(session, tenant.entity_id) == []


def test_atomic_success_commits_every_op(api: Api, session: Session, tenant: Tenant) -> None:
    body = run(api, [create_op("A"), create_op("B"), {"method": "GET", "url": "/api/v1/locations"}], atomic=True)

    assert statuses(body) == [201, 201, 200]
    assert body["rolled_back"] is False
    # Ops of one atomic batch see each other's writes.
    assert [d["name"] for d in body["results"][2]["body"]["data"]] == ["A", "B"]
    assert db_location_names(session, tenant.entity_id) == ["A", "B"]


def test_atomic_ops_see_the_changes_of_earlier_ops(api: Api, session: Session) -> None:
    location = make_location(api, "Building")
    ops: list[dict[str, Any]] = [
        {"method": "PATCH", "url": f"/api/v1/locations/{location['id']}", "params": {"location": {"name": "Block"}}},
        {"method": "GET", "url": f"/api/v1/locations/{location['id']}"},
    ]

    body = run(api, ops, atomic=True)

    assert statuses(body) == [200, 200]
    assert body["results"][1]["body"]["data"]["name"] == "Block"
    row = db_location(session, location["id"])
    assert row is not None and row.name == "Block"


# ---- the caller's key and entity -------------------------------------------------------------------------------


def test_ops_use_the_callers_entity(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")

    body = run(api.as_entity(second), [create_op("There"), {"method": "GET", "url": "/api/v1/users"}])

    assert statuses(body) == [201, 200]
    assert body["results"][1]["body"]["meta"]["entity"]["id"] == second
    assert db_location_names(session, second) == ["There"]
    assert db_location_names(session, tenant.entity_id) == []


def test_ops_use_the_callers_key(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="technician")
    new_user = {"user": {"name": "Eve", "email": "eve@example.com"}}
    ops: list[dict[str, Any]] = [
        {"method": "GET", "url": "/api/v1/users"},
        {"method": "POST", "url": "/api/v1/users", "params": new_user},
        {"method": "GET", "url": "/api/v1/api_keys"},
    ]

    body = run(api.as_key(token), ops)

    assert statuses(body) == [200, 403, 403]
    assert body["results"][1]["body"]["status"] == "error"
    assert "eve@example.com" not in db_user_emails(session)


def test_batch_itself_needs_key_and_entity(api: Api) -> None:
    payload = {"ops": [{"method": "GET", "url": "/api/v1/users"}], "sequential": True}
    assert api.as_key("ww_nope").post(BATCH, json=payload).json() == {"status": "error", "message": "Invalid API key"}
    assert api.as_entity(None).post(BATCH, json=payload).status_code == 400


# ---- rate limit ------------------------------------------------------------------------------------------------


@pytest.fixture
def limited_app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings.model_copy(update={"rate_limit": "5 per minute"}))
    yield app
    app.state.engine.dispose()


def test_each_op_counts_against_the_rate_limit(limited_app: FastAPI, tenant: Tenant) -> None:
    with TestClient(limited_app, client=("10.20.30.40", 5000)) as client:
        api = Api(client, tenant.token, tenant.entity_id)
        ops = [{"method": "GET", "url": "/api/v1/users"}] * 5

        response = api.post(BATCH, json={"ops": ops, "sequential": True})

        assert response.status_code == 200, response.text
        assert response.headers["x-ratelimit-remaining"] == "4"  # the batch request itself
        assert statuses(response.json()) == [200, 200, 200, 200, 429]
        limited = response.json()["results"][4]["body"]
        assert limited["status"] == "error"
        assert limited["message"].startswith("Rate limit exceeded, retry in ")
        assert api.get("/users").status_code == 429
