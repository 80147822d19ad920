"""Assets: documented create/list/get/update, the sub-asset tree, links, asset_code uniqueness, lists, roles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    ASSET_DETAIL_KEYS,
    ASSET_LIST_KEYS,
    LIST_META,
    TECHNICIAN_KEYS,
    TIMESTAMP,
    create_asset,
    create_location,
    create_lookup,
    create_vendor,
    db_get,
    db_rows,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_tenant, make_user, statements
from wrenchwork.models import Asset, asset_asset_types, asset_technicians, asset_vendors

ROBERT = {
    "name": "Robert Smith",
    "email": "robert_smith@example.com",
    "phone": "1-493-480-9163",
    "extension": "989",
    "is_primary": True,
}


def links(session: Session, table: Any, column: str, asset_id: int) -> list[int]:
    return db_scalars(session, select(table.c[column]).where(table.c.asset_id == asset_id).order_by(table.c[column]))


def test_create_with_every_documented_field_answers_the_documented_detail(
    api: Api, session: Session, tenant: Tenant
) -> None:
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"])
    parent = create_asset(api, "Air Conditioner")
    hvac = create_lookup(api, "/asset_types", "asset_type", "HVAC")
    technician_id, _ = make_user(session, tenant, role="technician", name="John", surname="Doe")
    vendor = create_vendor(api, "Summit HVAC & Refrigeration", vendor_contacts_attributes=[ROBERT])

    response = api.post(
        "/assets",
        json={
            "asset": {
                "name": "Air Purifier",
                "asset_code": "AST-001",
                "description": "Machine used to purify the air in a shop",
                "model": "Dyson Pure Cool Link Tower",
                "manufacturer": "Dyson",
                "serial_number": "H8tG5nWp",
                "purchase_date": "2023-08-24",
                "warranty_exp_date": "2026-08-24",
                "warranty_expiration_notification": 30,
                "life_expectancy": 36,
                "purchase_cost": 549.99,
                "replacement_cost": 599.99,
                "salvage_value": 150,
                "location_id": room["id"],
                "parent_id": parent["id"],
                "asset_types_ids": [hvac["id"]],
                "technicians_ids": [technician_id],
                "parts_ids": [],
                "vendors_ids": [vendor["id"]],
                "qr_code_attributes": {"value": "guVT5ngMeZ9xPBIk8db4dCGXVU", "generate_qr_code": True},
            }
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body["meta"]) == {"entity", "customer"}
    data = body["data"]
    assert set(data) == ASSET_DETAIL_KEYS
    assert TIMESTAMP.match(data.pop("created_at")) and TIMESTAMP.match(data.pop("updated_at"))
    admin = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert data == {
        "id": data["id"],
        "name": "Air Purifier",
        "description": "Machine used to purify the air in a shop",
        "model": "Dyson Pure Cool Link Tower",
        "manufacturer": "Dyson",
        "serial_number": "H8tG5nWp",
        "warranty_expiration_notification": 30,
        "life_expectancy": 36,
        "root_id": parent["id"],
        "asset_code": "AST-001",
        "status": "online",
        "purchase_cost": 549.99,
        "replacement_cost": 599.99,
        "salvage_value": 150,
        "parent": {"id": parent["id"], "name": "Air Conditioner"},
        "location": {"id": room["id"], "name": "Main Conference Room", "path": "Building A > Main Conference Room"},
        "technicians": [{"id": technician_id, "name": "John", "surname": "Doe", "avatar": None}],
        "asset_types": [{"id": hvac["id"], "name": "HVAC"}],
        "parts": [],
        "vendors": [
            {
                "id": vendor["id"],
                "name": "Summit HVAC & Refrigeration",
                "primary_contact": {
                    "id": vendor["vendor_contacts"][0]["id"],
                    "name": "Robert Smith",
                    "email": "robert_smith@example.com",
                    "phone": "1-493-480-9163",
                    "extension": "989",
                },
            }
        ],
        "has_children": False,
        "purchase_date": "2023-08-24",
        "warranty_exp_date": "2026-08-24",
        "qr_code": "guVT5ngMeZ9xPBIk8db4dCGXVU",
        "images": [],
        "documents": [],
        "created_by": admin,
        "updated_by": admin,
    }
    fetched = ok(api.get(f"/assets/{data['id']}"))
    assert {k: v for k, v in fetched.items() if k not in ("created_at", "updated_at")} == data
    assert ok(api.get(f"/assets/{parent['id']}"))["has_children"] is True

    asset = db_get(session, Asset, data["id"])
    assert asset is not None
    assert (asset.entity_id, asset.asset_code, asset.status, asset.location_id, asset.parent_id, asset.root_id) == (
        tenant.entity_id,
        "AST-001",
        "online",
        room["id"],
        parent["id"],
        parent["id"],
    )
    assert (asset.purchase_cost, asset.replacement_cost, asset.salvage_value) == (
        Decimal("549.99"),
        Decimal("599.99"),
        Decimal("150.00"),
    )
    assert (asset.purchase_date, asset.warranty_exp_date) == (date(2023, 8, 24), date(2026, 8, 24))
    assert (asset.created_by_id, asset.updated_by_id, asset.qr_code) == (
        tenant.admin_id,
        tenant.admin_id,
        "guVT5ngMeZ9xPBIk8db4dCGXVU",
    )
    assert links(session, asset_asset_types, "asset_type_id", asset.id) == [hvac["id"]]
    assert links(session, asset_technicians, "user_id", asset.id) == [technician_id]
    assert links(session, asset_vendors, "vendor_id", asset.id) == [vendor["id"]]


def test_a_new_asset_with_only_a_name(api: Api, tenant: Tenant) -> None:
    data = create_asset(api, "Bare")

    assert data["root_id"] == data["id"]
    assert data["status"] == "online"
    assert (data["parent"], data["location"], data["qr_code"], data["asset_code"], data["has_children"]) == (
        None,
        None,
        None,
        None,
        False,
    )
    assert [data[k] for k in ("technicians", "asset_types", "parts", "vendors", "images", "documents")] == [[]] * 6


def test_list_items_have_the_documented_shape(api: Api, session: Session, tenant: Tenant) -> None:
    location = create_location(api, "Plant")
    parent = create_asset(api, "Chiller")
    technician_id, _ = make_user(session, tenant, role="technician", name="John", surname="Doe")
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT])
    asset_type = create_lookup(api, "/asset_types", "asset_type", "HVAC")
    child = create_asset(
        api,
        "Compressor",
        parent_id=parent["id"],
        location_id=location["id"],
        technicians_ids=[technician_id],
        vendors_ids=[vendor["id"]],
        asset_types_ids=[asset_type["id"]],
        purchase_cost=10.5,
    )

    response = api.get("/assets")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["meta"]) == LIST_META
    assert body["meta"]["sort"] == ["name asc"]
    assert body["meta"]["pagination"] == {"total": 2, "page": 1, "per_page": 50, "total_pages": 1}
    assert [set(item) for item in body["data"]] == [ASSET_LIST_KEYS, ASSET_LIST_KEYS]
    item = next(i for i in body["data"] if i["id"] == child["id"])
    expected = {k: v for k, v in child.items() if k in ASSET_LIST_KEYS}
    expected["vendors"] = [{"id": vendor["id"], "name": "Summit"}]
    expected["image"] = {"small": None, "medium": None}
    assert item == expected
    assert set(item["technicians"][0]) == TECHNICIAN_KEYS
    assert item["parent"] == {"id": parent["id"], "name": "Chiller"}
    assert item["location"] == {"id": location["id"], "name": "Plant", "path": "Plant"}


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_only_the_fields_sent(api: Api, session: Session, tenant: Tenant, method: str) -> None:
    location = create_location(api, "Plant")
    asset = create_asset(
        api, "Pump", asset_code="P-1", description="Old", location_id=location["id"], purchase_cost=100, model="X"
    )
    manager_id, token = make_user(session, tenant, role="limited_admin", name="Lim", surname="Ited")

    data = ok(
        getattr(api.as_key(token), method)(
            f"/assets/{asset['id']}",
            json={"asset": {"description": None, "location_id": None, "purchase_cost": 120.25, "name": "Pump A"}},
        )
    )

    assert (data["name"], data["description"], data["location"], data["purchase_cost"]) == (
        "Pump A",
        None,
        None,
        120.25,
    )
    assert (data["asset_code"], data["model"]) == ("P-1", "X")
    assert data["created_by"]["id"] == tenant.admin_id
    assert data["updated_by"] == {"id": manager_id, "name": "Lim", "surname": "Ited"}
    stored = db_get(session, Asset, asset["id"])
    assert stored is not None
    assert (stored.name, stored.description, stored.location_id, stored.purchase_cost, stored.asset_code) == (
        "Pump A",
        None,
        None,
        Decimal("120.25"),
        "P-1",
    )


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"name": None}, id="null-name"),
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"status": "offline"}, id="status-is-read-only"),
        pytest.param({"purchase_cost": -1}, id="negative-cost"),
        pytest.param({"purchase_cost": 1.234}, id="cost-3-decimals"),
        pytest.param({"salvage_value": "lots"}, id="cost-not-a-number"),
        pytest.param({"purchase_date": "24/08/2023"}, id="bad-date"),
        pytest.param({"warranty_expiration_notification": -1}, id="negative-days"),
        pytest.param({"life_expectancy": "long"}, id="months-not-int"),
        pytest.param({"location_id": 999999}, id="unknown-location"),
        pytest.param({"asset_types_ids": None}, id="null-ids"),
        pytest.param({"parts_ids": [1]}, id="parts-before-parts-exist"),
        pytest.param({"colour": "red"}, id="unknown-field"),
    ],
)
def test_invalid_updates_are_422_and_change_nothing(api: Api, session: Session, fields: dict[str, Any]) -> None:
    asset = create_asset(api, "Pump", purchase_cost=100, purchase_date="2023-01-01")

    error(api.patch(f"/assets/{asset['id']}", json={"asset": fields}), 422)

    stored = db_get(session, Asset, asset["id"])
    assert stored is not None
    assert (stored.name, stored.status, stored.purchase_cost, stored.purchase_date, stored.location_id) == (
        "Pump",
        "online",
        Decimal("100.00"),
        date(2023, 1, 1),
        None,
    )


def test_create_validation(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    foreign_location = create_location(api.as_entity(other), "Elsewhere")

    error(api.post("/assets", json={"asset": {"asset_code": "X"}}), 422)
    error(api.post("/assets", json={"name": "Unwrapped"}), 422)
    body = error(api.post("/assets", json={"asset": {"name": "A", "location_id": foreign_location["id"]}}), 422)
    assert "asset.location_id" in body["errors"]
    body = error(api.post("/assets", json={"asset": {"name": "A", "parts_ids": [5]}}), 422)
    assert "asset.parts_ids" in body["errors"]
    error(api.post("/assets", json={"asset": {"name": "A", "status": "offline"}}), 422)

    assert db_scalars(session, select(func.count()).select_from(Asset)) == [0]


def test_parts_ids_accepts_an_empty_list(api: Api) -> None:
    asset = create_asset(api, "Pump", parts_ids=[])
    assert asset["parts"] == []
    assert ok(api.patch(f"/assets/{asset['id']}", json={"asset": {"parts_ids": []}}))["parts"] == []


# ---- sub-assets -----------------------------------------------------------------------------------------------


def test_sub_assets_carry_parent_root_and_has_children(api: Api, session: Session) -> None:
    line = create_asset(api, "Line 1")
    press = create_asset(api, "Press", parent_id=line["id"])
    motor = create_asset(api, "Motor", parent_id=press["id"])

    assert (press["parent"], press["root_id"]) == ({"id": line["id"], "name": "Line 1"}, line["id"])
    assert (motor["parent"], motor["root_id"], motor["has_children"]) == (
        {"id": press["id"], "name": "Press"},
        line["id"],
        False,
    )
    assert ok(api.get(f"/assets/{line['id']}"))["has_children"] is True
    assert ok(api.get(f"/assets/{press['id']}"))["has_children"] is True
    tree = {
        a.name: (a.parent_id, a.root_id) for a in db_rows(session, select(Asset.name, Asset.parent_id, Asset.root_id))
    }
    assert tree == {"Line 1": (None, line["id"]), "Press": (line["id"], line["id"]), "Motor": (press["id"], line["id"])}

    # A parent's new name shows in its children's reference.
    ok(api.patch(f"/assets/{press['id']}", json={"asset": {"name": "Press 2"}}))
    assert ok(api.get(f"/assets/{motor['id']}"))["parent"] == {"id": press["id"], "name": "Press 2"}


def test_moving_an_asset_moves_its_subtree(api: Api, session: Session) -> None:
    line_1 = create_asset(api, "Line 1")
    line_2 = create_asset(api, "Line 2")
    press = create_asset(api, "Press", parent_id=line_1["id"])
    motor = create_asset(api, "Motor", parent_id=press["id"])

    moved = ok(api.patch(f"/assets/{press['id']}", json={"asset": {"parent_id": line_2["id"]}}))

    assert (moved["parent"], moved["root_id"], moved["has_children"]) == (
        {"id": line_2["id"], "name": "Line 2"},
        line_2["id"],
        True,
    )
    assert ok(api.get(f"/assets/{motor['id']}"))["root_id"] == line_2["id"]
    assert ok(api.get(f"/assets/{line_1['id']}"))["has_children"] is False
    assert ids(api.get("/assets", params={"filter[root_id_eq]": line_2["id"]})) == [
        line_2["id"],
        motor["id"],
        press["id"],
    ]

    top = ok(api.put(f"/assets/{press['id']}", json={"asset": {"parent_id": None}}))
    assert (top["parent"], top["root_id"]) == (None, press["id"])
    rows = db_rows(session, select(Asset.id, Asset.parent_id, Asset.root_id).where(Asset.id == motor["id"]))
    assert [tuple(r) for r in rows] == [(motor["id"], press["id"], press["id"])]


@pytest.mark.parametrize("target", ["self", "child", "grandchild", "missing", "foreign"])
def test_a_parent_that_makes_a_cycle_or_is_not_here_is_422(
    api: Api, session: Session, tenant: Tenant, target: str
) -> None:
    top = create_asset(api, "Top")
    child = create_asset(api, "Child", parent_id=top["id"])
    grandchild = create_asset(api, "Grandchild", parent_id=child["id"])
    other = make_entity(session, tenant)
    foreign = create_asset(api.as_entity(other), "Elsewhere")
    parent_id = {
        "self": top["id"],
        "child": child["id"],
        "grandchild": grandchild["id"],
        "missing": 999999,
        "foreign": foreign["id"],
    }[target]

    body = error(api.patch(f"/assets/{top['id']}", json={"asset": {"parent_id": parent_id}}), 422)

    assert "asset.parent_id" in body["errors"]
    rows = db_rows(
        session, select(Asset.name, Asset.parent_id, Asset.root_id).where(Asset.entity_id == tenant.entity_id)
    )
    assert {r.name: (r.parent_id, r.root_id) for r in rows} == {
        "Top": (None, top["id"]),
        "Child": (top["id"], top["id"]),
        "Grandchild": (child["id"], top["id"]),
    }
    if target in ("missing", "foreign"):
        error(api.post("/assets", json={"asset": {"name": "New", "parent_id": parent_id}}), 422)


# ---- links ----------------------------------------------------------------------------------------------------


def test_technicians_must_be_assignable_users_of_this_entity(api: Api, session: Session, tenant: Tenant) -> None:
    technician_id, _ = make_user(session, tenant, role="technician")
    manager_id, _ = make_user(session, tenant, role="limited_admin")
    other = make_entity(session, tenant, admin_role=None)
    elsewhere_id, _ = make_user(session, tenant, role="technician", entity_id=other)
    unassignable_id, _ = make_user(session, tenant, role="technician", can_be_assigned_to_wo=False)
    inactive_id, _ = make_user(session, tenant, role="technician", status="inactive")
    stranger = make_tenant(session)
    asset = create_asset(api, "Pump", technicians_ids=[technician_id, manager_id])
    assert sorted(t["id"] for t in asset["technicians"]) == sorted([technician_id, manager_id])

    for wrong in (elsewhere_id, unassignable_id, inactive_id, stranger.admin_id, 999999):
        body = error(
            api.patch(f"/assets/{asset['id']}", json={"asset": {"technicians_ids": [technician_id, wrong]}}), 422
        )
        assert "asset.technicians_ids" in body["errors"]
        error(api.post("/assets", json={"asset": {"name": "New", "technicians_ids": [wrong]}}), 422)

    assert links(session, asset_technicians, "user_id", asset["id"]) == sorted([technician_id, manager_id])
    assert db_scalars(session, select(Asset.name).where(Asset.entity_id == tenant.entity_id)) == ["Pump"]


def _targets(api: Api, session: Session, tenant: Tenant, field: str, entity_id: int | None = None) -> list[int]:
    if field == "asset_types_ids":
        return [create_lookup(api, "/asset_types", "asset_type", n)["id"] for n in ("T1", "T2", "T3")]
    if field == "vendors_ids":
        return [create_vendor(api, n)["id"] for n in ("V1", "V2", "V3")]
    return [make_user(session, tenant, role="technician", entity_id=entity_id)[0] for _ in range(3)]


LINK_FIELDS = [
    pytest.param("asset_types_ids", "asset_types", asset_asset_types, "asset_type_id", id="asset_types"),
    pytest.param("technicians_ids", "technicians", asset_technicians, "user_id", id="technicians"),
    pytest.param("vendors_ids", "vendors", asset_vendors, "vendor_id", id="vendors"),
]


@pytest.mark.parametrize(("field", "key", "table", "column"), LINK_FIELDS)
def test_link_ids_replace_the_whole_set(
    api: Api, session: Session, tenant: Tenant, field: str, key: str, table: Any, column: str
) -> None:
    first, second, third = _targets(api, session, tenant, field)
    asset = create_asset(api, "Pump", **{field: [first, second]})
    assert sorted(ref["id"] for ref in asset[key]) == [first, second]

    replaced = ok(api.patch(f"/assets/{asset['id']}", json={"asset": {field: [third, second, third]}}))
    assert sorted(ref["id"] for ref in replaced[key]) == [second, third]
    assert links(session, table, column, asset["id"]) == [second, third]

    untouched = ok(api.patch(f"/assets/{asset['id']}", json={"asset": {"model": "X"}}))
    assert sorted(ref["id"] for ref in untouched[key]) == [second, third]

    cleared = ok(api.patch(f"/assets/{asset['id']}", json={"asset": {field: []}}))
    assert cleared[key] == []
    assert links(session, table, column, asset["id"]) == []

    error(api.patch(f"/assets/{asset['id']}", json={"asset": {field: None}}), 422)


@pytest.mark.parametrize(("field", "key", "table", "column"), LINK_FIELDS)
def test_link_ids_of_another_entity_are_422(
    api: Api, session: Session, tenant: Tenant, field: str, key: str, table: Any, column: str
) -> None:
    [mine, *_] = _targets(api, session, tenant, field)
    other = make_entity(session, tenant)
    [foreign, *_] = _targets(api.as_entity(other), session, tenant, field, entity_id=other)
    asset = create_asset(api, "Pump", **{field: [mine]})

    body = error(api.patch(f"/assets/{asset['id']}", json={"asset": {field: [mine, foreign]}}), 422)
    assert f"asset.{field}" in body["errors"]
    error(api.post("/assets", json={"asset": {"name": "New", field: [foreign]}}), 422)

    assert links(session, table, column, asset["id"]) == [mine]


# ---- asset_code -----------------------------------------------------------------------------------------------


def test_asset_code_is_unique_within_the_entity(api: Api, session: Session, tenant: Tenant) -> None:
    pump = create_asset(api, "Pump", asset_code="AST-001")
    fan = create_asset(api, "Fan", asset_code="AST-002")

    body = error(api.post("/assets", json={"asset": {"name": "Pump 2", "asset_code": "AST-001"}}), 409)
    assert "asset.asset_code" in body["errors"]
    error(api.patch(f"/assets/{fan['id']}", json={"asset": {"asset_code": "AST-001"}}), 409)
    # Sending its own code again is no clash.
    assert (
        ok(api.patch(f"/assets/{pump['id']}", json={"asset": {"asset_code": "AST-001", "model": "M"}}))["model"] == "M"
    )
    # Another entity may use the same code.
    other = make_entity(session, tenant)
    elsewhere = create_asset(api.as_entity(other), "Pump", asset_code="AST-001")
    assert elsewhere["asset_code"] == "AST-001"

    rows = db_rows(session, select(Asset.name, Asset.asset_code).where(Asset.entity_id == tenant.entity_id))
    assert sorted(tuple(r) for r in rows) == [("Fan", "AST-002"), ("Pump", "AST-001")]


# ---- lists ----------------------------------------------------------------------------------------------------


@pytest.fixture
def fleet(api: Api, session: Session, tenant: Tenant) -> dict[str, int]:
    plant = create_location(api, "Plant")["id"]
    office = create_location(api, "Office")["id"]
    pumps = create_lookup(api, "/asset_types", "asset_type", "Pumps")["id"]
    motors = create_lookup(api, "/asset_types", "asset_type", "Motors")["id"]
    tech1, _ = make_user(session, tenant, role="technician")
    tech2, _ = make_user(session, tenant, role="technician")
    v1 = create_vendor(api, "V1")["id"]
    v2 = create_vendor(api, "V2")["id"]
    pump = create_asset(
        api, "Pump", asset_code="P-1", description="Water pump", model="X100", manufacturer="Grundfos",
        serial_number="SN-111", purchase_date="2023-01-10", warranty_exp_date="2025-01-10",
        warranty_expiration_notification=30, life_expectancy=60, purchase_cost=1000, replacement_cost=1200,
        salvage_value=100, location_id=plant, asset_types_ids=[pumps], technicians_ids=[tech1], vendors_ids=[v1],
    )["id"]  # fmt: skip
    motor = create_asset(
        api, "Motor", asset_code="M-1", model="X200", manufacturer="ABB", serial_number="SN-222",
        purchase_date="2024-06-01", warranty_exp_date="2027-06-01", warranty_expiration_notification=60,
        life_expectancy=120, purchase_cost=500.5, location_id=office, parent_id=pump,
        asset_types_ids=[motors, pumps], technicians_ids=[tech1, tech2],
    )["id"]  # fmt: skip
    fan = create_asset(api, "Fan", parent_id=motor)["id"]
    chiller = create_asset(
        api, "Chiller", asset_code="C-1", manufacturer="Carrier", purchase_cost=2500, location_id=plant,
        technicians_ids=[tech2], vendors_ids=[v1, v2],
    )["id"]  # fmt: skip
    ok(api.patch(f"/assets/{pump}/status", json={"status": "offline"}))
    return {
        "pump": pump, "motor": motor, "fan": fan, "chiller": chiller, "plant": plant, "office": office,
        "pumps": pumps, "motors": motors, "tech1": tech1, "tech2": tech2, "v1": v1, "v2": v2,
        "admin": tenant.admin_id,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("id_eq", "{fan}", {"fan"}),
        ("name_cont", "TOR", {"motor"}),
        ("name_in", "Fan,Chiller", {"fan", "chiller"}),
        ("asset_code_eq", "P-1", {"pump"}),
        ("asset_code_null", "true", {"fan"}),
        ("description_cont", "water", {"pump"}),
        ("description_null", "true", {"motor", "fan", "chiller"}),
        ("model_start", "X", {"pump", "motor"}),
        ("manufacturer_eq", "Grundfos", {"pump"}),
        ("manufacturer_not_eq", "Grundfos", {"motor", "fan", "chiller"}),
        ("serial_number_in", "SN-111,SN-222", {"pump", "motor"}),
        ("purchase_date_gteq", "2024-01-01", {"motor"}),
        ("purchase_date_lt", "2024-01-01", {"pump"}),
        ("warranty_exp_date_lt", "2026-01-01", {"pump"}),
        ("warranty_expiration_notification_eq", "60", {"motor"}),
        ("life_expectancy_gt", "50", {"pump", "motor"}),
        ("purchase_cost_lteq", "1000", {"pump", "motor"}),
        ("purchase_cost_eq", "500.5", {"motor"}),
        ("replacement_cost_gt", "1000", {"pump"}),
        ("salvage_value_null", "false", {"pump"}),
        ("status_eq", "offline", {"pump"}),
        ("status_eq", "online", {"motor", "fan", "chiller"}),
        ("status_not_eq", "online", {"pump"}),
        ("location_id_eq", "{plant}", {"pump", "chiller"}),
        ("location_id_null", "true", {"fan"}),
        ("parent_id_eq", "{pump}", {"motor"}),
        ("parent_id_null", "true", {"pump", "chiller"}),
        ("root_id_eq", "{pump}", {"pump", "motor", "fan"}),
        ("root_id_eq", "{chiller}", {"chiller"}),
        ("asset_types_id_eq", "{pumps}", {"pump", "motor"}),
        ("asset_types_id_eq", "{motors}", {"motor"}),
        ("asset_types_id_null", "true", {"fan", "chiller"}),
        ("technicians_id_eq", "{tech1}", {"pump", "motor"}),
        ("technicians_id_eq", "{tech2}", {"motor", "chiller"}),
        ("technicians_id_not_eq", "{tech1}", {"fan", "chiller"}),
        ("vendors_id_eq", "{v1}", {"pump", "chiller"}),
        ("vendors_id_eq", "{v2}", {"chiller"}),
        ("vendors_id_in", "{v1},{v2}", {"pump", "chiller"}),
        ("vendors_id_null", "true", {"motor", "fan"}),
        ("created_by_id_eq", "{admin}", {"pump", "motor", "fan", "chiller"}),
        ("updated_by_id_eq", "{admin}", {"pump", "motor", "fan", "chiller"}),
        ("created_at_gteq", "2000-01-01T00:00:00Z", {"pump", "motor", "fan", "chiller"}),
        ("created_at_gt", "2999-01-01T00:00:00Z", set()),
        ("updated_at_lt", "2999-01-01T00:00:00+02:00", {"pump", "motor", "fan", "chiller"}),
    ],
)
def test_filters_select_exactly_the_matching_assets(
    api: Api, fleet: dict[str, int], key: str, value: str, expected: set[str]
) -> None:
    sent = value.format(**fleet)

    response = api.get("/assets", params={f"filter[{key}]": sent})

    assert set(ids(response)) == {fleet[name] for name in expected}
    assert response.json()["meta"]["filter"] == {key: sent}
    assert response.json()["meta"]["pagination"]["total"] == len(expected)


def test_default_sort_search_and_bad_parameters(api: Api, fleet: dict[str, int]) -> None:
    f = fleet
    assert ids(api.get("/assets")) == [f["chiller"], f["fan"], f["motor"], f["pump"]]
    assert ids(api.get("/assets", params={"sort": "name desc", "per_page": 2})) == [f["pump"], f["motor"]]
    for text, expected in (
        ("sn-2", [f["motor"]]),
        ("carrier", [f["chiller"]]),
        ("x1", [f["pump"]]),
        ("m-1", [f["motor"]]),
    ):
        assert ids(api.get("/assets", params={"search": text})) == expected, text
    by_cost = api.get("/assets", params={"sort": "purchase_cost desc", "filter[purchase_cost_not_null]": "true"})
    assert ids(by_cost) == [f["chiller"], f["pump"], f["motor"]]
    combined = api.get("/assets", params={"filter[location_id_eq]": f["plant"], "filter[status_eq]": "online"})
    assert ids(combined) == [f["chiller"]]
    error(api.get("/assets", params={"filter[status_eq]": "broken"}), 422)
    error(api.get("/assets", params={"filter[technicians_id_cont]": "1"}), 422)
    error(api.get("/assets", params={"sort": "serial_number asc"}), 422)
    error(api.get("/assets", params={"per_page": 101}), 422)


def test_asset_list_issues_the_same_number_of_statements_for_any_page_size(
    api: Api, session: Session, tenant: Tenant, engine: Engine, client: TestClient
) -> None:
    technicians = [make_user(session, tenant, role="technician")[0] for _ in range(3)]
    types = [create_lookup(api, "/asset_types", "asset_type", f"Type {i}")["id"] for i in range(3)]
    vendors = [
        create_vendor(api, f"Vendor {i}", vendor_contacts_attributes=[{"name": f"C{i}", "is_primary": True}])["id"]
        for i in range(3)
    ]
    location = create_location(api, "Plant")["id"]
    parent = create_asset(api, "Asset parent")["id"]
    for i in range(32):
        create_asset(
            api,
            f"Asset {i:02}",
            location_id=location,
            parent_id=parent,
            technicians_ids=technicians[: 1 + i % 3],
            asset_types_ids=types[: 1 + i % 3],
            vendors_ids=vendors[: 1 + i % 3],
        )
    assert len(api.get("/assets", params={"per_page": 100}).json()["data"]) == 33  # warm-up

    counts = []
    for params in (
        {"per_page": 1},
        {"per_page": 100},
        {"per_page": 1, "filter[parent_id_eq]": str(parent)},
        {"per_page": 30, "filter[parent_id_eq]": str(parent)},
    ):
        with statements(engine) as seen:
            assert api.get("/assets", params=params).status_code == 200
        counts.append(len(seen))

    assert counts[0] == counts[1], counts
    assert counts[2] == counts[3], counts


# ---- roles and entities ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_cannot_create_change_or_delete_assets(
    api: Api, session: Session, tenant: Tenant, role: str
) -> None:
    asset = create_asset(api, "Pump")
    _, token = make_user(session, tenant, role=role)
    user = api.as_key(token)

    error(user.post("/assets", json={"asset": {"name": "Mine"}}), 403)
    error(user.patch(f"/assets/{asset['id']}", json={"asset": {"name": "Mine"}}), 403)
    error(user.put(f"/assets/{asset['id']}", json={"asset": {"name": "Mine"}}), 403)
    error(user.delete(f"/assets/{asset['id']}"), 403)

    assert db_scalars(session, select(Asset.name)) == ["Pump"]
    assert ids(user.get("/assets")) == [asset["id"]]


def test_limited_admins_can_manage_assets(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="limited_admin")
    manager = api.as_key(token)

    asset = ok(manager.post("/assets", json={"asset": {"name": "Pump"}}), 201)
    ok(manager.patch(f"/assets/{asset['id']}", json={"asset": {"name": "Pump 2"}}))
    assert manager.delete(f"/assets/{asset['id']}").status_code == 204
    assert db_get(session, Asset, asset["id"]) is None


def test_another_entitys_asset_is_404_and_never_listed(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    theirs = create_asset(api.as_entity(other), "Theirs", asset_code="T-1")
    ours = create_asset(api, "Ours")

    assert ids(api.get("/assets")) == [ours["id"]]
    assert ids(api.get("/assets", params={"filter[asset_code_eq]": "T-1"})) == []
    assert error(api.get(f"/assets/{theirs['id']}"), 404)["message"] == "Asset not found"
    error(api.patch(f"/assets/{theirs['id']}", json={"asset": {"name": "Mine"}}), 404)
    error(api.put(f"/assets/{theirs['id']}", json={"asset": {"name": "Mine"}}), 404)
    error(api.delete(f"/assets/{theirs['id']}"), 404)

    stored = db_get(session, Asset, theirs["id"])
    assert stored is not None and stored.name == "Theirs"


def test_another_customers_asset_is_404(api: Api, session: Session) -> None:
    stranger = make_tenant(session)
    theirs = create_asset(Api(api.client, stranger.token, stranger.entity_id), "Theirs")

    error(api.get(f"/assets/{theirs['id']}"), 404)
    error(api.patch(f"/assets/{theirs['id']}", json={"asset": {"name": "Mine"}}), 404)
    error(api.patch(f"/assets/{theirs['id']}/status", json={"status": "offline"}), 404)
    assert ids(api.get("/assets")) == []
    # Its entity is not ours to name either.
    error(api.as_entity(stranger.entity_id).get("/assets"), 403)

    stored = db_get(session, Asset, theirs["id"])
    assert stored is not None and (stored.name, stored.status) == ("Theirs", "online")
