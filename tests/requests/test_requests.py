"""Work order requests: the documented shapes, the status lifecycle, approval into a work order, and roles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    LIST_META,
    TIMESTAMP,
    create_asset,
    create_location,
    create_lookup,
    create_vendor,
    db_get,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.requests.support import DETAIL_KEYS, LIST_KEYS, REQUESTER_KEYS, create_request, update_request
from wrenchwork.models import WorkOrder, WorkOrderRequest, work_order_request_categories

ROBERT = {"name": "Robert Smith", "email": "robert_smith@example.com", "phone": "1-493-480-9163",
          "extension": "989", "is_primary": True}  # fmt: skip


@pytest.fixture
def catalog(api: Api, session: Session, tenant: Tenant) -> dict[str, Any]:
    """The records the published request example points at."""
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"])
    freezer = create_asset(api, "Freezer")
    refrigeration = create_lookup(api, "/categories", "category", "Refrigeration")
    electrical = create_lookup(api, "/categories", "category", "Electrical")
    vendor = create_vendor(api, "Summit HVAC & Refrigeration", vendor_contacts_attributes=[ROBERT])
    technician, _ = make_user(session, tenant, "technician", name="John", surname="Doe")
    return {
        "room": room,
        "freezer": freezer,
        "categories": [refrigeration, electrical],
        "vendor": vendor,
        "technician": technician,
    }


def example_body(catalog: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Fix water leakage in Freezer",
        "description": "Water leakage due to blocked defrost drain",
        "notify": True,
        "priority": "high",
        "location_id": catalog["room"]["id"],
        "asset_id": catalog["freezer"]["id"],
        "categories_ids": [c["id"] for c in catalog["categories"]],
        "technicians_ids": [catalog["technician"]],
        "vendors_ids": [catalog["vendor"]["id"]],
        "due_date": "2025-07-17T12:00:00Z",
        **overrides,
    }


def test_create_answers_the_documented_detail(api: Api, tenant: Tenant, catalog: dict[str, Any]) -> None:
    data = create_request(api, **example_body(catalog))

    assert set(data) == DETAIL_KEYS
    contact = catalog["vendor"]["vendor_contacts"][0]
    assert {k: v for k, v in data.items() if k not in ("id", "created_at", "updated_at")} == {
        "title": "Fix water leakage in Freezer",
        "description": "Water leakage due to blocked defrost drain",
        "status": "pending",
        "notify": True,
        "priority": "high",
        "work_order_id": None,
        "location": {"id": catalog["room"]["id"], "name": "Main Conference Room",
                     "path": "Building A > Main Conference Room"},
        "asset": {"id": catalog["freezer"]["id"], "name": "Freezer"},
        "categories": [{"id": catalog["categories"][0]["id"], "name": "Refrigeration"},
                       {"id": catalog["categories"][1]["id"], "name": "Electrical"}],
        "technicians": [{"id": catalog["technician"], "name": "John", "surname": "Doe", "avatar": None}],
        "vendors": [{"id": catalog["vendor"]["id"], "name": "Summit HVAC & Refrigeration",
                     "primary_contact": {"id": contact["id"], "name": "Robert Smith",
                                         "email": "robert_smith@example.com", "phone": "1-493-480-9163",
                                         "extension": "989"}}],
        "due_date": "2025-07-17T12:00:00Z",
        "completed_at": None,
        "request_portal": None,
        "images": [],
        "documents": [],
        "created_by": {"id": tenant.admin_id, "name": "Ada", "surname": "Admin", "phone_number": None,
                       "email": data["created_by"]["email"], "auth_type": "api_key", "avatar": None},
        "updated_by": {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"},
    }  # fmt: skip
    assert set(data["created_by"]) == REQUESTER_KEYS
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    assert ok(api.get(f"/work_order_requests/{data['id']}")) == data


def test_list_item_shape(api: Api, tenant: Tenant, catalog: dict[str, Any]) -> None:
    data = create_request(api, **example_body(catalog))
    ok(api.post(f"/work_order_requests/{data['id']}/comments", json={"comment": {"body": "Seen it"}}), 201)
    ok(api.post(f"/work_order_requests/{data['id']}/comments", json={"comment": {"body": "Still leaking"}}), 201)

    body = api.get("/work_order_requests").json()

    assert set(body["meta"]) == LIST_META and body["meta"]["sort"] == ["created_at desc"]
    (item,) = body["data"]
    assert set(item) == LIST_KEYS
    assert item["comments_count"] == 2
    assert item["vendors"] == [{"id": catalog["vendor"]["id"], "name": "Summit HVAC & Refrigeration"}]
    assert item["created_by"] == {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert {k: item[k] for k in LIST_KEYS - {"comments_count", "vendors", "created_by"}} == {
        k: data[k] for k in LIST_KEYS - {"comments_count", "vendors", "created_by"}
    }


def test_approving_creates_the_work_order_from_the_request(api: Api, session: Session, catalog: dict[str, Any]) -> None:
    request = create_request(api, **example_body(catalog))

    approved = ok(update_request(api, request["id"], status="approved"))

    assert approved["status"] == "approved" and isinstance(approved["work_order_id"], int)
    work_order = ok(api.get(f"/work_orders/{approved['work_order_id']}"))
    assert (work_order["title"], work_order["description"], work_order["priority"], work_order["due_date"]) == (
        request["title"],
        request["description"],
        "high",
        "2025-07-17T12:00:00Z",
    )
    assert work_order["location"] == request["location"]
    assert work_order["asset"]["id"] == catalog["freezer"]["id"]
    assert work_order["categories"] == request["categories"]
    assert work_order["technicians"] == request["technicians"]
    assert work_order["vendors"] == request["vendors"]
    assert work_order["status"] == {"id": 1, "name": "open", "is_custom": False}
    assert work_order["work_order_request"]["id"] == request["id"]
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [1]

    # The request shows the work order's completion.
    ok(api.patch(f"/work_orders/{approved['work_order_id']}", json={"work_order": {"status_id": 5}}))
    completed = ok(api.get(f"/work_order_requests/{request['id']}"))
    assert TIMESTAMP.match(completed["completed_at"])
    listed = api.get("/work_order_requests", params={"filter[completed_at_not_null]": "true"})
    assert ids(listed) == [request["id"]]


def test_a_request_created_approved_gets_its_work_order_at_once(api: Api, session: Session) -> None:
    data = create_request(api, "Replace lamp", status="approved")

    assert data["status"] == "approved" and data["work_order_id"] is not None
    work_order = db_get(session, WorkOrder, data["work_order_id"])
    assert work_order is not None and work_order.title == "Replace lamp"


def test_a_technician_who_can_no_longer_be_assigned_is_not_copied(
    api: Api, session: Session, tenant: Tenant, catalog: dict[str, Any]
) -> None:
    request = create_request(api, **example_body(catalog))
    ok(api.patch(f"/users/{catalog['technician']}", json={"user": {"can_be_assigned_to_wo": False}}))

    approved = ok(update_request(api, request["id"], status="approved"))

    assert ok(api.get(f"/work_orders/{approved['work_order_id']}"))["technicians"] == []


@pytest.mark.parametrize(
    ("path", "status", "allowed"),
    [
        (["declined"], "pending", False),
        (["declined"], "approved", True),
        (["declined"], "on_hold", True),
        (["on_hold"], "pending", True),
        (["on_hold"], "declined", True),
        (["approved"], "pending", False),
        (["approved"], "declined", False),
        (["approved"], "on_hold", False),
        (["on_hold", "pending"], "declined", True),
    ],
)
def test_status_lifecycle(api: Api, session: Session, path: list[str], status: str, allowed: bool) -> None:
    data = create_request(api, "Squeaky door")
    for step in path:
        ok(update_request(api, data["id"], status=step))

    response = update_request(api, data["id"], status=status, title="Changed")

    if allowed:
        assert ok(response)["status"] == status
    else:
        body = error(response, 422)
        assert list(body["errors"]) == ["work_order_request.status"]
        row = db_get(session, WorkOrderRequest, data["id"])
        assert row is not None and (row.status, row.title) == (path[-1], "Squeaky door")
    expected_work_orders = 1 if "approved" in path or (allowed and status == "approved") else 0
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [expected_work_orders]


def test_setting_the_same_status_again_changes_nothing(api: Api, session: Session) -> None:
    data = create_request(api, "Squeaky door", status="approved")
    again = ok(update_request(api, data["id"], status="approved", title="Squeaky door, east wing"))
    assert again["work_order_id"] == data["work_order_id"] and again["title"] == "Squeaky door, east wing"
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [1]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"description": "no title"}, "work_order_request.title"),
        ({"title": " "}, "work_order_request.title"),
        ({"title": "X", "status": "done"}, "work_order_request.status"),
        ({"title": "X", "priority": "urgent"}, "work_order_request.priority"),
        ({"title": "X", "notify": "often"}, "work_order_request.notify"),
        ({"title": "X", "due_date": "soon"}, "work_order_request.due_date"),
        ({"title": "X", "colour": "red"}, "work_order_request.colour"),
        ({"title": "X", "location_id": 999999}, "work_order_request.location_id"),
        ({"title": "X", "asset_id": 999999}, "work_order_request.asset_id"),
        ({"title": "X", "categories_ids": [999999]}, "work_order_request.categories_ids"),
        ({"title": "X", "vendors_ids": [999999]}, "work_order_request.vendors_ids"),
        ({"title": "X", "technicians_ids": [999999]}, "work_order_request.technicians_ids"),
        ({"title": "X", "categories_ids": None}, "work_order_request.categories_ids"),
    ],
)
def test_bad_bodies_are_422_and_nothing_is_created(api: Api, session: Session, body: dict[str, Any], key: str) -> None:
    response = error(api.post("/work_order_requests", json={"work_order_request": body}), 422)

    assert key in response["errors"], response
    assert db_scalars(session, select(func.count()).select_from(WorkOrderRequest)) == [0]


def test_references_must_be_of_this_entity_and_technicians_assignable(
    api: Api, session: Session, tenant: Tenant
) -> None:
    other = make_entity(session, tenant)
    elsewhere = create_location(api.as_entity(other), "Elsewhere")
    requester, _ = make_user(session, tenant, "requester")

    error(
        api.post("/work_order_requests", json={"work_order_request": {"title": "X", "location_id": elsewhere["id"]}}),
        422,
    )
    response = error(
        api.post("/work_order_requests", json={"work_order_request": {"title": "X", "technicians_ids": [requester]}}),
        422,
    )
    assert (
        "must be users of this entity who can be assigned work"
        in response["errors"]["work_order_request.technicians_ids"][0]
    )


def test_update_changes_fields_clears_and_replaces_links(api: Api, session: Session, catalog: dict[str, Any]) -> None:
    data = create_request(api, **example_body(catalog))
    keep = catalog["categories"][0]["id"]

    updated = ok(
        update_request(
            api, data["id"], title="Leak fixed?", description=None, location_id=None, due_date=None,
            categories_ids=[keep], vendors_ids=[], priority="low", notify=False,
        )
    )  # fmt: skip

    assert (updated["title"], updated["description"], updated["location"], updated["due_date"]) == (
        "Leak fixed?",
        None,
        None,
        None,
    )
    assert (updated["priority"], updated["notify"], updated["vendors"]) == ("low", False, [])
    assert updated["categories"] == [{"id": keep, "name": "Refrigeration"}]
    assert updated["asset"] == data["asset"] and updated["technicians"] == data["technicians"]
    links = db_scalars(session, select(work_order_request_categories.c.category_id))
    assert links == [keep]


def test_update_refuses_nulls_for_required_fields(api: Api) -> None:
    data = create_request(api, "Squeaky door")
    for field in ("title", "priority", "notify", "status", "categories_ids"):
        body = error(update_request(api, data["id"], **{field: None}), 422)
        assert list(body["errors"]) == [f"work_order_request.{field}"]


def test_requesters_ask_see_and_edit_only_their_own_while_pending(api: Api, session: Session, tenant: Tenant) -> None:
    requester_id, token = make_user(session, tenant, "requester")
    _, other_token = make_user(session, tenant, "requester")
    requester = api.as_key(token)
    mine = create_request(requester, "My desk lamp")
    theirs = create_request(api.as_key(other_token), "Their desk lamp")
    admins = create_request(api, "Admin's request")

    assert mine["status"] == "pending" and mine["created_by"]["id"] == requester_id
    assert ids(requester.get("/work_order_requests")) == [mine["id"]]
    assert requester.get("/work_order_requests").json()["meta"]["pagination"]["total"] == 1
    assert ids(api.get("/work_order_requests")) == [admins["id"], theirs["id"], mine["id"]]
    for other in (theirs, admins):
        error(requester.get(f"/work_order_requests/{other['id']}"), 404)
        error(update_request(requester, other["id"], title="Mine now"), 404)
        error(requester.get(f"/work_order_requests/{other['id']}/comments"), 404)

    assert ok(update_request(requester, mine["id"], title="My desk lamp flickers"))["title"] == "My desk lamp flickers"
    error(update_request(requester, mine["id"], status="approved"), 403)
    error(requester.post("/work_order_requests", json={"work_order_request": {"title": "X", "status": "on_hold"}}), 403)
    ok(update_request(api, mine["id"], status="on_hold"))
    assert "only while it is pending" in error(update_request(requester, mine["id"], title="Please"), 403)["message"]
    error(requester.delete(f"/work_order_requests/{mine['id']}"), 403)
    row = db_get(session, WorkOrderRequest, mine["id"])
    assert row is not None and row.title == "My desk lamp flickers"

    # Requesters never touch work orders.
    error(requester.get("/work_orders"), 403)
    error(requester.post("/work_orders", json={"work_order": {"title": "Sneaky"}}), 403)


def test_technicians_see_all_but_change_only_their_own_pending_requests(
    api: Api, session: Session, tenant: Tenant
) -> None:
    _, token = make_user(session, tenant, "technician")
    technician = api.as_key(token)
    admins = create_request(api, "Admin's request")
    mine = create_request(technician, "Found a leak")

    assert ids(technician.get("/work_order_requests")) == [mine["id"], admins["id"]]
    ok(technician.get(f"/work_order_requests/{admins['id']}"))
    error(update_request(technician, admins["id"], title="Mine"), 403)
    error(update_request(technician, mine["id"], status="approved"), 403)
    ok(update_request(technician, mine["id"], description="Under the sink"))


def test_limited_admins_decide(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, "limited_admin")
    data = create_request(api, "Squeaky door")
    assert ok(update_request(api.as_key(token), data["id"], status="declined"))["status"] == "declined"


def test_requests_of_another_entity_look_missing(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    elsewhere = create_request(api.as_entity(other), "Elsewhere")

    assert error(api.get(f"/work_order_requests/{elsewhere['id']}"), 404)["message"] == "Request not found"
    error(update_request(api, elsewhere["id"], title="X"), 404)
    error(api.delete(f"/work_order_requests/{elsewhere['id']}"), 404)
    assert ids(api.get("/work_order_requests")) == []


def test_list_filters_and_search(api: Api, catalog: dict[str, Any]) -> None:
    leak = create_request(api, **example_body(catalog))
    door = create_request(api, "Squeaky door", description="East wing", priority="low", due_date="2025-09-01T00:00:00Z")
    lamp = create_request(api, "Desk lamp", status="on_hold")

    def found(**params: str) -> list[int]:
        return ids(api.get("/work_order_requests", params=params))

    assert found() == [lamp["id"], door["id"], leak["id"]]
    assert found(**{"filter[status_eq]": "on_hold"}) == [lamp["id"]]
    assert found(**{"filter[status_in]": "pending,on_hold"}) == [lamp["id"], door["id"], leak["id"]]
    assert found(**{"filter[priority_eq]": "high"}) == [leak["id"]]
    assert found(**{"filter[location_id_eq]": str(catalog["room"]["id"])}) == [leak["id"]]
    assert found(**{"filter[asset_id_eq]": str(catalog["freezer"]["id"])}) == [leak["id"]]
    assert found(**{"filter[technicians_id_eq]": str(catalog["technician"])}) == [leak["id"]]
    assert found(**{"filter[due_date_gteq]": "2025-08-01T00:00:00Z"}) == [door["id"]]
    assert found(**{"filter[due_date_null]": "true"}) == [lamp["id"]]
    assert found(search="EAST") == [door["id"]]
    assert found(search="defrost") == [leak["id"]]
    assert found(**{"filter[title_cont]": "lamp"}) == [lamp["id"]]
    assert found(sort="title asc") == [lamp["id"], leak["id"], door["id"]]
    error(api.get("/work_order_requests", params={"filter[status_eq]": "done"}), 422)


def test_delete_removes_the_request_and_its_comments_but_not_the_work_order(
    api: Api, session: Session, tenant: Tenant
) -> None:
    data = create_request(api, "Squeaky door", status="approved")
    ok(api.post(f"/work_order_requests/{data['id']}/comments", json={"comment": {"body": "Oiled it"}}), 201)
    _, technician = make_user(session, tenant, "technician")

    error(api.as_key(technician).delete(f"/work_order_requests/{data['id']}"), 403)
    assert api.delete(f"/work_order_requests/{data['id']}").status_code == 204

    error(api.get(f"/work_order_requests/{data['id']}"), 404)
    assert db_get(session, WorkOrder, data["work_order_id"]) is not None
    assert ok(api.get(f"/work_orders/{data['work_order_id']}"))["work_order_request"] is None
