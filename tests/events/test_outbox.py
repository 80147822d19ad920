"""Events are written with the change they describe, in the same transaction: one per created, changed or deleted
record of every resource, plus the domain events; a rolled-back change emits nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.events.support import events, types
from tests.helpers import Api, make_user
from tests.parts.support import create_part
from wrenchwork.models import Vendor, WorkOrder


def test_created_updated_deleted_carry_the_detail(api: Api) -> None:
    created = api.post("/work_orders", json={"work_order": {"title": "Pump"}}).json()["data"]
    updated = api.patch(f"/work_orders/{created['id']}", json={"work_order": {"priority": "high"}}).json()["data"]
    assert api.delete(f"/work_orders/{created['id']}").status_code == 204
    found = events(api)
    assert [e["type"] for e in found] == ["work_order.created", "work_order.updated", "work_order.deleted"]
    assert [e["seq"] for e in found] == [1, 2, 3]
    assert found[0]["data"] == created
    assert found[1]["data"] == updated | {"changed_fields": ["priority"]}
    assert found[2]["data"] == updated  # the last detail, presented before the delete
    assert {e["actor"]["type"] for e in found} == {"user"}
    assert all(e["entity_id"] == api.entity_id for e in found)


def test_the_detail_is_the_answers_whatever_its_text(api: Api) -> None:
    """The event carries the detail the request answered with, even when its text looks like the envelope."""
    text = 'x","meta":{"a":1}},"meta":{"entity":{}} \\"'
    created = api.post("/work_orders", json={"work_order": {"title": text, "description": ',"meta":'}})
    assert created.status_code == 201, created.text
    order = created.json()["data"]
    updated = api.patch(f"/work_orders/{order['id']}", json={"work_order": {"description": text}}).json()["data"]
    found = events(api)
    assert [e["data"] for e in found] == [order, updated | {"changed_fields": ["description"]}]
    assert order["title"] == updated["description"] == text


def test_every_resource_emits(api: Api) -> None:
    location = api.post("/locations", json={"location": {"name": "Plant"}}).json()["data"]
    api.post("/assets", json={"asset": {"name": "Boiler", "location_id": location["id"]}})
    api.post("/categories", json={"category": {"name": "HVAC"}})
    api.post("/vendors", json={"vendor": {"name": "Acme"}})
    create_part(api)
    assert types(api, types="location.*,asset.*,category.*,vendor.*,part.created") == [
        "location.created", "asset.created", "category.created", "vendor.created", "part.created",
    ]  # fmt: skip


def test_domain_events(api: Api) -> None:
    part = create_part(api, on_hand_qty=5, min_qty=2)
    order = api.post(
        "/work_orders", json={"work_order": {"title": "Fix", "parts": [{"part_id": part["id"], "quantity": 4}]}}
    )
    order_id = order.json()["data"]["id"]
    cursor = events(api)[-1]["seq"]
    assert api.patch(f"/work_orders/{order_id}", json={"work_order": {"status_id": 5}}).status_code == 200
    found = events(api, cursor)
    assert [e["type"] for e in found] == [
        "part.updated", "work_order.updated", "part.stock_changed", "part.low_stock",
        "work_order.status_changed", "work_order.completed",
    ]  # fmt: skip
    assert found[1]["data"]["changed_fields"] == ["completed_at", "part_assignments", "status_id", "total_costs"]
    line = found[2]["data"]["transaction"]
    assert line["type"] == "usage" and line["quantity"] == 4
    assert api.get(f"/parts/{part['id']}/transactions/{line['id']}").json()["data"] == line
    assert found[3]["data"]["on_hand_qty"] == 1 and found[3]["data"]["previous_on_hand_qty"] == 5
    assert found[4]["data"]["previous_status_id"] == 1
    # Further down: no second low_stock until the stock rises above min_qty again.
    cursor = found[-1]["seq"]
    api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -1, "note": "lost"})
    api.patch(f"/parts/{part['id']}/restock", json={"quantity": 5, "cost": 1})
    api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -4, "note": "lost"})
    assert types(api, cursor, types="part.low_stock,part.stock_changed") == [
        "part.stock_changed", "part.stock_changed", "part.stock_changed", "part.low_stock",
    ]  # fmt: skip


def test_request_approval_and_asset_status(api: Api) -> None:
    request = api.post("/work_order_requests", json={"work_order_request": {"title": "Leak"}}).json()["data"]
    api.patch(f"/work_order_requests/{request['id']}", json={"work_order_request": {"status": "approved"}})
    asset = api.post("/assets", json={"asset": {"name": "Boiler"}}).json()["data"]
    api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "reason": "broken"})
    assert types(api, types="work_order_request.approved,asset.status_changed,work_order.created") == [
        "work_order.created", "work_order_request.approved", "asset.status_changed",
    ]  # fmt: skip


def test_assignment(api: Api, session) -> None:  # type: ignore[no-untyped-def]
    tech_id, _ = make_user(session, _tenant(api, session), "technician")
    order = api.post("/work_orders", json={"work_order": {"title": "Fix", "technicians_ids": [tech_id]}}).json()["data"]
    api.patch(f"/work_orders/{order['id']}", json={"work_order": {"technicians_ids": [tech_id]}})
    found = events(api, types="work_order.assigned")
    assert [e["data"]["assigned_technicians_ids"] for e in found] == [[tech_id]]


def _tenant(api: Api, session):  # type: ignore[no-untyped-def]
    from tests.helpers import Tenant
    from wrenchwork.models import Entity

    entity = session.get(Entity, api.entity_id)
    return Tenant(entity.customer_id, entity.id, 0, api.token)


def test_a_failed_request_emits_nothing(api: Api) -> None:
    part = create_part(api, on_hand_qty=1)
    before = events(api)
    response = api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -2, "note": "x"})
    assert response.status_code == 422
    assert events(api) == before


def test_atomic_batch_rolled_back_emits_nothing_and_committed_emits_all(api: Api) -> None:
    op = {"method": "POST", "url": "/api/v1/locations", "params": {"location": {"name": "A"}}}
    bad = {"method": "POST", "url": "/api/v1/locations", "params": {"location": {}}}
    response = api.post("/batch", json={"ops": [op, bad], "sequential": True, "atomic": True})
    assert response.json()["rolled_back"] is True
    assert events(api) == []
    response = api.post("/batch", json={"ops": [op, {**op, "params": {"location": {"name": "B"}}}], "sequential": True,
                                        "atomic": True})  # fmt: skip
    assert response.json()["rolled_back"] is False
    found = events(api)
    assert [(e["type"], e["data"]["name"]) for e in found] == [("location.created", "A"), ("location.created", "B")]


def test_a_link_written_from_one_side_updates_the_other_sides_detail(api: Api) -> None:
    vendor = api.post("/vendors", json={"vendor": {"name": "Acme"}}).json()["data"]
    part = create_part(api)
    asset = api.post("/assets", json={"asset": {"name": "Boiler"}}).json()["data"]
    body = {"asset": {"vendors_ids": [vendor["id"]], "parts_ids": [part["id"]]}}
    before = events(api)[-1]["seq"]
    assert api.patch(f"/assets/{asset['id']}", json=body).status_code == 200
    found = events(api, after=before)
    assert [(e["type"], e["data"]["changed_fields"]) for e in found] == [
        ("asset.updated", ["parts_ids", "vendors_ids"]), ("vendor.updated", ["assets_ids"]),
        ("part.updated", ["assets_ids"]),
    ]  # fmt: skip
    vendor_now = api.get(f"/vendors/{vendor['id']}").json()["data"]
    part_now = api.get(f"/parts/{part['id']}").json()["data"]
    assert found[1]["data"] == vendor_now | {"changed_fields": ["assets_ids"]}
    assert found[2]["data"] == part_now | {"changed_fields": ["assets_ids"]}
    assert [a["id"] for a in vendor_now["assets"]] == [a["id"] for a in part_now["assets"]] == [asset["id"]]


def test_a_change_the_commit_itself_flushes_emits_its_event(api: Api, session: Session) -> None:
    """Records still pending when the transaction commits (nothing flushed them before) are written by the commit's
    own flush: their events are written with them."""
    order = api.post("/work_orders", json={"work_order": {"title": "Pump"}}).json()["data"]
    before = events(api)[-1]["seq"]
    session.get_one(WorkOrder, order["id"]).title = "Pump, rebuilt"
    vendor = Vendor(entity_id=api.entity_id, name="Acme")
    session.add(vendor)
    session.commit()  # no flush before: the commit flushes both changes
    found = events(api, after=before)
    assert [(e["type"], e["actor"]["type"]) for e in found] == [
        ("vendor.created", "system"), ("work_order.updated", "system"),
    ]  # fmt: skip
    assert found[0]["data"]["id"] == vendor.id
    assert found[1]["data"]["changed_fields"] == ["title"]
    # Nothing noted is left over for the session's next transaction.
    session.commit()
    assert events(api, after=found[-1]["seq"]) == []
