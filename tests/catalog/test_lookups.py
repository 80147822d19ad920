"""Categories and asset types: small per-entity lookup lists (extension endpoints)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    LIST_META,
    LOOKUP_KEYS,
    TIMESTAMP,
    create_asset,
    create_lookup,
    create_vendor,
    db_get,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.models import AssetType, Category

LOOKUPS = [
    pytest.param("/categories", "category", Category, "Category", id="categories"),
    pytest.param("/asset_types", "asset_type", AssetType, "Asset type", id="asset_types"),
]


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_create_answers_201_with_the_row_and_stores_it(
    api: Api, session: Session, tenant: Tenant, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    response = api.post(path, json={wrapper: {"name": "  HVAC  "}})

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"status", "data", "meta"}
    assert set(body["meta"]) == {"entity", "customer"}
    assert body["meta"]["entity"]["id"] == tenant.entity_id
    data = body["data"]
    assert set(data) == LOOKUP_KEYS
    assert data["name"] == "HVAC"
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    row = db_get(session, model, data["id"])
    assert row is not None
    assert (row.entity_id, row.name, row.created_by_id) == (tenant.entity_id, "HVAC", tenant.admin_id)


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_list_is_sorted_by_name_and_get_returns_one(
    api: Api, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    pumps = create_lookup(api, path, wrapper, "Pumps")
    electrical = create_lookup(api, path, wrapper, "Electrical")
    hvac = create_lookup(api, path, wrapper, "HVAC")

    response = api.get(path)
    assert ids(response) == [electrical["id"], hvac["id"], pumps["id"]]
    meta = response.json()["meta"]
    assert set(meta) == LIST_META
    assert meta["sort"] == ["name asc"]
    assert meta["pagination"] == {"total": 3, "page": 1, "per_page": 50, "total_pages": 1}
    assert ids(api.get(path, params={"filter[name_cont]": "vac"})) == [hvac["id"]]
    assert ids(api.get(path, params={"sort": "name desc", "per_page": 2})) == [pumps["id"], hvac["id"]]

    assert ok(api.get(f"{path}/{hvac['id']}")) == hvac
    assert error(api.get(f"{path}/999999"), 404)["message"] == f"{title} not found"


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_renames(
    api: Api, session: Session, path: str, wrapper: str, model: type[Any], title: str, method: str
) -> None:
    row = create_lookup(api, path, wrapper, "Pumps")

    data = ok(getattr(api, method)(f"{path}/{row['id']}", json={wrapper: {"name": "Pumps & Motors"}}))

    assert data["id"] == row["id"]
    assert data["name"] == "Pumps & Motors"
    stored = db_get(session, model, row["id"])
    assert stored is not None and stored.name == "Pumps & Motors"


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_names_are_unique_per_entity(
    api: Api, session: Session, tenant: Tenant, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    hvac = create_lookup(api, path, wrapper, "HVAC")
    pumps = create_lookup(api, path, wrapper, "Pumps")

    error(api.post(path, json={wrapper: {"name": "HVAC"}}), 409)
    error(api.post(path, json={wrapper: {"name": "hvac"}}), 409)
    create_lookup(api, path, wrapper, "Ölpumpen")
    error(api.post(path, json={wrapper: {"name": "ÖLPUMPEN"}}), 409)
    error(api.patch(f"{path}/{pumps['id']}", json={wrapper: {"name": "HVAC"}}), 409)
    # Changing only the case of its own name is not a clash with itself.
    assert ok(api.patch(f"{path}/{hvac['id']}", json={wrapper: {"name": "Hvac"}}))["name"] == "Hvac"
    # Another entity may use the same name.
    other = make_entity(session, tenant)
    elsewhere = create_lookup(api.as_entity(other), path, wrapper, "Hvac")

    names = db_scalars(session, select(model.name).where(model.entity_id == tenant.entity_id).order_by(model.id))
    assert names == ["Hvac", "Pumps", "Ölpumpen"]
    assert elsewhere["id"] not in ids(api.get(path))


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_delete_answers_204_and_removes_the_row(
    api: Api, session: Session, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    keep = create_lookup(api, path, wrapper, "Keep")
    gone = create_lookup(api, path, wrapper, "Gone")

    response = api.delete(f"{path}/{gone['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert db_get(session, model, gone["id"]) is None
    error(api.get(f"{path}/{gone['id']}"), 404)
    listed = api.get(path)
    assert ids(listed) == [keep["id"]]
    assert listed.json()["meta"]["pagination"]["total"] == 1


def test_deleting_a_category_used_by_a_vendor_is_409(api: Api, session: Session) -> None:
    category = create_lookup(api, "/categories", "category", "HVAC")
    create_vendor(api, "Summit", categories_ids=[category["id"]])

    body = error(api.delete(f"/categories/{category['id']}"), 409)

    assert "vendor" in body["message"]
    assert db_get(session, Category, category["id"]) is not None


def test_deleting_an_asset_type_used_by_an_asset_is_409(api: Api, session: Session) -> None:
    asset_type = create_lookup(api, "/asset_types", "asset_type", "Pump")
    create_asset(api, "Pump 1", asset_types_ids=[asset_type["id"]])
    create_asset(api, "Pump 2", asset_types_ids=[asset_type["id"]])

    body = error(api.delete(f"/asset_types/{asset_type['id']}"), 409)

    assert "2 assets" in body["message"]
    assert db_get(session, AssetType, asset_type["id"]) is not None


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-wrapper"),
        pytest.param({"name": "HVAC"}, id="unwrapped"),
        pytest.param({"WRAPPER": {}}, id="no-name"),
        pytest.param({"WRAPPER": {"name": ""}}, id="empty-name"),
        pytest.param({"WRAPPER": {"name": "   "}}, id="blank-name"),
        pytest.param({"WRAPPER": {"name": None}}, id="null-name"),
        pytest.param({"WRAPPER": {"name": "HVAC", "colour": "red"}}, id="unknown-field"),
        pytest.param({"WRAPPER": {"name": "x" * 201}}, id="too-long"),
    ],
)
def test_invalid_bodies_are_422(
    api: Api, session: Session, path: str, wrapper: str, model: type[Any], title: str, body: dict[str, Any]
) -> None:
    sent = {wrapper if key == "WRAPPER" else key: value for key, value in body.items()}

    error(api.post(path, json=sent), 422)

    assert db_scalars(session, select(model.id)) == []


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_cannot_change_lookups(
    api: Api, session: Session, tenant: Tenant, path: str, wrapper: str, model: type[Any], title: str, role: str
) -> None:
    row = create_lookup(api, path, wrapper, "HVAC")
    _, token = make_user(session, tenant, role=role)
    user = api.as_key(token)

    error(user.post(path, json={wrapper: {"name": "Pumps"}}), 403)
    error(user.patch(f"{path}/{row['id']}", json={wrapper: {"name": "Pumps"}}), 403)
    error(user.put(f"{path}/{row['id']}", json={wrapper: {"name": "Pumps"}}), 403)
    error(user.delete(f"{path}/{row['id']}"), 403)

    assert db_scalars(session, select(model.name)) == ["HVAC"]


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_limited_admins_manage_lookups(
    api: Api, session: Session, tenant: Tenant, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    user_id, token = make_user(session, tenant, role="limited_admin")
    manager = api.as_key(token)

    row = ok(manager.post(path, json={wrapper: {"name": "HVAC"}}), 201)
    assert ok(manager.patch(f"{path}/{row['id']}", json={wrapper: {"name": "Pumps"}}))["name"] == "Pumps"
    stored = db_get(session, model, row["id"])
    assert stored is not None and (stored.created_by_id, stored.updated_by_id) == (user_id, user_id)
    assert manager.delete(f"{path}/{row['id']}").status_code == 204
    assert db_get(session, model, row["id"]) is None


@pytest.mark.parametrize(("path", "wrapper", "model", "title"), LOOKUPS)
def test_another_entitys_rows_are_404_and_never_listed(
    api: Api, session: Session, tenant: Tenant, path: str, wrapper: str, model: type[Any], title: str
) -> None:
    other = make_entity(session, tenant)
    theirs = create_lookup(api.as_entity(other), path, wrapper, "Theirs")
    ours = create_lookup(api, path, wrapper, "Ours")

    assert ids(api.get(path)) == [ours["id"]]
    assert error(api.get(f"{path}/{theirs['id']}"), 404)["message"] == f"{title} not found"
    error(api.patch(f"{path}/{theirs['id']}", json={wrapper: {"name": "Mine"}}), 404)
    error(api.delete(f"{path}/{theirs['id']}"), 404)

    stored = db_get(session, model, theirs["id"])
    assert stored is not None and stored.name == "Theirs"
