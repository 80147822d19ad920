"""DELETE /locations/{id}, /assets/{id}, /vendors/{id} (extension): 204, or 409 while still referenced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    create_asset,
    create_location,
    create_lookup,
    create_vendor,
    db_add,
    db_get,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.models import (
    Asset,
    Downtime,
    Location,
    Vendor,
    VendorContact,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)


def count(session: Session, table: object, *where: object) -> int:
    [n] = db_scalars(session, select(func.count()).select_from(table).where(*where))  # type: ignore[arg-type]
    return int(n)


def test_deleting_a_location_answers_204_and_removes_it(api: Api, session: Session) -> None:
    keep = create_location(api, "Keep")
    gone = create_location(api, "Gone")

    response = api.delete(f"/locations/{gone['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert db_get(session, Location, gone["id"]) is None
    error(api.get(f"/locations/{gone['id']}"), 404)
    error(api.delete(f"/locations/{gone['id']}"), 404)
    listed = api.get("/locations")
    assert ids(listed) == [keep["id"]]
    assert listed.json()["meta"]["pagination"]["total"] == 1


def test_a_location_with_children_or_assets_is_409_naming_them(api: Api, session: Session) -> None:
    building = create_location(api, "Building")
    floors = [create_location(api, f"Floor {i}", building["id"]) for i in (1, 2)]
    assets = [create_asset(api, f"Asset {i}", location_id=building["id"]) for i in (1, 2, 3)]

    body = error(api.delete(f"/locations/{building['id']}"), 409)

    assert "2 child locations" in body["message"]
    assert "3 assets" in body["message"]
    assert db_get(session, Location, building["id"]) is not None

    for floor in floors:
        assert api.delete(f"/locations/{floor['id']}").status_code == 204
    body = error(api.delete(f"/locations/{building['id']}"), 409)
    assert "3 assets" in body["message"] and "child location" not in body["message"]

    for asset in assets[:2]:
        assert api.delete(f"/assets/{asset['id']}").status_code == 204
    ok(api.patch(f"/assets/{assets[2]['id']}", json={"asset": {"location_id": None}}))
    assert api.delete(f"/locations/{building['id']}").status_code == 204
    assert db_get(session, Location, building["id"]) is None


def test_a_location_with_only_a_child_is_409(api: Api, session: Session) -> None:
    building = create_location(api, "Building")
    create_location(api, "Floor", building["id"])

    body = error(api.delete(f"/locations/{building['id']}"), 409)

    assert "child location" in body["message"] and "asset" not in body["message"]
    assert db_get(session, Location, building["id"]) is not None


def test_deleting_a_location_drops_it_from_vendors(api: Api, session: Session) -> None:
    location = create_location(api, "Annex")
    stays = create_location(api, "Main")
    vendor = create_vendor(api, "Summit", locations_ids=[location["id"], stays["id"]])

    assert api.delete(f"/locations/{location['id']}").status_code == 204

    assert [loc["id"] for loc in ok(api.get(f"/vendors/{vendor['id']}"))["locations"]] == [stays["id"]]
    assert count(session, vendor_locations, vendor_locations.c.location_id == location["id"]) == 0


def test_deleting_an_asset_removes_its_links_and_downtimes(api: Api, session: Session, tenant: Tenant) -> None:
    technician_id, _ = make_user(session, tenant, role="technician")
    asset_type = create_lookup(api, "/asset_types", "asset_type", "Pump")
    vendor = create_vendor(api, "Summit")
    asset = create_asset(
        api, "Pump", technicians_ids=[technician_id], asset_types_ids=[asset_type["id"]], vendors_ids=[vendor["id"]]
    )
    keep = create_asset(api, "Fan", vendors_ids=[vendor["id"]])
    ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "offline"}))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    db_add(
        session,
        Downtime(
            entity_id=tenant.entity_id, asset_id=asset["id"], started_at=start, ended_at=start + timedelta(hours=1)
        ),
    )

    response = api.delete(f"/assets/{asset['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert db_get(session, Asset, asset["id"]) is None
    assert count(session, Downtime, Downtime.asset_id == asset["id"]) == 0
    for table in (asset_technicians, asset_asset_types, asset_vendors):
        assert count(session, table, table.c.asset_id == asset["id"]) == 0
    error(api.get(f"/assets/{asset['id']}"), 404)
    error(api.get(f"/assets/{asset['id']}/downtimes"), 404)
    assert [a["id"] for a in ok(api.get(f"/vendors/{vendor['id']}"))["assets"]] == [keep["id"]]
    listed = api.get("/assets")
    assert ids(listed) == [keep["id"]]
    assert listed.json()["meta"]["pagination"]["total"] == 1
    # The asset type is no longer in use.
    assert api.delete(f"/asset_types/{asset_type['id']}").status_code == 204


def test_an_asset_with_sub_assets_is_409(api: Api, session: Session) -> None:
    line = create_asset(api, "Line")
    press = create_asset(api, "Press", parent_id=line["id"])
    create_asset(api, "Robot", parent_id=line["id"])

    body = error(api.delete(f"/assets/{line['id']}"), 409)

    assert "2 sub-assets" in body["message"]
    assert db_get(session, Asset, line["id"]) is not None
    # A leaf can go; the parent then has one sub-asset left.
    assert api.delete(f"/assets/{press['id']}").status_code == 204
    assert "1 sub-asset" in error(api.delete(f"/assets/{line['id']}"), 409)["message"]
    assert ok(api.get(f"/assets/{line['id']}"))["has_children"] is True


def test_deleting_a_vendor_removes_its_contacts_and_links(api: Api, session: Session) -> None:
    category = create_lookup(api, "/categories", "category", "HVAC")
    location = create_location(api, "Plant")
    asset = create_asset(api, "Chiller")
    vendor = create_vendor(
        api,
        "Summit",
        categories_ids=[category["id"]],
        locations_ids=[location["id"]],
        assets_ids=[asset["id"]],
        vendor_contacts_attributes=[{"name": "Robert", "is_primary": True}, {"name": "Jane"}],
    )
    other = create_vendor(api, "Acme", assets_ids=[asset["id"]])
    assert [v["id"] for v in ok(api.get(f"/assets/{asset['id']}"))["vendors"]] == [vendor["id"], other["id"]]

    response = api.delete(f"/vendors/{vendor['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert db_get(session, Vendor, vendor["id"]) is None
    assert count(session, VendorContact, VendorContact.vendor_id == vendor["id"]) == 0
    for table in (vendor_categories, vendor_locations, asset_vendors):
        assert count(session, table, table.c.vendor_id == vendor["id"]) == 0
    assert ok(api.get(f"/assets/{asset['id']}"))["vendors"] == [
        {"id": other["id"], "name": "Acme", "primary_contact": None}
    ]
    assert [v["id"] for v in api.get("/assets").json()["data"][0]["vendors"]] == [other["id"]]
    error(api.get(f"/vendors/{vendor['id']}"), 404)
    listed = api.get("/vendors")
    assert ids(listed) == [other["id"]]
    assert listed.json()["meta"]["pagination"]["total"] == 1
    # The category and location are no longer in use.
    assert api.delete(f"/categories/{category['id']}").status_code == 204
    assert api.delete(f"/locations/{location['id']}").status_code == 204


@pytest.mark.parametrize("path", ["/locations", "/assets", "/vendors"])
def test_deletes_of_another_entitys_or_missing_records_are_404(
    api: Api, session: Session, tenant: Tenant, path: str
) -> None:
    other = make_entity(session, tenant)
    wrapper = path[1:-1]
    theirs = ok(api.as_entity(other).post(path, json={wrapper: {"name": "Theirs"}}), 201)

    assert error(api.delete(f"{path}/{theirs['id']}"), 404)["message"] == f"{wrapper.capitalize()} not found"
    error(api.delete(f"{path}/999999"), 404)

    assert ok(api.as_entity(other).get(f"{path}/{theirs['id']}"))["name"] == "Theirs"


@pytest.mark.parametrize("path", ["/locations", "/assets", "/vendors"])
@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_cannot_delete(
    api: Api, session: Session, tenant: Tenant, path: str, role: str
) -> None:
    wrapper = path[1:-1]
    record = ok(api.post(path, json={wrapper: {"name": "Keep"}}), 201)
    _, token = make_user(session, tenant, role=role)

    error(api.as_key(token).delete(f"{path}/{record['id']}"), 403)

    assert ok(api.get(f"{path}/{record['id']}"))["name"] == "Keep"


def test_records_in_use_by_work_orders_requests_or_pm_schedules_are_409_naming_them(api: Api, session: Session) -> None:
    """A work order, request or PM template pointing at a location, asset or part keeps it; the 409 says what."""
    hall = create_location(api, "Hall")
    pump = create_asset(api, "Pump", location_id=hall["id"])
    part = ok(api.post("/parts", json={"part": {"name": "Seal"}}), 201)
    order = ok(api.post("/work_orders", json={"work_order": {"title": "Fix", "asset_id": pump["id"]}}), 201)
    request = ok(
        api.post("/work_order_requests", json={"work_order_request": {"title": "Leak", "asset_id": pump["id"]}}), 201
    )
    template = {"title": "Check", "asset_id": pump["id"], "location_id": hall["id"],
                "parts": [{"part_id": part["id"], "quantity": 1}]}  # fmt: skip
    schedule = ok(api.post("/pm_schedules", json={"pm_schedule": {
        "type": "persistent", "start_date": "2030-01-01T08:00", "time_to_complete": 1, "repeat_frequency": "day",
        "template_work_order_attributes": template}}), 201)  # fmt: skip

    assert error(api.delete(f"/assets/{pump['id']}"), 409)["message"] == (
        "Asset is still referenced by 1 work order and 1 request and 1 PM schedule"
    )
    assert error(api.delete(f"/parts/{part['id']}"), 409)["message"] == "Part is still referenced by 1 PM schedule"
    assert error(api.delete(f"/locations/{hall['id']}"), 409)["message"] == (
        "Location is still referenced by 1 asset and 1 PM schedule"
    )
    assert db_get(session, Asset, pump["id"]) is not None

    assert api.delete(f"/pm_schedules/{schedule['id']}").status_code == 204
    assert api.delete(f"/work_orders/{order['id']}").status_code == 204
    assert error(api.delete(f"/assets/{pump['id']}"), 409)["message"] == "Asset is still referenced by 1 request"
    assert api.delete(f"/parts/{part['id']}").status_code == 204
    assert api.delete(f"/work_order_requests/{request['id']}").status_code == 204
    assert api.delete(f"/assets/{pump['id']}").status_code == 204
    assert api.delete(f"/locations/{hall['id']}").status_code == 204
