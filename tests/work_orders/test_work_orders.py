"""Work orders: documented create/list/get/update shapes, status and completed_at rules, references, roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import (
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
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.work_orders.support import (
    COMPLETED,
    DETAIL_ORDER,
    LIST_ORDER,
    OPEN,
    WORK_ORDER_DETAIL_KEYS,
    WORK_ORDER_LIST_KEYS,
    create_work_order,
    update_work_order,
)
from wrenchwork.models import (
    Comment,
    ProcedureTemplate,
    WorkOrder,
    WorkOrderRequest,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)

ROBERT = {"name": "Robert Smith", "email": "robert_smith@example.com", "phone": "1-493-480-9163", "extension": "989",
          "is_primary": True}  # fmt: skip
CHECKLIST = [
    {"text": "Inspect defrost drain for blockages", "order": 1, "checked": False},
    {"text": "Clear drain line with warm water", "order": 2, "checked": False},
]


def linked(session: Session, table: Any, column: str, work_order_id: int) -> list[int]:
    stmt = select(table.c[column]).where(table.c.work_order_id == work_order_id).order_by(table.c[column])
    return db_scalars(session, stmt)


def world(api: Api, session: Session, tenant: Tenant) -> dict[str, Any]:
    """The records the documented example points at: a room in a building, an asset, lookups, people, a vendor."""
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"])
    technician_id, _ = make_user(session, tenant, role="technician", name="John", surname="Doe")
    return {
        "room": room,
        "asset": create_asset(api, "Freezer"),
        "category": create_lookup(api, "/categories", "category", "Refrigeration"),
        "account_code": create_lookup(api, "/account_codes", "account_code", "Emergency Repairs"),
        "technician_id": technician_id,
        "vendor": create_vendor(api, "Summit HVAC & Refrigeration", vendor_contacts_attributes=[ROBERT]),
    }


def documented_body(w: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Fix water leakage in Freezer",
        "type": "reactive",
        "description": "Water leakage due to blocked defrost drain",
        "priority": "high",
        "due_date": "2025-07-17T12:00:00Z",
        "completed_at": "2025-07-15T09:30:00Z",
        "location_id": w["room"]["id"],
        "asset_id": w["asset"]["id"],
        "status_id": 5,
        "categories_ids": [w["category"]["id"]],
        "account_codes_ids": [w["account_code"]["id"]],
        "procedure_template_ids": [],
        "technicians_ids": [w["technician_id"]],
        "vendors_ids": [w["vendor"]["id"]],
        "notify_vendors_on_create": "yes",
        "notify_vendors_on_update": "yes",
        "checklist": CHECKLIST,
    }


def test_create_with_every_documented_field_answers_the_documented_detail(
    api: Api, session: Session, tenant: Tenant
) -> None:
    w = world(api, session, tenant)

    response = api.post("/work_orders", json={"work_order": documented_body(w)})

    data = ok(response, 201)
    assert list(data) == DETAIL_ORDER
    assert set(data) == WORK_ORDER_DETAIL_KEYS
    assert data["title"] == "Fix water leakage in Freezer"
    assert data["description"] == "Water leakage due to blocked defrost drain"
    assert (data["priority"], data["type"], data["pm_schedule_id"]) == ("high", "reactive", None)
    assert data["status"] == COMPLETED
    assert data["checklist"] == CHECKLIST
    assert data["procedures"] == [] and data["part_assignments"] == []
    assert data["work_order_request"] is None
    assert data["asset"] == {"id": w["asset"]["id"], "name": "Freezer", "status": "online"}
    assert data["downtime_tracking"] is None
    assert data["categories"] == [{"id": w["category"]["id"], "name": "Refrigeration"}]
    assert data["account_codes"] == [{"id": w["account_code"]["id"], "name": "Emergency Repairs"}]
    assert data["technicians"] == [{"id": w["technician_id"], "name": "John", "surname": "Doe", "avatar": None}]
    contact = w["vendor"]["vendor_contacts"][0]
    assert data["vendors"] == [
        {
            "id": w["vendor"]["id"],
            "name": "Summit HVAC & Refrigeration",
            "primary_contact": {"id": contact["id"], "name": "Robert Smith", "email": "robert_smith@example.com",
                                "phone": "1-493-480-9163", "extension": "989"},
        }
    ]  # fmt: skip
    assert (data["notify_vendors_on_create"], data["notify_vendors_on_update"]) == ("yes", "yes")
    assert data["location"] == {"id": w["room"]["id"], "name": "Main Conference Room",
                                "path": "Building A > Main Conference Room"}  # fmt: skip
    assert data["due_date"] == "2025-07-17T12:00:00Z"
    assert data["completed_at"] == "2025-07-15T09:30:00Z"
    assert data["total_costs"] == {"labor": 0, "other": 0, "parts": 0, "total": 0}
    assert data["active_timer_current_user"] is None
    assert (data["images"], data["documents"]) == ([], [])
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    admin = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert data["created_by"] == admin and data["updated_by"] == admin

    row = db_get(session, WorkOrder, data["id"])
    assert row is not None
    assert (row.entity_id, row.status_id, row.base_status) == (tenant.entity_id, 5, "completed")
    assert (row.notify_vendors_on_create, row.notify_vendors_on_update) == (True, True)
    assert linked(session, work_order_technicians, "user_id", row.id) == [w["technician_id"]]
    assert linked(session, work_order_categories, "category_id", row.id) == [w["category"]["id"]]
    assert linked(session, work_order_account_codes, "account_code_id", row.id) == [w["account_code"]["id"]]
    assert linked(session, work_order_vendors, "vendor_id", row.id) == [w["vendor"]["id"]]


def test_list_item_has_the_documented_shape(api: Api, session: Session, tenant: Tenant) -> None:
    w = world(api, session, tenant)
    created = ok(api.post("/work_orders", json={"work_order": documented_body(w)}), 201)
    db_rows(session, select(1))  # end the read transaction
    session.add_all([Comment(entity_id=tenant.entity_id, work_order_id=created["id"], body=t) for t in ("a", "b")])
    session.commit()

    body = api.get("/work_orders").json()

    assert set(body["meta"]) == LIST_META
    assert body["meta"]["sort"] == ["created_at desc"]
    [item] = body["data"]
    assert list(item) == LIST_ORDER
    assert set(item) == WORK_ORDER_LIST_KEYS
    assert item["comments_count"] == 2
    assert item["work_order_request_id"] is None
    assert item["vendors"] == [{"id": w["vendor"]["id"], "name": "Summit HVAC & Refrigeration"}]
    assert set(item["technicians"][0]) == TECHNICIAN_KEYS
    for key in set(item) - {"vendors", "work_order_request_id", "comments_count"}:
        assert item[key] == created[key], key


def test_get_answers_the_detail_and_404_for_missing_or_foreign(api: Api, session: Session, tenant: Tenant) -> None:
    created = create_work_order(api)
    other = make_entity(session, tenant)
    foreign = create_work_order(api.as_entity(other), "Elsewhere")

    assert ok(api.get(f"/work_orders/{created['id']}")) == created
    assert error(api.get(f"/work_orders/{foreign['id']}"), 404)["message"] == "Work order not found"
    assert error(api.get("/work_orders/999999"), 404)["message"] == "Work order not found"
    error(api.patch(f"/work_orders/{foreign['id']}", json={"work_order": {"title": "x"}}), 404)
    error(api.delete(f"/work_orders/{foreign['id']}"), 404)
    assert [i["id"] for i in api.get("/work_orders").json()["data"]] == [created["id"]]


def test_defaults_of_a_minimal_create(api: Api) -> None:
    data = create_work_order(api, "Replace bulb")
    assert data["status"] == OPEN
    assert (data["priority"], data["type"], data["description"], data["completed_at"]) == ("none", "reactive", None,
                                                                                          None)  # fmt: skip
    assert (data["notify_vendors_on_create"], data["notify_vendors_on_update"]) == ("no", "no")
    assert data["checklist"] == [] and data["location"] is None and data["asset"] is None


def test_update_changes_what_is_sent_and_keeps_the_rest(api: Api, session: Session, tenant: Tenant) -> None:
    w = world(api, session, tenant)
    created = ok(api.post("/work_orders", json={"work_order": documented_body(w)}), 201)
    other_tech, _ = make_user(session, tenant, role="technician", name="Ann", surname="Lee")

    data = update_work_order(
        api, created["id"], title="Fix the leak", priority="none", technicians_ids=[other_tech],
        notify_vendors_on_update="no", checklist=[{"text": "Done", "checked": True}], description=None,
    )  # fmt: skip

    assert data["title"] == "Fix the leak"
    assert data["priority"] == "none"
    assert data["description"] is None
    assert [t["id"] for t in data["technicians"]] == [other_tech]
    assert data["notify_vendors_on_update"] == "no" and data["notify_vendors_on_create"] == "yes"
    assert data["checklist"] == [{"text": "Done", "order": 1, "checked": True}]
    assert data["categories"] == created["categories"] and data["location"] == created["location"]
    assert data["status"] == COMPLETED and data["completed_at"] == "2025-07-15T09:30:00Z"
    # PUT is the same update.
    assert ok(api.put(f"/work_orders/{created['id']}", json={"work_order": {"title": "Put"}}))["title"] == "Put"
    # [] clears a link set.
    assert update_work_order(api, created["id"], categories_ids=[])["categories"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"title": ""}, "work_order.title", id="empty-title"),
        pytest.param({"priority": "urgent"}, "work_order.priority", id="unknown-priority"),
        pytest.param({"type": "corrective"}, "work_order.type", id="unknown-type"),
        pytest.param({"notify_vendors_on_create": "maybe"}, "work_order.notify_vendors_on_create", id="yes-no"),
        pytest.param({"status_id": 99}, "work_order.status_id", id="unknown-status"),
        pytest.param({"status_id": "1"}, "work_order.status_id", id="status-not-int"),
        pytest.param({"location_id": 424242}, "work_order.location_id", id="unknown-location"),
        pytest.param({"asset_id": 424242}, "work_order.asset_id", id="unknown-asset"),
        pytest.param({"categories_ids": [424242]}, "work_order.categories_ids", id="unknown-category"),
        pytest.param({"account_codes_ids": [424242]}, "work_order.account_codes_ids", id="unknown-account-code"),
        pytest.param({"vendors_ids": [424242]}, "work_order.vendors_ids", id="unknown-vendor"),
        pytest.param({"technicians_ids": [424242]}, "work_order.technicians_ids", id="unknown-technician"),
        pytest.param({"procedure_template_ids": [424242]}, "work_order.procedure_template_ids", id="unknown-template"),
        pytest.param({"work_order_request_id": 424242}, "work_order.work_order_request_id", id="unknown-request"),
        pytest.param({"completed_at": "2025-07-15T09:30:00Z"}, "work_order.completed_at", id="completed-at-open"),
        pytest.param({"due_date": "tomorrow"}, "work_order.due_date", id="bad-date"),
        pytest.param({"checklist": [{"order": 1}]}, "work_order.checklist.0.text", id="checklist-without-text"),
        pytest.param({"nme": "x"}, "work_order.nme", id="unknown-field"),
        pytest.param({"asset_status": "broken"}, "work_order.asset_status", id="unknown-asset-status"),
    ],
)
def test_invalid_create_is_422_and_stores_nothing(api: Api, session: Session, body: dict[str, Any], field: str) -> None:
    response = api.post("/work_orders", json={"work_order": {"title": "Leak", **body}})

    assert field in error(response, 422)["errors"]
    assert db_scalars(session, select(WorkOrder.id)) == []


def test_references_of_another_entity_are_422(api: Api, session: Session, tenant: Tenant) -> None:
    other = api.as_entity(make_entity(session, tenant))
    room = create_location(other, "Far room")
    asset = create_asset(other, "Far pump")
    category = create_lookup(other, "/categories", "category", "Far")
    requester_id, _ = make_user(session, tenant, role="requester")
    for body in (
        {"location_id": room["id"]},
        {"asset_id": asset["id"]},
        {"categories_ids": [category["id"]]},
        {"technicians_ids": [requester_id]},  # requesters only ask for work
    ):
        error(api.post("/work_orders", json={"work_order": {"title": "x", **body}}), 422)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"type": "preventive"}, "work_order.type", id="type-is-fixed"),
        pytest.param({"work_order_request_id": 1}, "work_order.work_order_request_id", id="request-is-fixed"),
        pytest.param({"notify_vendors_on_create": "yes"}, "work_order.notify_vendors_on_create", id="create-only"),
        pytest.param({"title": None}, "work_order.title", id="title-null"),
        pytest.param({"priority": None}, "work_order.priority", id="priority-null"),
        pytest.param({"status_id": None}, "work_order.status_id", id="status-null"),
        pytest.param({"technicians_ids": None}, "work_order.technicians_ids", id="ids-null"),
        pytest.param({"checklist": None}, "work_order.checklist", id="checklist-null"),
    ],
)
def test_invalid_update_is_422_and_changes_nothing(
    api: Api, session: Session, body: dict[str, Any], field: str
) -> None:
    created = create_work_order(api, priority="high")

    assert field in error(api.patch(f"/work_orders/{created['id']}", json={"work_order": body}), 422)["errors"]
    assert ok(api.get(f"/work_orders/{created['id']}")) == created


def test_completed_at_follows_the_status(api: Api) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    created = create_work_order(api)
    assert created["completed_at"] is None

    done = update_work_order(api, created["id"], status_id=5)
    stamped = datetime.fromisoformat(done["completed_at"].replace("Z", "+00:00"))
    assert before <= stamped <= datetime.now(UTC)

    # Staying completed keeps the moment; a given moment replaces it.
    assert update_work_order(api, created["id"], title="Again")["completed_at"] == done["completed_at"]
    given = update_work_order(api, created["id"], completed_at="2025-01-02T03:04:05Z")
    assert given["completed_at"] == "2025-01-02T03:04:05Z"
    error(api.patch(f"/work_orders/{created['id']}", json={"work_order": {"completed_at": None}}), 422)

    # Leaving completed clears it; completed_at on a status that is not completed is refused.
    reopened = update_work_order(api, created["id"], status_id=2)
    assert reopened["completed_at"] is None and reopened["status"] == {"id": 2, "name": "in_progress",
                                                                        "is_custom": False}  # fmt: skip
    body = {"work_order": {"completed_at": "2025-01-02T03:04:05Z"}}
    error(api.patch(f"/work_orders/{created['id']}", json=body), 422)
    # Completing with a given moment uses it.
    both = update_work_order(api, created["id"], status_id=5, completed_at="2024-12-31T23:00:00Z")
    assert both["completed_at"] == "2024-12-31T23:00:00Z"


@pytest.mark.parametrize(
    ("status_id", "name", "base"),
    [(1, "open", "open"), (2, "in_progress", "in_progress"), (3, "on_hold", "on_hold"),
     (4, "cancelled", "cancelled"), (5, "completed", "completed")],
)  # fmt: skip
def test_built_in_statuses(api: Api, session: Session, status_id: int, name: str, base: str) -> None:
    data = create_work_order(api, status_id=status_id)
    assert data["status"] == {"id": status_id, "name": name, "is_custom": False}
    row = db_get(session, WorkOrder, data["id"])
    assert row is not None and row.base_status == base
    assert (data["completed_at"] is not None) is (name == "completed")


def test_a_request_links_to_its_work_order(api: Api, session: Session, tenant: Tenant) -> None:
    requester_id, _ = make_user(session, tenant, role="requester", name="Bob", surname="Smith",
                                phone_number="1-493-480-9163")  # fmt: skip
    request = WorkOrderRequest(entity_id=tenant.entity_id, title="Freezer leaks", created_by_id=requester_id,
                               updated_by_id=requester_id)  # fmt: skip
    session.add(request)
    session.commit()
    request_id, created_at = request.id, request.created_at
    session.commit()

    data = create_work_order(api, work_order_request_id=request_id)

    assert data["work_order_request"] == {
        "id": request_id,
        "title": "Freezer leaks",
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "created_by": {"id": requester_id, "name": "Bob", "surname": "Smith", "phone_number": "1-493-480-9163",
                       "email": data["work_order_request"]["created_by"]["email"], "auth_type": "api_key",
                       "avatar": None},
    }  # fmt: skip
    assert api.get("/work_orders").json()["data"][0]["work_order_request_id"] == request_id
    stored = db_get(session, WorkOrderRequest, request_id)
    assert stored is not None and stored.work_order_id == data["id"]
    # A request gives rise to one work order.
    response = api.post("/work_orders", json={"work_order": {"title": "Again", "work_order_request_id": request_id}})
    assert "work_order.work_order_request_id" in error(response, 409)["errors"]


def test_requesters_get_403_on_every_work_order_endpoint(api: Api, session: Session, tenant: Tenant) -> None:
    created = create_work_order(api)
    _, token = make_user(session, tenant, role="requester")
    requester = api.as_key(token)
    wo = f"/work_orders/{created['id']}"
    calls = [
        ("GET", "/work_orders", None), ("POST", "/work_orders", {"work_order": {"title": "x"}}), ("GET", wo, None),
        ("PATCH", wo, {"work_order": {"title": "x"}}), ("DELETE", wo, None),
        ("POST", f"{wo}/parts", {"part_id": 1, "quantity": 1}), ("PATCH", f"{wo}/parts", {"part_id": 1, "quantity": 1}),
        ("DELETE", f"{wo}/parts/1", None), ("GET", f"{wo}/time_entries", None),
        ("POST", f"{wo}/time_entries", {"time_entry": {"started_at": "2025-01-01T00:00:00Z", "duration": 1}}),
        ("POST", f"{wo}/timer/start", None), ("POST", f"{wo}/timer/stop", None), ("GET", f"{wo}/costs", None),
        ("POST", f"{wo}/costs", {"cost": {"description": "x", "amount": 1}}), ("GET", "/work_order_statuses", None),
        ("POST", "/work_order_statuses", {"work_order_status": {"name": "x", "base_status_id": 1}}),
    ]  # fmt: skip
    for method, path, body in calls:
        response = requester.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
    assert ok(api.get(wo)) == created


def test_technicians_work_on_work_orders_but_do_not_delete_them(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="technician")
    technician = api.as_key(token)
    created = create_work_order(technician, "Tech made")
    assert update_work_order(technician, created["id"], status_id=2)["status"]["id"] == 2
    error(technician.delete(f"/work_orders/{created['id']}"), 403)
    error(technician.post("/work_order_statuses", json={"work_order_status": {"name": "x", "base_status_id": 1}}),
          403)  # fmt: skip


def test_delete_answers_204_and_unlinks_what_outlives_it(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Pump")
    request = WorkOrderRequest(entity_id=tenant.entity_id, title="Pump noise")
    session.add(request)
    session.commit()
    request_id = request.id
    session.commit()
    created = create_work_order(api, asset_id=asset["id"], asset_status="offline", work_order_request_id=request_id)

    response = api.delete(f"/work_orders/{created['id']}")

    assert response.status_code == 204 and response.content == b""
    error(api.get(f"/work_orders/{created['id']}"), 404)
    assert db_scalars(session, select(WorkOrder.id)) == []
    stored = db_get(session, WorkOrderRequest, request_id)
    assert stored is not None and stored.work_order_id is None
    downtimes = ok(api.get(f"/assets/{asset['id']}/downtimes"))
    assert [d["work_order_id"] for d in downtimes] == [None]
    error(api.delete(f"/work_orders/{created['id']}"), 404)


def test_procedure_template_ids_attach_procedures(api: Api, session: Session, tenant: Tenant) -> None:
    templates = [ProcedureTemplate(entity_id=tenant.entity_id, name=n) for n in ("Refrigeration", "Lockout")]
    session.add_all(templates)
    session.commit()
    fridge, lockout = (t.id for t in templates)
    session.commit()

    created = create_work_order(api, procedure_template_ids=[fridge])

    [procedure] = created["procedures"]
    assert procedure == {"id": procedure["id"], "name": "Refrigeration", "procedure_template_id": fridge,
                         "completed_at": None}  # fmt: skip
    updated = update_work_order(api, created["id"], procedure_template_ids=[fridge, lockout])
    assert [p["procedure_template_id"] for p in updated["procedures"]] == [fridge, lockout]
    assert updated["procedures"][0]["id"] == procedure["id"]
    assert update_work_order(api, created["id"], procedure_template_ids=[])["procedures"] == []
