"""Parts: create/list/get/update/delete with every documented field, both shapes, links and vendor rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    PRIMARY_CONTACT_KEYS,
    create_asset,
    create_lookup,
    create_vendor,
    db_rows,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.parts.support import (
    PART_DETAIL_KEYS,
    PART_LIST_KEYS,
    PART_VENDOR_KEYS,
    assert_ledger_matches,
    create_part,
    ledger,
)
from wrenchwork.models import MeasurementUnit, Part, VendorPart, part_assets


def _unit(api: Api, name: str = "Item") -> dict[str, Any]:
    units = ok(api.get("/measurement_units", params={"filter[name_eq]": name}))
    assert len(units) == 1, units
    unit: dict[str, Any] = units[0]
    return unit


def _full_part(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """The published create example, with ids of this entity's records."""
    part_type = create_lookup(api, "/part_types", "part_type", "Filters")
    storeroom = create_lookup(api, "/storerooms", "storeroom", "Main Warehouse")
    unit = _unit(api)
    asset = create_asset(api, "Air Purifier 1")
    vendor = create_vendor(
        api,
        "Summit HVAC & Refrigeration",
        vendor_contacts_attributes=[
            {"name": "Robert Smith", "email": "robert_smith@example.com", "phone": "1-493-480-9163",
             "extension": "989", "is_primary": True}
        ],
    )  # fmt: skip
    body = {
        "name": "Air Filter", "description": "Fiberglass panel filter", "is_non_stock": False, "on_hand_qty": 6,
        "min_qty": 5, "desired_qty": 8, "unit_cost": 26.15, "number": "FL_A", "area": "Filters bin", "lead_time": 7,
        "part_type_id": part_type["id"], "storeroom_id": storeroom["id"], "measurement_unit_id": unit["id"],
        "assets_ids": [asset["id"]],
        "vendor_parts_attributes": [
            {"vendor_id": vendor["id"], "vendor_part_number": "ABC-12345", "is_preferred": True}
        ],
        "qr_code_attributes": {"value": "guVT5ngMeZ9xPBIk8db4dCGXVU", "generate_qr_code": True},
    }  # fmt: skip
    refs = {"part_type": part_type, "storeroom": storeroom, "unit": unit, "asset": asset, "vendor": vendor}
    return body, refs


def test_create_with_the_published_example_answers_the_documented_detail(api: Api, tenant: Tenant) -> None:
    body, refs = _full_part(api)
    part = ok(api.post("/parts", json={"part": body}), 201)
    assert list(part) == [
        "id", "name", "description", "is_non_stock", "number", "area", "lead_time", "on_hand_qty", "min_qty",
        "desired_qty", "unit_cost", "avg_unit_cost", "part_type", "storeroom", "measurement_unit", "available",
        "reserved", "reorder_qty", "assets", "vendors", "qr_code", "images", "documents", "created_at",
        "updated_at", "created_by", "updated_by",
    ]  # fmt: skip
    assert set(part) == PART_DETAIL_KEYS
    expected = {
        "name": "Air Filter", "description": "Fiberglass panel filter", "is_non_stock": False, "number": "FL_A",
        "area": "Filters bin", "lead_time": 7, "on_hand_qty": 6, "min_qty": 5, "desired_qty": 8, "unit_cost": 26.15,
        "avg_unit_cost": 26.15, "part_type": {"id": refs["part_type"]["id"], "name": "Filters"},
        "storeroom": {"id": refs["storeroom"]["id"], "name": "Main Warehouse"},
        "measurement_unit": {"id": refs["unit"]["id"], "name": "Item", "short_name": "itm"},
        "available": 6, "reserved": 0, "reorder_qty": 2,
        "assets": [{"id": refs["asset"]["id"], "name": "Air Purifier 1"}],
        "qr_code": "guVT5ngMeZ9xPBIk8db4dCGXVU", "images": [], "documents": [],
        "created_by": {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"},
        "updated_by": {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"},
    }  # fmt: skip
    assert {k: part[k] for k in expected} == expected
    [vendor] = part["vendors"]
    assert set(vendor) == PART_VENDOR_KEYS
    assert vendor["id"] == refs["vendor"]["id"]
    assert (vendor["is_preferred"], vendor["vendor_part_number"]) == (True, "ABC-12345")
    assert set(vendor["primary_contact"]) == PRIMARY_CONTACT_KEYS
    assert vendor["primary_contact"]["name"] == "Robert Smith"
    assert ok(api.get(f"/parts/{part['id']}")) == part


def test_list_item_has_the_documented_shape(api: Api) -> None:
    body, refs = _full_part(api)
    created = ok(api.post("/parts", json={"part": body}), 201)
    response = api.get("/parts")
    [item] = ok(response)
    assert set(item) == PART_LIST_KEYS
    assert list(item)[:13] == [
        "id", "name", "description", "is_non_stock", "number", "area", "lead_time", "on_hand_qty", "min_qty",
        "desired_qty", "unit_cost", "avg_unit_cost", "available",
    ]  # fmt: skip
    assert item["measurement_unit"] == {"id": refs["unit"]["id"], "name": "Item"}
    assert item["vendors"] == [{"id": refs["vendor"]["id"], "name": "Summit HVAC & Refrigeration"}]
    assert item["image"] == {"small": None, "medium": None}
    assert item["available"] == 6
    assert item["id"] == created["id"]
    meta = response.json()["meta"]
    assert meta["sort"] == ["name asc"] and meta["pagination"]["total"] == 1


def test_minimal_part_defaults(api: Api, session: Session) -> None:
    part = create_part(api, "Gasket")
    assert (part["on_hand_qty"], part["unit_cost"], part["avg_unit_cost"]) == (0, 0, 0)
    assert (part["is_non_stock"], part["min_qty"], part["desired_qty"], part["reorder_qty"]) == (
        False,
        None,
        None,
        None,
    )
    assert (part["part_type"], part["storeroom"], part["measurement_unit"], part["qr_code"]) == (None, None, None, None)
    assert (part["assets"], part["vendors"], part["available"], part["reserved"]) == ([], [], 0, 0)
    [initial] = ledger(session, part["id"])
    assert (initial.type, initial.quantity, initial.cost, initial.total_cost) == ("initial", 0, 0, 0)


def test_create_writes_one_initial_transaction(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=6.5, unit_cost=26.15)
    lines = ledger(session, part["id"])
    assert [(t.type, str(t.quantity), str(t.cost), str(t.total_cost)) for t in lines] == [
        ("initial", "6.500", "26.15", "169.98")
    ]
    assert str(assert_ledger_matches(session, part["id"]).avg_unit_cost) == "26.15"


def test_update_changes_the_documented_fields(api: Api) -> None:
    body, refs = _full_part(api)
    part = ok(api.post("/parts", json={"part": body}), 201)
    other_type = create_lookup(api, "/part_types", "part_type", "Belts")
    box = _unit(api, "Box")
    changes = {
        "name": "Belt", "description": None, "min_qty": 1.5, "desired_qty": 10, "number": "BLT-1", "area": "Rack 4",
        "lead_time": 14, "part_type_id": other_type["id"], "storeroom_id": None, "measurement_unit_id": box["id"],
        "assets_ids": [],
    }  # fmt: skip
    updated = ok(api.patch(f"/parts/{part['id']}", json={"part": changes}))
    fields = ("name", "description", "min_qty", "desired_qty", "number", "area", "lead_time")
    assert {k: updated[k] for k in fields} == {
        "name": "Belt", "description": None, "min_qty": 1.5, "desired_qty": 10, "number": "BLT-1", "area": "Rack 4",
        "lead_time": 14,
    }  # fmt: skip
    assert updated["part_type"] == {"id": other_type["id"], "name": "Belts"}
    assert updated["storeroom"] is None
    assert updated["measurement_unit"] == {"id": box["id"], "name": "Box", "short_name": "box"}
    assert updated["assets"] == []
    assert updated["vendors"][0]["id"] == refs["vendor"]["id"]  # not sent: left alone
    assert updated["reorder_qty"] == 4
    # PUT is the same partial update.
    assert ok(api.put(f"/parts/{part['id']}", json={"part": {"area": "Rack 5"}}))["area"] == "Rack 5"


def test_stock_and_cost_fields_are_not_changed_by_update(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=3, unit_cost=2)
    for field, value in (("on_hand_qty", 9), ("unit_cost", 5), ("avg_unit_cost", 5), ("is_non_stock", True)):
        body = error(api.patch(f"/parts/{part['id']}", json={"part": {field: value}}), 422)
        assert list(body["errors"]) == [f"part.{field}"]
    assert len(ledger(session, part["id"])) == 1
    assert ok(api.get(f"/parts/{part['id']}"))["on_hand_qty"] == 3


def test_validation_errors(api: Api) -> None:
    other = make_entity_part_refs(api)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "part.name"),
        ({"name": " "}, "part.name"),
        ({"name": "x", "on_hand_qty": 1.2345}, "part.on_hand_qty"),
        ({"name": "x", "on_hand_qty": -1}, "part.on_hand_qty"),
        ({"name": "x", "unit_cost": 1.234}, "part.unit_cost"),
        ({"name": "x", "unit_cost": -0.01}, "part.unit_cost"),
        ({"name": "x", "min_qty": 0.0001}, "part.min_qty"),
        ({"name": "x", "lead_time": -1}, "part.lead_time"),
        ({"name": "x", "unit_cost": "1e400"}, "part.unit_cost"),
        ({"name": "x", "on_hand_qty": 1e12}, "part.on_hand_qty"),
        ({"name": "x", "part_type_id": 999999}, "part.part_type_id"),
        ({"name": "x", "storeroom_id": other["storeroom"]}, "part.storeroom_id"),
        ({"name": "x", "measurement_unit_id": other["unit"]}, "part.measurement_unit_id"),
        ({"name": "x", "assets_ids": [other["asset"]]}, "part.assets_ids"),
        ({"name": "x", "assets_ids": None}, "part.assets_ids"),
        ({"name": "x", "vendor_parts_attributes": [{"vendor_id": other["vendor"]}]}, "part.vendor_parts_attributes"),
        ({"name": "x", "is_non_stock": True, "on_hand_qty": 1}, "part.on_hand_qty"),
        ({"name": "x", "colour": "red"}, "part.colour"),
    ]
    for body, field in cases:
        response = error(api.post("/parts", json={"part": body}), 422)
        assert field in response["errors"], (body, response)
    assert ok(api.get("/parts")) == []


def make_entity_part_refs(api: Api) -> dict[str, int]:
    """Records of a second entity of the same customer: never valid references for the first."""
    client, token = api.client, api.token
    entity = ok(api.post("/entities", json={"entity": {"name": "Elsewhere"}}), 201)
    elsewhere = Api(client, token, entity["id"])
    return {
        "storeroom": create_lookup(elsewhere, "/storerooms", "storeroom", "Far")["id"],
        "unit": ok(elsewhere.get("/measurement_units"))[0]["id"],
        "asset": create_asset(elsewhere, "Far asset")["id"],
        "vendor": create_vendor(elsewhere, "Far vendor")["id"],
    }


def test_part_number_is_unique_in_the_entity(api: Api, session: Session, tenant: Tenant) -> None:
    create_part(api, number="FL_A")
    body = error(api.post("/parts", json={"part": {"name": "Other", "number": "FL_A"}}), 409)
    assert body["errors"] == {"part.number": ["is already taken"]}
    other = make_entity(session, tenant)
    assert ok(api.as_entity(other).post("/parts", json={"part": {"name": "Other", "number": "FL_A"}}), 201)


def test_vendor_rows_matched_by_vendor_id(api: Api, session: Session) -> None:
    a = create_vendor(api, "Alpha Supply")
    b = create_vendor(api, "Bravo Parts")
    c = create_vendor(api, "Charlie Co")
    part = create_part(
        api,
        vendor_parts_attributes=[
            {"vendor_id": a["id"], "vendor_part_number": "A-1", "is_preferred": True},
            {"vendor_id": b["id"], "vendor_part_number": "B-1"},
        ],
    )
    path = f"/parts/{part['id']}"
    # Change b (now preferred: a stops being preferred), add c, remove a; a row for an unlinked vendor with
    # _destroy changes nothing.
    updated = ok(
        api.patch(
            path,
            json={"part": {"vendor_parts_attributes": [
                {"vendor_id": b["id"], "is_preferred": True},
                {"vendor_id": c["id"], "vendor_part_number": "C-9"},
                {"vendor_id": a["id"], "_destroy": True},
                {"vendor_id": 999999, "_destroy": True},
            ]}},
        )
    )  # fmt: skip
    summary = [(v["name"], v["is_preferred"], v["vendor_part_number"]) for v in updated["vendors"]]
    assert summary == [("Bravo Parts", True, "B-1"), ("Charlie Co", False, "C-9")]
    # Preferring c un-prefers b.
    updated = ok(
        api.patch(path, json={"part": {"vendor_parts_attributes": [{"vendor_id": c["id"], "is_preferred": True}]}})
    )
    assert [(v["name"], v["is_preferred"]) for v in updated["vendors"]] == [
        ("Bravo Parts", False),
        ("Charlie Co", True),
    ]
    rows = db_rows(
        session, select(VendorPart.vendor_id, VendorPart.is_preferred).where(VendorPart.part_id == part["id"])
    )
    assert sorted(rows) == sorted([(b["id"], False), (c["id"], True)])
    # The vendor shows the part.
    assert ok(api.get(f"/vendors/{c['id']}"))["parts"] == [{"id": part["id"], "name": "Air Filter"}]
    assert ok(api.get(f"/vendors/{a['id']}"))["parts"] == []


def test_vendor_rows_rules(api: Api) -> None:
    a = create_vendor(api, "Alpha Supply")
    b = create_vendor(api, "Bravo Parts")
    part = create_part(api)
    path = f"/parts/{part['id']}"
    two_preferred = [{"vendor_id": a["id"], "is_preferred": True}, {"vendor_id": b["id"], "is_preferred": True}]
    twice = [{"vendor_id": a["id"]}, {"vendor_id": a["id"], "vendor_part_number": "x"}]
    for rows in (two_preferred, twice, [{"vendor_part_number": "x"}], [{"vendor_id": a["id"], "is_preferred": None}]):
        error(api.patch(path, json={"part": {"vendor_parts_attributes": rows}}), 422)
    assert ok(api.get(path))["vendors"] == []


def test_assets_ids_and_parts_ids_are_one_relation(api: Api, session: Session) -> None:
    pump = create_asset(api, "Pump")
    fan = create_asset(api, "Fan")
    seal = create_part(api, "Seal", assets_ids=[pump["id"]])
    belt = create_part(api, "Belt")
    assert ok(api.get(f"/assets/{pump['id']}"))["parts"] == [{"id": seal["id"], "name": "Seal"}]
    # From the asset side: the fan gets both parts.
    fan_detail = ok(api.patch(f"/assets/{fan['id']}", json={"asset": {"parts_ids": [belt["id"], seal["id"]]}}))
    # Reference lists are in id order, in the detail and in the list item alike.
    assert fan_detail["parts"] == [{"id": seal["id"], "name": "Seal"}, {"id": belt["id"], "name": "Belt"}]
    seal_assets = ok(api.get(f"/parts/{seal['id']}"))["assets"]
    assert seal_assets == [{"id": pump["id"], "name": "Pump"}, {"id": fan["id"], "name": "Fan"}]
    listed = {a["id"]: a["parts"] for a in ok(api.get("/assets"))}
    assert listed[pump["id"]] == [{"id": seal["id"], "name": "Seal"}]
    assert listed[fan["id"]] == fan_detail["parts"]
    assert {p["id"]: p["assets"] for p in ok(api.get("/parts"))}[seal["id"]] == seal_assets
    # From the part side: the seal leaves the pump, and the pump's shape follows.
    ok(api.patch(f"/parts/{seal['id']}", json={"part": {"assets_ids": [fan["id"]]}}))
    assert ok(api.get(f"/assets/{pump['id']}"))["parts"] == []
    assert ids(api.get("/parts", params={"filter[assets_id_eq]": fan["id"]})) == [belt["id"], seal["id"]]
    links = db_rows(session, select(part_assets.c.part_id, part_assets.c.asset_id))
    assert sorted(links) == sorted([(seal["id"], fan["id"]), (belt["id"], fan["id"])])
    # Unknown part ids on an asset are a 422.
    error(api.patch(f"/assets/{fan['id']}", json={"asset": {"parts_ids": [999999]}}), 422)


def test_asset_create_accepts_parts_ids(api: Api) -> None:
    seal = create_part(api, "Seal")
    asset = create_asset(api, "Mixer", parts_ids=[seal["id"]])
    assert asset["parts"] == [{"id": seal["id"], "name": "Seal"}]
    assert ok(api.get(f"/parts/{seal['id']}"))["assets"] == [{"id": asset["id"], "name": "Mixer"}]


def test_qr_codes_as_for_assets(api: Api) -> None:
    asset = create_asset(api, "Pump", qr_code_attributes={"value": "SCAN-1"})
    error(api.post("/parts", json={"part": {"name": "x", "qr_code_attributes": {"value": "SCAN-1"}}}), 409)
    part = create_part(api, qr_code_attributes={"generate_qr_code": True})
    assert len(part["qr_code"]) == 26
    error(api.patch(f"/assets/{asset['id']}", json={"asset": {"qr_code_attributes": {"value": part["qr_code"]}}}), 409)
    assert ids(api.get("/parts", params={"filter[qr_code_eq]": part["qr_code"]})) == [part["id"]]
    svg = api.get(f"/parts/{part['id']}/qr_code.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert api.get(f"/parts/{part['id']}/qr_code.png").content.startswith(b"\x89PNG")
    cleared = ok(api.patch(f"/parts/{part['id']}", json={"part": {"qr_code_attributes": {"_destroy_qr_code": True}}}))
    assert cleared["qr_code"] is None
    assert api.get(f"/parts/{part['id']}/qr_code.svg").status_code == 404


def test_other_entities_parts_are_not_found(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api)
    other = api.as_entity(make_entity(session, tenant))
    for method, path, json in (
        ("GET", f"/parts/{part['id']}", None),
        ("PATCH", f"/parts/{part['id']}", {"part": {"name": "x"}}),
        ("DELETE", f"/parts/{part['id']}", None),
        ("PATCH", f"/parts/{part['id']}/restock", {"quantity": 1, "cost": 1}),
        ("PATCH", f"/parts/{part['id']}/reconcile", {"quantity": 1, "note": "n"}),
        ("PATCH", f"/parts/{part['id']}/unit_cost", {"cost": 1}),
        ("PATCH", f"/parts/{part['id']}/avg_unit_cost", {"cost": 1}),
        ("GET", f"/parts/{part['id']}/transactions", None),
    ):
        body = error(other.request(method, path, json=json), 404)
        assert body["message"] == "Part not found"
    assert ok(other.get("/parts")) == []


def test_roles(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api, on_hand_qty=5)
    _, tech_token = make_user(session, tenant, role="technician")
    _, requester_token = make_user(session, tenant, role="requester")
    tech, requester = api.as_key(tech_token), api.as_key(requester_token)
    error(tech.post("/parts", json={"part": {"name": "x"}}), 403)
    error(tech.patch(f"/parts/{part['id']}", json={"part": {"name": "x"}}), 403)
    error(tech.patch(f"/parts/{part['id']}/unit_cost", json={"cost": 1}), 403)
    assert ok(tech.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 1}))["on_hand_qty"] == 6
    assert ok(tech.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -1, "note": "count"}))["on_hand_qty"] == 5
    error(requester.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 1}), 403)
    assert ok(requester.get(f"/parts/{part['id']}"))["id"] == part["id"]
    # The ledger (who took what, at what cost) is the maintenance staff's: a requester sees the catalogue only.
    assert len(ok(tech.get(f"/parts/{part['id']}/transactions"))) == 3  # initial, restock, reconcile
    line = ok(tech.get(f"/parts/{part['id']}/transactions"))[0]["id"]
    error(requester.get(f"/parts/{part['id']}/transactions"), 403)
    error(requester.get(f"/parts/{part['id']}/transactions/{line}"), 403)


def test_delete(api: Api, session: Session) -> None:
    asset = create_asset(api, "Pump")
    vendor = create_vendor(api, "Alpha")
    part = create_part(api, assets_ids=[asset["id"]], vendor_parts_attributes=[{"vendor_id": vendor["id"]}])
    ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 2, "cost": 3}))
    response = api.delete(f"/parts/{part['id']}")
    assert response.status_code == 204 and response.content == b""
    assert db_rows(session, select(Part.id)) == []
    assert ledger(session, part["id"]) == []
    assert ok(api.get(f"/assets/{asset['id']}"))["parts"] == []
    error(api.get(f"/parts/{part['id']}"), 404)


def test_lookups_in_use_cannot_be_deleted(api: Api) -> None:
    part_type = create_lookup(api, "/part_types", "part_type", "Filters")
    storeroom = create_lookup(api, "/storerooms", "storeroom", "Main Warehouse")
    unit = _unit(api, "Litre")
    part = create_part(api, part_type_id=part_type["id"], storeroom_id=storeroom["id"], measurement_unit_id=unit["id"])
    for path, id_, title in (
        ("/part_types", part_type["id"], "Part type"),
        ("/storerooms", storeroom["id"], "Storeroom"),
        ("/measurement_units", unit["id"], "Measurement unit"),
    ):
        body = error(api.delete(f"{path}/{id_}"), 409)
        assert body["message"] == f"{title} is still used by 1 parts"
    assert api.delete(f"/parts/{part['id']}").status_code == 204
    assert api.delete(f"/storerooms/{storeroom['id']}").status_code == 204


def test_a_fresh_entity_has_default_units(api: Api, session: Session) -> None:
    units = ok(api.get("/measurement_units", params={"per_page": 100}))
    pairs = {(u["name"], u["short_name"]) for u in units}
    assert {("Item", "itm"), ("Box", "box"), ("Litre", "l"), ("Metre", "m"), ("Kilogram", "kg")} <= pairs
    assert set(units[0]) == {"id", "name", "short_name", "created_at", "updated_at"}
    entity = ok(api.post("/entities", json={"entity": {"name": "New Site"}}), 201)
    there = ok(api.as_entity(entity["id"]).get("/measurement_units", params={"per_page": 100}))
    assert {(u["name"], u["short_name"]) for u in there} == pairs
    assert len(db_rows(session, select(MeasurementUnit.id))) == 2 * len(pairs)


def test_measurement_unit_resource(api: Api) -> None:
    made = ok(api.post("/measurement_units", json={"measurement_unit": {"name": "Roll", "short_name": "rl"}}), 201)
    assert (made["name"], made["short_name"]) == ("Roll", "rl")
    changed = ok(api.patch(f"/measurement_units/{made['id']}", json={"measurement_unit": {"short_name": "roll"}}))
    assert (changed["name"], changed["short_name"]) == ("Roll", "roll")
    error(api.post("/measurement_units", json={"measurement_unit": {"name": "roll"}}), 409)
    error(api.post("/measurement_units", json={"measurement_unit": {"short_name": "x"}}), 422)
    error(api.post("/measurement_units", json={"measurement_unit": {"name": "Y", "short_name": "x" * 21}}), 422)
    assert ids(api.get("/measurement_units", params={"filter[short_name_eq]": "roll"})) == [made["id"]]
    assert ids(api.get("/measurement_units", params={"search": "roll"})) == [made["id"]]
    assert api.delete(f"/measurement_units/{made['id']}").status_code == 204
