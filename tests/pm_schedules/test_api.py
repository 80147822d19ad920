"""PM schedules through HTTP: the documented shapes, exactly, and the extension create/update/delete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from tests.pm_schedules.support import (
    DESCRIPTION,
    DETAIL_ORDER,
    LIST_ORDER,
    SEED_NOW,
    TEMPLATE_DETAIL_ORDER,
    TEMPLATE_LIST_ORDER,
    create_schedule,
    seed,
)
from wrenchwork.core import clock
from wrenchwork.models import PmSchedule, PmTemplatePart, PmTemplateWorkOrder, WorkOrder

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    clock.set_now(SEED_NOW)
    yield
    clock.set_now(None)


def _author(tenant: Tenant) -> dict[str, object]:
    return {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}


def test_create_gives_the_published_detail(api: Api, session: Session, tenant: Tenant) -> None:
    ids = seed(api, session, tenant)
    response = api.post("/pm_schedules", json=ids.body())
    data = ok(response, 201)
    template = data["template_work_order"]
    assert list(data) == DETAIL_ORDER
    assert list(template) == TEMPLATE_DETAIL_ORDER
    for moment in (data["created_at"], data["updated_at"], template["created_at"], template["updated_at"]):
        assert TIMESTAMP.match(moment)
    assert data == {
        "id": data["id"],
        "status": "planned",
        "type": "persistent",
        "start_date": "2025-02-18T12:00:00.000Z",
        "time_to_complete": 4,
        # Created on 2026-03-01: the first occurrence from then on (Feb 18 has passed).
        "next_order_date": "2026-07-18T12:00:00.000Z",
        "next_due_date": "2026-07-18T16:00:00.000Z",
        "repeat_frequency": "month",
        "repeat_occurrence": "custom",
        "on_week_days": [1],
        "in_months": [2, 7],
        "on_month_day": 18,
        "procedure_templates": [{"id": ids.procedure_template_id, "name": "Building Maintenance Audit"}],
        "template_work_order": {
            "id": template["id"],
            "title": "HVAC filter replacement",
            "description": DESCRIPTION,
            "priority": "high",
            "checklist": [
                {"text": "Inspect defrost drain for blockages", "order": 1, "checked": False},
                {"text": "Clear drain line with warm water", "order": 2, "checked": False},
            ],
            "asset": {"id": ids.asset_id, "name": "Freezer", "status": "online"},
            "categories": [{"id": ids.category_id, "name": "Refrigeration"}],
            "account_codes": [{"id": ids.account_code_id, "name": "Emergency Repairs"}],
            "technicians": [{"id": ids.technician_id, "name": "John", "surname": "Doe", "avatar": None}],
            "vendors": [
                {
                    "id": ids.vendor_id,
                    "name": "Summit HVAC & Refrigeration",
                    "primary_contact": {
                        "id": ids.contact_id,
                        "name": "Robert Smith",
                        "email": "robert_smith@example.com",
                        "phone": "1-493-480-9163",
                        "extension": "989",
                    },
                }
            ],
            "location": {
                "id": ids.location_id,
                "name": "Main Conference Room",
                "path": "Building A > Main Conference Room",
            },
            "part_assignments": [
                {
                    "part_id": ids.part_id,
                    "part_name": "Air Filter",
                    "quantity": 2,
                    "unit_name": "Item",
                    "unit_short_name": "itm",
                    "type": "usage",
                    "total_cost": 52.3,
                }
            ],
            "images": [],
            "documents": [],
            "created_at": template["created_at"],
            "updated_at": template["updated_at"],
            "created_by": _author(tenant),
            "updated_by": _author(tenant),
        },
        "has_work_orders": False,
        "has_uncompleted_wo": False,
        "progression": {"percentage": None, "id": None, "status": None},
        "last_active_work_order_id": None,
        "last_active_work_order_title": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }
    assert ok(api.get(f"/pm_schedules/{data['id']}")) == data
    # A template is no work order: nothing is reserved, nothing listed with the work orders.
    assert ok(api.get(f"/parts/{ids.part_id}"))["reserved"] == 0
    assert ok(api.get("/work_orders")) == []
    stored = session.scalars(select(PmTemplatePart)).one()
    assert (stored.part_id, str(stored.quantity)) == (ids.part_id, "2.000")


def test_list_item_is_the_published_shape(api: Api, session: Session, tenant: Tenant) -> None:
    ids = seed(api, session, tenant)
    detail = ok(api.post("/pm_schedules", json=ids.body()), 201)
    response = api.get("/pm_schedules")
    body = response.json()
    assert response.status_code == 200, body
    (item,) = body["data"]
    template = item["template_work_order"]
    assert list(item) == LIST_ORDER
    assert list(template) == TEMPLATE_LIST_ORDER
    shown = detail["template_work_order"]
    assert item == {
        **{key: detail[key] for key in LIST_ORDER if key in detail and key != "template_work_order"},
        "template_work_order": {
            **{key: shown[key] for key in TEMPLATE_LIST_ORDER if key != "vendors"},
            "vendors": [{"id": ids.vendor_id, "name": "Summit HVAC & Refrigeration"}],
        },
        "created_by": _author(tenant),
        "updated_by": _author(tenant),
    }
    assert body["meta"]["pagination"] == {"total": 1, "page": 1, "per_page": 50, "total_pages": 1}
    assert body["meta"]["sort"] == ["created_at desc"]


def test_smallest_body_repeats_every_unit_from_the_start(api: Api, session: Session) -> None:
    clock.set_now(datetime(2026, 1, 1, tzinfo=UTC))
    data = create_schedule(api, "Walk the roof")
    assert (data["status"], data["repeat_occurrence"], data["on_week_days"], data["in_months"]) == (
        "planned", "custom", [], [],
    )  # fmt: skip
    assert (data["next_order_date"], data["next_due_date"]) == ("2026-01-05T08:00:00.000Z", "2026-01-05T10:00:00.000Z")
    assert data["template_work_order"]["priority"] == "none"
    assert data["procedure_templates"] == []
    assert session.scalar(select(PmSchedule.repeat_interval)) == 1


def test_first_order_is_never_before_creation(api: Api) -> None:
    """Created at 09:30 on 2026-03-01: a daily 08:00 schedule first orders on March 2 (no backlog)."""
    data = create_schedule(api, start_date="2026-01-05T08:00:00Z")
    assert data["next_order_date"] == "2026-03-02T08:00:00.000Z"
    hourly = create_schedule(api, repeat_frequency="hour", repeat_interval=4)
    assert hourly["next_order_date"] == "2026-03-01T12:00:00.000Z"  # 08:00 + 4 h steps: 12:00 is the first >= 09:30
    # A one-time schedule's single order is its start, even a past one (generated at once).
    once = create_schedule(api, type="one_time", start_date="2026-02-01T06:00:00Z")
    assert once["next_order_date"] == "2026-02-01T06:00:00.000Z"


def test_created_paused_has_no_next_order(api: Api) -> None:
    data = create_schedule(api, status="paused")
    assert (data["status"], data["next_order_date"], data["next_due_date"]) == ("paused", None, None)


def test_dates_in_the_entity_time_zone(api: Api) -> None:
    """`start_date`'s local time of day is kept: 08:00 in Chicago, across the March DST change."""
    ok(api.patch(f"/entities/{api.entity_id}", json={"entity": {"timezone": "America/Chicago"}}))
    clock.set_now(datetime(2026, 3, 9, 0, 0, tzinfo=UTC))
    data = create_schedule(api, start_date="2026-03-02T14:00:00Z", repeat_frequency="week")  # Monday 08:00 CST
    assert data["next_order_date"] == "2026-03-09T13:00:00.000Z"  # Monday 08:00 CDT


def test_update_moves_the_next_order_only_when_timing_changes(api: Api, session: Session) -> None:
    data = create_schedule(api)
    path = f"/pm_schedules/{data['id']}"
    retitled = ok(api.patch(path, json={"pm_schedule": {"template_work_order_attributes": {"title": "Oil chain"}}}))
    assert retitled["next_order_date"] == data["next_order_date"]
    assert retitled["template_work_order"]["title"] == "Oil chain"
    longer = ok(api.patch(path, json={"pm_schedule": {"time_to_complete": 24}}))
    assert (longer["next_order_date"], longer["next_due_date"]) == (
        "2026-03-02T08:00:00.000Z",
        "2026-03-03T08:00:00.000Z",
    )
    weekly = ok(api.put(path, json={"pm_schedule": {"repeat_frequency": "week", "on_week_days": [5, 3]}}))
    assert weekly["on_week_days"] == [3, 5]
    assert weekly["next_order_date"] == "2026-03-04T08:00:00.000Z"  # Wednesday
    paused = ok(api.patch(path, json={"pm_schedule": {"status": "paused"}}))
    assert (paused["status"], paused["next_order_date"], paused["next_due_date"]) == ("paused", None, None)
    clock.set_now(datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    resumed = ok(api.patch(path, json={"pm_schedule": {"status": "planned"}}))
    assert resumed["next_order_date"] == "2026-04-03T08:00:00.000Z"  # from the resumption on, a Friday
    assert session.scalar(select(func.count()).select_from(PmSchedule)) == 1


def test_update_replaces_the_template_sets(api: Api, session: Session, tenant: Tenant) -> None:
    ids = seed(api, session, tenant)
    data = ok(api.post("/pm_schedules", json=ids.body()), 201)
    path = f"/pm_schedules/{data['id']}"
    change = {"categories_ids": [], "technicians_ids": [], "parts": [{"part_id": ids.part_id, "quantity": 1.5}],
              "checklist": [{"text": "Only step", "checked": True}], "asset_id": None, "description": None}  # fmt: skip
    updated = ok(api.patch(path, json={"pm_schedule": {"template_work_order_attributes": change,
                                                       "procedure_template_ids": []}}))  # fmt: skip
    template = updated["template_work_order"]
    assert (template["categories"], template["technicians"], template["asset"], template["description"]) == (
        [], [], None, None,
    )  # fmt: skip
    assert template["account_codes"] == [{"id": ids.account_code_id, "name": "Emergency Repairs"}]
    assert template["checklist"] == [{"text": "Only step", "order": 1, "checked": True}]
    assert [(p["quantity"], p["total_cost"]) for p in template["part_assignments"]] == [(1.5, 39.23)]
    assert updated["procedure_templates"] == []
    assert template["title"] == "HVAC filter replacement"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "weekly"}, "pm_schedule.type"),
        ({"status": "completed"}, "pm_schedule.status"),
        ({"repeat_frequency": "fortnight"}, "pm_schedule.repeat_frequency"),
        ({"repeat_interval": 0}, "pm_schedule.repeat_interval"),
        ({"repeat_interval": 1001}, "pm_schedule.repeat_interval"),
        ({"repeat_interval": "2"}, "pm_schedule.repeat_interval"),
        ({"time_to_complete": -1}, "pm_schedule.time_to_complete"),
        ({"time_to_complete": 8761}, "pm_schedule.time_to_complete"),
        ({"time_to_complete": 1.5}, "pm_schedule.time_to_complete"),
        ({"start_date": "1899-12-31T23:00:00Z"}, "pm_schedule.start_date"),
        ({"start_date": "3000-01-01T00:00:00Z"}, "pm_schedule.start_date"),
        ({"start_date": "tomorrow"}, "pm_schedule.start_date"),
        ({"on_week_days": [0]}, "pm_schedule.on_week_days.0"),
        ({"on_week_days": [8]}, "pm_schedule.on_week_days.0"),
        ({"on_week_days": [1, 1]}, "pm_schedule.on_week_days"),
        ({"in_months": [13]}, "pm_schedule.in_months.0"),
        ({"in_months": [2, 2]}, "pm_schedule.in_months"),
        ({"on_month_day": 0}, "pm_schedule.on_month_day"),
        ({"on_month_day": 32}, "pm_schedule.on_month_day"),
        ({"repeat_occurrence": "monthly"}, "pm_schedule.repeat_occurrence"),
        ({"procedure_template_ids": [1, 1]}, "pm_schedule.procedure_template_ids"),
        ({"procedure_template_ids": [99999]}, "pm_schedule.procedure_template_ids"),
        ({"color": "red"}, "pm_schedule.color"),
        ({"template": {"title": ""}}, "pm_schedule.template_work_order_attributes.title"),
        ({"template": {"priority": "urgent"}}, "pm_schedule.template_work_order_attributes.priority"),
        ({"template": {"asset_id": 99999}}, "pm_schedule.template_work_order_attributes.asset_id"),
        ({"template": {"location_id": 99999}}, "pm_schedule.template_work_order_attributes.location_id"),
        ({"template": {"technicians_ids": [99999]}}, "pm_schedule.template_work_order_attributes.technicians_ids"),
        ({"template": {"vendors_ids": [99999]}}, "pm_schedule.template_work_order_attributes.vendors_ids"),
        ({"template": {"categories_ids": None}}, "pm_schedule.template_work_order_attributes.categories_ids"),
        ({"template": {"parts": [{"part_id": 99999, "quantity": 1}]}},
         "pm_schedule.template_work_order_attributes.parts"),
        ({"template": {"parts": [{"part_id": 1, "quantity": 0}]}},
         "pm_schedule.template_work_order_attributes.parts.0.quantity"),
        ({"template": {"parts": [{"part_id": 1, "quantity": 1.0005}]}},
         "pm_schedule.template_work_order_attributes.parts.0.quantity"),
        ({"template": {"parts": [{"part_id": 1, "quantity": 1}, {"part_id": 1, "quantity": 2}]}},
         "pm_schedule.template_work_order_attributes.parts"),
        ({"template": {"checklist": [{"text": ""}]}}, "pm_schedule.template_work_order_attributes.checklist.0.text"),
        ({"template": {"status_id": 2}}, "pm_schedule.template_work_order_attributes.status_id"),
        ({"template": {"priority": None}}, "pm_schedule.template_work_order_attributes.priority"),
        # Rules that never occur (the start, 2026-01-05, is a Monday).
        ({"repeat_interval": 7, "on_week_days": [2]}, "pm_schedule.on_week_days"),
        ({"repeat_frequency": "hour", "repeat_interval": 168, "on_week_days": [3, 4]}, "pm_schedule.on_week_days"),
        ({"repeat_frequency": "month", "repeat_interval": 12, "in_months": [2]}, "pm_schedule.in_months"),
        ({"template": {"checklist": None}}, "pm_schedule.template_work_order_attributes.checklist"),
        ({"status": None}, "pm_schedule.status"),
        ({"on_week_days": None}, "pm_schedule.on_week_days"),
    ],
)  # fmt: skip
def test_create_rejects_bad_input(api: Api, session: Session, change: dict[str, object], field: str) -> None:
    template = change.pop("template", {})
    body = {"type": "persistent", "start_date": "2026-01-05T08:00:00Z", "time_to_complete": 2,
            "repeat_frequency": "day", "template_work_order_attributes": {"title": "Lubricate", **template},
            **change}  # fmt: skip
    response = api.post("/pm_schedules", json={"pm_schedule": body})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert field in errors, errors
    assert session.scalar(select(func.count()).select_from(PmSchedule)) == 0
    assert session.scalar(select(func.count()).select_from(PmTemplateWorkOrder)) == 0


@pytest.mark.parametrize(
    "missing", ["type", "start_date", "time_to_complete", "repeat_frequency", "template_work_order_attributes"]
)
def test_create_needs_the_smallest_body(api: Api, missing: str) -> None:
    body = {"type": "persistent", "start_date": "2026-01-05T08:00:00Z", "time_to_complete": 2,
            "repeat_frequency": "day", "template_work_order_attributes": {"title": "Lubricate"}}  # fmt: skip
    del body[missing]
    response = api.post("/pm_schedules", json={"pm_schedule": body})
    assert response.status_code == 422
    assert response.json()["errors"] == {f"pm_schedule.{missing}": ["is required"]}


@pytest.mark.parametrize(
    "change",
    [
        {"type": None},
        {"status": None},
        {"start_date": None},
        {"repeat_interval": None},
        {"on_week_days": None},
        {"procedure_template_ids": None},
        {"template_work_order_attributes": {"title": None}},
        {"template_work_order_attributes": {"parts": None}},
        {"status": "completed"},
    ],
)
def test_update_rejects_bad_input_and_changes_nothing(api: Api, change: dict[str, object]) -> None:
    data = create_schedule(api)
    response = api.patch(f"/pm_schedules/{data['id']}", json={"pm_schedule": change})
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith("pm_schedule.")
    assert ok(api.get(f"/pm_schedules/{data['id']}")) == data


def test_references_of_another_entity_are_unknown(api: Api, session: Session, tenant: Tenant) -> None:
    other = api.as_entity(ok(api.post("/entities", json={"entity": {"name": "Plant B"}}), 201)["id"])
    asset = ok(other.post("/assets", json={"asset": {"name": "Foreign press"}}), 201)
    template = ok(other.post("/procedure_templates", json={"procedure_template": {"name": "Foreign"}}), 201)
    smallest = {"type": "persistent", "start_date": "2026-01-05T08:00:00Z", "time_to_complete": 2,
                "repeat_frequency": "day"}  # fmt: skip
    body = {**smallest, "template_work_order_attributes": {"title": "Lubricate", "asset_id": asset["id"]}}
    response = api.post("/pm_schedules", json={"pm_schedule": body})
    assert response.status_code == 422
    assert "pm_schedule.template_work_order_attributes.asset_id" in response.json()["errors"]
    body = {**smallest, "procedure_template_ids": [template["id"]], "template_work_order_attributes": {"title": "X"}}
    response = api.post("/pm_schedules", json={"pm_schedule": body})
    assert response.status_code == 422
    assert "pm_schedule.procedure_template_ids" in response.json()["errors"]


def test_a_schedule_of_another_entity_is_not_found(api: Api) -> None:
    other = api.as_entity(ok(api.post("/entities", json={"entity": {"name": "Plant B"}}), 201)["id"])
    foreign = create_schedule(other)
    path = f"/pm_schedules/{foreign['id']}"
    for response in (
        api.get(path),
        api.patch(path, json={"pm_schedule": {"status": "paused"}}),
        api.delete(path),
        api.get(f"{path}/forecast"),
    ):
        assert response.status_code == 404, response.text
        assert response.json() == {"status": "error", "message": "PM schedule not found"}
    assert ok(api.get("/pm_schedules")) == []
    assert ok(other.get(path))["status"] == "planned"


@pytest.mark.parametrize("role", ["admin", "limited_admin"])
def test_managers_change_schedules(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    from tests.helpers import make_user

    _, token = make_user(session, tenant, role=role)
    manager = api.as_key(token)
    data = create_schedule(manager)
    ok(manager.patch(f"/pm_schedules/{data['id']}", json={"pm_schedule": {"time_to_complete": 3}}))
    assert manager.delete(f"/pm_schedules/{data['id']}").status_code == 204


def test_technicians_read_and_requesters_are_refused(api: Api, session: Session, tenant: Tenant) -> None:
    from tests.helpers import make_user

    data = create_schedule(api)
    path = f"/pm_schedules/{data['id']}"
    _, token = make_user(session, tenant, role="technician")
    technician = api.as_key(token)
    assert ok(technician.get(path)) == data
    assert [item["id"] for item in ok(technician.get("/pm_schedules"))] == [data["id"]]
    body = {"pm_schedule": {"time_to_complete": 3}}
    for response in (
        technician.post("/pm_schedules", json={"pm_schedule": {}}),
        technician.patch(path, json=body),
        technician.put(path, json=body),
        technician.delete(path),
    ):
        assert response.status_code == 403, response.text
    _, token = make_user(session, tenant, role="requester")
    requester = api.as_key(token)
    for response in (requester.get("/pm_schedules"), requester.get(path), requester.get(f"{path}/forecast")):
        assert response.status_code == 403, response.text
    assert ok(api.get(path)) == data


def test_delete_keeps_the_work_orders_unlinked(api: Api, session: Session) -> None:
    data = create_schedule(api)
    other = create_schedule(api, "Other schedule")
    made = ok(api.post("/work_orders", json={"work_order": {"title": "Lubricate conveyor", "type": "preventive",
                                                            "pm_schedule_id": data["id"]}}), 201)  # fmt: skip
    kept = ok(api.post("/work_orders", json={"work_order": {"title": "Other", "pm_schedule_id": other["id"]}}), 201)
    assert made["pm_schedule_id"] == data["id"]
    listed = ok(api.get("/work_orders", params={"filter[pm_schedule_id_eq]": data["id"]}))
    assert [w["id"] for w in listed] == [made["id"]]
    response = api.delete(f"/pm_schedules/{data['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert api.get(f"/pm_schedules/{data['id']}").status_code == 404
    assert ok(api.get(f"/work_orders/{made['id']}"))["pm_schedule_id"] is None
    assert ok(api.get(f"/work_orders/{kept['id']}"))["pm_schedule_id"] == other["id"]
    assert ok(api.get("/work_orders", params={"filter[pm_schedule_id_eq]": data["id"]})) == []
    assert [item["id"] for item in ok(api.get("/pm_schedules"))] == [other["id"]]
    assert api.get("/pm_schedules").json()["meta"]["pagination"]["total"] == 1
    assert session.scalar(select(func.count()).select_from(PmTemplateWorkOrder)) == 1
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 2


def test_procedure_templates_count_their_schedules(api: Api) -> None:
    audit = ok(api.post("/procedure_templates", json={"procedure_template": {"name": "Audit"}}), 201)
    spare = ok(api.post("/procedure_templates", json={"procedure_template": {"name": "Spare"}}), 201)
    first = create_schedule(api, procedure_template_ids=[audit["id"]])
    create_schedule(api, procedure_template_ids=[audit["id"], spare["id"]])
    create_schedule(api)
    counts = {t["name"]: t["assignment_count"] for t in ok(api.get("/procedure_templates"))}
    assert counts == {"Audit": {"work_orders": 0, "pm_schedules": 2}, "Spare": {"work_orders": 0, "pm_schedules": 1}}
    ok(api.patch(f"/pm_schedules/{first['id']}", json={"pm_schedule": {"procedure_template_ids": []}}))
    counts = {t["name"]: t["assignment_count"]["pm_schedules"] for t in ok(api.get("/procedure_templates"))}
    assert counts == {"Audit": 1, "Spare": 1}


def test_records_a_template_uses_are_not_deleted_under_it(api: Api, session: Session, tenant: Tenant) -> None:
    ids = seed(api, session, tenant)
    data = ok(api.post("/pm_schedules", json=ids.body()), 201)
    category = api.delete(f"/categories/{ids.category_id}")
    assert (category.status_code, category.json()["message"]) == (409, "Category is still used by 1 PM schedules")
    code = api.delete(f"/account_codes/{ids.account_code_id}")
    assert (code.status_code, code.json()["message"]) == (409, "Account code is still used by 1 PM schedules")
    for path in (f"/assets/{ids.asset_id}", f"/parts/{ids.part_id}", f"/locations/{ids.location_id}"):
        response = api.delete(path)
        assert response.status_code == 409, (path, response.text)
        assert response.json()["status"] == "error"
    assert ok(api.get(f"/pm_schedules/{data['id']}")) == data
    # Deleting a vendor, a technician's role or a procedure template takes it off the template.
    assert api.delete(f"/vendors/{ids.vendor_id}").status_code == 204
    assert api.delete(f"/procedure_templates/{ids.procedure_template_id}").status_code == 204
    after = ok(api.get(f"/pm_schedules/{data['id']}"))
    assert (after["template_work_order"]["vendors"], after["procedure_templates"]) == ([], [])


def test_a_floating_schedule_waits_for_its_open_work_order(api: Api) -> None:
    data = create_schedule(api, type="floating", repeat_frequency="week")
    path = f"/pm_schedules/{data['id']}"
    assert data["next_order_date"] == "2026-03-02T08:00:00.000Z"
    body = {"work_order": {"title": "Weekly check", "type": "preventive", "pm_schedule_id": data["id"]}}
    work_order = ok(api.post("/work_orders", json=body), 201)
    moved = ok(api.patch(path, json={"pm_schedule": {"start_date": "2026-01-06T08:00:00Z"}}))
    assert (moved["next_order_date"], moved["has_uncompleted_wo"]) == (None, True)
    ok(api.patch(f"/work_orders/{work_order['id']}", json={"work_order": {"status_id": 4}}))
    ok(api.patch(path, json={"pm_schedule": {"status": "paused"}}))
    resumed = ok(api.patch(path, json={"pm_schedule": {"status": "planned"}}))
    assert resumed["next_order_date"] == "2026-03-03T08:00:00.000Z"  # Tuesdays, from now on
    # A persistent schedule orders whether or not its work orders are open.
    ok(api.post("/work_orders", json=body), 201)
    persistent = ok(api.patch(path, json={"pm_schedule": {"type": "persistent"}}))
    assert (persistent["next_order_date"], persistent["has_uncompleted_wo"]) == ("2026-03-03T08:00:00.000Z", True)
