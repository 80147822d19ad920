"""Entities (sites): the documented list, and the create/update extension endpoints."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_tenant, make_user
from wrenchwork.models import Entity, UserRole

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# The documented entity item (spec/clickmaint-api-examples.txt, the "currency_name" example).
ENTITY_KEYS = {
    "id", "name", "description", "address", "datetime_format", "timezone", "currency", "currency_name",
    "currency_symbol", "created_at", "updated_at", "created_by_id", "updated_by_id",
}  # fmt: skip
NULL_ENTITY_META = {
    "id": None,
    "name": None,
    "currency": None,
    "currency_symbol": None,
    "datetime_format": None,
    "timezone": None,
}


def db_entity(session: Session, entity_id: int) -> Entity | None:
    """The row as stored now; the read transaction ends at once (SQLite write-locks from BEGIN)."""
    session.expire_all()
    found = session.get(Entity, entity_id)
    session.commit()
    return found


def db_roles(session: Session, entity_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.entity_id == entity_id)).all()
    session.commit()
    return {user_id: role for user_id, role in rows}


def data_of(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "success"
    result: dict[str, Any] = body["data"]
    return result


def assert_422(response: httpx.Response, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert field in body["errors"], body
    assert body["message"].startswith(field), body
    return body


def entity_count(session: Session) -> int:
    session.expire_all()
    count = len(session.scalars(select(Entity.id)).all())
    session.commit()
    return count


# ---- GET /entities ---------------------------------------------------------------------------------------------


def test_list_shows_only_entities_where_the_caller_holds_a_role(api: Api, session: Session, tenant: Tenant) -> None:
    as_tech = make_entity(session, tenant, "Tech Site", admin_role="technician")
    make_entity(session, tenant, "No Role Site", admin_role=None)
    make_entity(session, make_tenant(session), "Foreign Site")

    response = api.as_entity(None).get("/entities")

    body = response.json()
    assert response.status_code == 200, response.text
    assert [(e["id"], e["name"]) for e in body["data"]] == [(tenant.entity_id, "Main Facility"), (as_tech, "Tech Site")]
    assert body["meta"]["pagination"] == {"total": 2, "page": 1, "per_page": 50, "total_pages": 1}


def test_list_of_a_user_with_one_role_shows_that_entity_only(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    _, token = make_user(session, tenant, role="requester", entity_id=second)

    body = api.as_key(token).as_entity(None).get("/entities").json()

    assert [e["id"] for e in body["data"]] == [second]


def test_list_item_has_exactly_the_documented_fields_and_formats(api: Api, tenant: Tenant) -> None:
    response = api.as_entity(None).get("/entities")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"status", "data", "meta"}
    assert body["meta"]["entity"] == NULL_ENTITY_META
    assert body["meta"]["customer"]["id"] == tenant.customer_id
    assert body["meta"]["sort"] == ["name asc"]
    item = body["data"][0]
    assert set(item) == ENTITY_KEYS
    assert TIMESTAMP.match(item["created_at"]), item
    assert TIMESTAMP.match(item["updated_at"]), item
    assert {k: v for k, v in item.items() if k not in ("created_at", "updated_at")} == {
        "id": tenant.entity_id,
        "name": "Main Facility",
        "description": None,
        "address": None,
        "datetime_format": "MM/DD/YYYY - 11:59 PM",
        "timezone": "Etc/UTC: +00:00",
        "currency": "USD",
        "currency_name": "United States Dollar",
        "currency_symbol": "$",
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }


def test_list_needs_no_entity_header_but_a_valid_key(api: Api) -> None:
    assert api.as_entity(None).get("/entities").status_code == 200
    response = api.as_key("ww_not-a-real-key").as_entity(None).get("/entities")
    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Invalid API key"}


def test_list_search_and_filter_are_echoed(api: Api, session: Session, tenant: Tenant) -> None:
    make_entity(session, tenant, "North Warehouse")
    body = api.as_entity(None).get("/entities", params={"filter[name_cont]": "wareh"}).json()
    assert [e["name"] for e in body["data"]] == ["North Warehouse"]
    assert body["meta"]["filter"] == {"name_cont": "wareh"}


# ---- POST /entities --------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_documented_item(api: Api, session: Session, tenant: Tenant) -> None:
    payload = {
        "name": "Plant 2",
        "description": "Stamping plant",
        "address": "1 Mill Road",
        "datetime_format": "DD/MM/YYYY - 23:59",
        "timezone": "Asia/Kolkata",
        "currency": "EUR",
    }
    response = api.post("/entities", json={"entity": payload})

    data = data_of(response, 201)
    body = response.json()
    assert body["meta"]["entity"]["id"] == tenant.entity_id
    assert set(data) == ENTITY_KEYS
    assert data["name"] == "Plant 2"
    assert data["description"] == "Stamping plant"
    assert data["address"] == "1 Mill Road"
    assert data["datetime_format"] == "DD/MM/YYYY - 23:59"
    assert data["timezone"] == "Asia/Kolkata: +05:30"
    assert (data["currency"], data["currency_name"], data["currency_symbol"]) == ("EUR", "Euro", "€")
    assert data["created_by_id"] == tenant.admin_id
    assert data["updated_by_id"] == tenant.admin_id
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])

    row = db_entity(session, data["id"])
    assert row is not None
    assert (row.customer_id, row.name, row.timezone, row.currency, row.datetime_format) == (
        tenant.customer_id,
        "Plant 2",
        "Asia/Kolkata",
        "EUR",
        "DD/MM/YYYY - 23:59",
    )


@pytest.mark.parametrize(
    ("currency", "name", "symbol"),
    [("GBP", "British Pound", "£"), ("CAD", "Canadian Dollar", "$"), ("JPY", "Japanese Yen", "¥")],
)
def test_currency_name_and_symbol_follow_the_code(api: Api, currency: str, name: str, symbol: str) -> None:
    data = data_of(api.post("/entities", json={"entity": {"name": "Site", "currency": currency}}), 201)
    assert (data["currency"], data["currency_name"], data["currency_symbol"]) == (currency, name, symbol)


def test_create_applies_the_defaults(api: Api, session: Session) -> None:
    data = data_of(api.post("/entities", json={"entity": {"name": "Bare"}}), 201)

    assert data["description"] is None
    assert data["address"] is None
    assert data["datetime_format"] == "MM/DD/YYYY - 11:59 PM"
    assert data["timezone"] == "Etc/UTC: +00:00"
    assert (data["currency"], data["currency_name"], data["currency_symbol"]) == ("USD", "United States Dollar", "$")
    row = db_entity(session, data["id"])
    assert row is not None
    assert (row.timezone, row.currency) == ("Etc/UTC", "USD")


def test_creator_becomes_admin_of_the_new_entity(api: Api, session: Session, tenant: Tenant) -> None:
    new_id = data_of(api.post("/entities", json={"entity": {"name": "Plant 3"}}), 201)["id"]

    assert db_roles(session, new_id) == {tenant.admin_id: "admin"}
    listed = api.as_entity(None).get("/entities").json()["data"]
    assert new_id in [e["id"] for e in listed]
    # The admin role works there at once: an admin-only operation in the new entity succeeds.
    assert api.as_entity(new_id).patch(f"/entities/{new_id}", json={"entity": {"address": "x"}}).status_code == 200


def test_timezone_accepts_the_rendered_label(api: Api) -> None:
    data = data_of(api.post("/entities", json={"entity": {"name": "S", "timezone": "Asia/Kathmandu: +05:45"}}), 201)
    assert data["timezone"] == "Asia/Kathmandu: +05:45"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("currency", "XYZ"),
        ("currency", "usd"),
        ("timezone", "Mars/Olympus_Mons"),
        ("datetime_format", "YYYY/MM/DD"),
        ("name", ""),
        ("name", None),
        ("currency", 840),
    ],
)
def test_create_rejects_invalid_values(api: Api, session: Session, field: str, value: Any) -> None:
    before = entity_count(session)
    payload: dict[str, Any] = {"name": "Plant", field: value}

    assert_422(api.post("/entities", json={"entity": payload}), f"entity.{field}")
    assert entity_count(session) == before


def test_create_requires_a_name(api: Api) -> None:
    assert_422(api.post("/entities", json={"entity": {"currency": "USD"}}), "entity.name")


def test_create_rejects_unknown_fields(api: Api, session: Session) -> None:
    before = entity_count(session)
    body = assert_422(api.post("/entities", json={"entity": {"name": "P", "colour": "red"}}), "entity.colour")
    assert body["errors"]["entity.colour"] == ["is not a known field"]
    assert_422(api.post("/entities", json={"entity": {"name": "P"}, "extra": 1}), "extra")
    assert entity_count(session) == before


def test_create_without_wrapper_is_422(api: Api) -> None:
    assert_422(api.post("/entities", json={"name": "Plant"}), "entity")


@pytest.mark.parametrize("role", ["limited_admin", "technician", "requester"])
def test_create_is_admin_only(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    _, token = make_user(session, tenant, role=role)
    before = entity_count(session)

    response = api.as_key(token).post("/entities", json={"entity": {"name": "Mine"}})

    assert response.status_code == 403, response.text
    assert response.json()["status"] == "error"
    assert entity_count(session) == before


def test_create_needs_the_entity_header(api: Api) -> None:
    response = api.as_entity(None).post("/entities", json={"entity": {"name": "P"}})
    assert response.status_code == 400, response.text


# ---- PATCH / PUT /entities/{id} --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_changes_only_the_sent_fields(api: Api, session: Session, tenant: Tenant, method: str) -> None:
    created = data_of(
        api.post("/entities", json={"entity": {"name": "Old", "description": "Desc", "address": "Addr"}}), 201
    )
    entity_id = created["id"]

    response = api.request(
        method, f"/entities/{entity_id}", json={"entity": {"name": "New", "currency": "GBP", "timezone": "Etc/GMT-3"}}
    )

    data = data_of(response)
    assert data["name"] == "New"
    assert data["description"] == "Desc"
    assert data["address"] == "Addr"
    assert (data["currency"], data["currency_symbol"]) == ("GBP", "£")
    assert data["timezone"] == "Etc/GMT-3: +03:00"
    assert data["created_at"] == created["created_at"]
    row = db_entity(session, entity_id)
    assert row is not None
    assert (row.name, row.description, row.address, row.currency, row.timezone) == (
        "New",
        "Desc",
        "Addr",
        "GBP",
        "Etc/GMT-3",
    )
    assert row.updated_by_id == tenant.admin_id


def test_update_records_the_editor(api: Api, session: Session, tenant: Tenant) -> None:
    editor_id, token = make_user(session, tenant, role="admin")

    data = data_of(api.as_key(token).patch(f"/entities/{tenant.entity_id}", json={"entity": {"address": "2 Road"}}))

    assert data["updated_by_id"] == editor_id
    assert data["created_by_id"] == tenant.admin_id
    row = db_entity(session, tenant.entity_id)
    assert row is not None
    assert (row.address, row.updated_by_id) == ("2 Road", editor_id)


def test_null_name_is_422_and_changes_nothing(api: Api, session: Session, tenant: Tenant) -> None:
    assert_422(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"name": None}}), "entity.name")
    row = db_entity(session, tenant.entity_id)
    assert row is not None
    assert row.name == "Main Facility"


@pytest.mark.parametrize("field", ["currency", "timezone", "datetime_format"])
def test_null_on_a_required_setting_is_422(api: Api, tenant: Tenant, field: str) -> None:
    assert_422(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {field: None}}), f"entity.{field}")


def test_null_description_and_address_clear_them(api: Api, session: Session, tenant: Tenant) -> None:
    api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"description": "D", "address": "A"}})

    data = data_of(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"description": None}}))

    assert data["description"] is None
    assert data["address"] == "A"
    row = db_entity(session, tenant.entity_id)
    assert row is not None
    assert (row.description, row.address) == (None, "A")


def test_update_rejects_unknown_values(api: Api, session: Session, tenant: Tenant) -> None:
    assert_422(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"currency": "ABC"}}), "entity.currency")
    assert_422(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"timezone": "Nowhere"}}), "entity.timezone")
    assert_422(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"owner": "me"}}), "entity.owner")
    row = db_entity(session, tenant.entity_id)
    assert row is not None
    assert (row.currency, row.timezone) == ("USD", "Etc/UTC")


def test_update_needs_admin_of_the_target_entity(api: Api, session: Session, tenant: Tenant) -> None:
    """Admin where the request runs, but only technician in the entity being changed."""
    target = make_entity(session, tenant, "Tech Here", admin_role="technician")

    response = api.patch(f"/entities/{target}", json={"entity": {"name": "Hijacked"}})

    assert response.status_code == 403, response.text
    assert response.json()["status"] == "error"
    row = db_entity(session, target)
    assert row is not None
    assert row.name == "Tech Here"


@pytest.mark.parametrize("role", ["limited_admin", "technician", "requester"])
def test_update_by_a_non_admin_is_403(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    _, token = make_user(session, tenant, role=role)

    response = api.as_key(token).put(f"/entities/{tenant.entity_id}", json={"entity": {"name": "Mine"}})

    assert response.status_code == 403, response.text
    row = db_entity(session, tenant.entity_id)
    assert row is not None
    assert row.name == "Main Facility"


def test_entity_of_another_customer_is_404(api: Api, session: Session) -> None:
    foreign = make_tenant(session)

    response = api.patch(f"/entities/{foreign.entity_id}", json={"entity": {"name": "Stolen"}})

    assert response.status_code == 404, response.text
    assert response.json() == {"status": "error", "message": "Entity not found"}
    row = db_entity(session, foreign.entity_id)
    assert row is not None
    assert row.name == "Main Facility"


def test_entity_of_this_customer_without_a_role_is_404(api: Api, session: Session, tenant: Tenant) -> None:
    hidden = make_entity(session, tenant, "Hidden", admin_role=None)
    response = api.patch(f"/entities/{hidden}", json={"entity": {"name": "Seen"}})
    assert response.status_code == 404, response.text
    assert response.json() == {"status": "error", "message": "Entity not found"}


def test_missing_entity_is_404(api: Api) -> None:
    response = api.patch("/entities/999999", json={"entity": {"name": "X"}})
    assert response.status_code == 404, response.text
    assert response.json() == {"status": "error", "message": "Entity not found"}
