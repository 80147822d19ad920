"""PM generation (issue #14 part 4): what a pass makes from a schedule, per type, and how schedules advance."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    create_asset,
    create_location,
    create_lookup,
    create_vendor,
    db_add,
    db_get,
    db_rows,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.pm_schedules.engine_support import (
    at,
    clock,
    generate_pass,
    make_schedule,
    stamp,
    work_orders_of,
)
from tests.procedures.support import create_template
from tests.work_orders.support import make_part
from wrenchwork.models import PmSchedule, PmScheduleRun
from wrenchwork.pm_schedules import generation

__all__ = ["clock"]


def runs(session: Session, schedule_id: int) -> list[tuple[Any, ...]]:
    stmt = (
        select(PmScheduleRun.occurrence_at, PmScheduleRun.work_order_id)
        .where(PmScheduleRun.pm_schedule_id == schedule_id)
        .order_by(PmScheduleRun.occurrence_at)
    )
    return [tuple(row) for row in db_rows(session, stmt)]


def test_persistent_catches_up_with_one_work_order_for_the_latest_occurrence(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    schedule_id = make_schedule(session, tenant, start="2030-01-01T08:00", time_to_complete=4)
    clock.set_now(at("2030-01-10T12:00"))  # down since before the first occurrence: ten have passed

    result = generate_pass(app)

    assert (result.generated, result.skipped, result.failed) == (1, 0, [])
    [made] = work_orders_of(api, schedule_id)
    assert made["type"] == "preventive" and made["pm_schedule_id"] == schedule_id
    assert made["title"] == "Replace HVAC filter"
    assert made["due_date"] == stamp("2030-01-10T12:00")  # the latest occurrence, 08:00, + 4 hours
    assert made["status"] == {"id": 1, "name": "open", "is_custom": False}
    schedule = db_get(session, PmSchedule, schedule_id)
    assert schedule is not None and schedule.next_order_date == at("2030-01-11T08:00")
    assert runs(session, schedule_id) == [(at("2030-01-10T08:00"), made["id"])]

    assert generate_pass(app).generated == 0  # nothing more is due until the 11th
    clock.set_now(at("2030-01-11T08:00"))
    assert generate_pass(app).generated == 1
    assert [w["due_date"] for w in work_orders_of(api, schedule_id)] == [
        stamp("2030-01-10T12:00"),
        stamp("2030-01-11T12:00"),
    ]


def test_the_work_order_is_the_template_with_parts_reserved_and_procedures_attached(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    room = create_location(api, "Boiler Room")
    asset = create_asset(api, "Boiler 2")
    category = create_lookup(api, "/categories", "category", "HVAC")
    code = create_lookup(api, "/account_codes", "account_code", "Preventive")
    vendor = create_vendor(api, "Summit HVAC")
    technician_id, _ = make_user(session, tenant, role="technician", name="John", surname="Doe")
    procedure = create_template(api, "Boiler monthly", items=[{"name": "Pressure OK", "item_type": "yes_no"}])
    part_id = make_part(session, tenant, name="Filter", on_hand="5", avg="12.50")
    checklist = [{"text": "Bleed radiators", "order": 1, "checked": True}, {"text": "Log pressure", "order": 2}]
    schedule_id = make_schedule(
        session, tenant, time_to_complete=48,
        template={"title": "Boiler service", "description": "Monthly boiler service", "priority": "high",
                  "asset_id": asset["id"], "location_id": room["id"], "checklist": checklist,
                  "categories_ids": [category["id"]], "account_codes_ids": [code["id"]],
                  "technicians_ids": [technician_id], "vendors_ids": [vendor["id"]]},
        parts=[(part_id, "2")], procedure_template_ids=[procedure["id"]],
    )  # fmt: skip
    clock.set_now(at("2030-01-01T08:00"))

    assert generate_pass(app).generated == 1

    [listed] = work_orders_of(api, schedule_id)
    made = ok(api.get(f"/work_orders/{listed['id']}"))
    assert (made["title"], made["description"], made["priority"]) == ("Boiler service", "Monthly boiler service",
                                                                        "high")  # fmt: skip
    assert (made["type"], made["pm_schedule_id"]) == ("preventive", schedule_id)
    assert made["due_date"] == stamp("2030-01-03T08:00")  # 48 hours after the occurrence
    assert made["completed_at"] is None and made["status"]["name"] == "open"
    assert made["asset"] == {"id": asset["id"], "name": "Boiler 2", "status": "online"}
    assert made["location"] == {"id": room["id"], "name": "Boiler Room", "path": "Boiler Room"}
    assert made["categories"] == [{"id": category["id"], "name": "HVAC"}]
    assert made["account_codes"] == [{"id": code["id"], "name": "Preventive"}]
    assert made["technicians"] == [{"id": technician_id, "name": "John", "surname": "Doe", "avatar": None}]
    assert [v["id"] for v in made["vendors"]] == [vendor["id"]]
    assert made["checklist"] == [  # copied unchecked
        {"text": "Bleed radiators", "order": 1, "checked": False},
        {"text": "Log pressure", "order": 2, "checked": False},
    ]
    assert [(p["name"], p["procedure_template_id"]) for p in made["procedures"]] == [("Boiler monthly",
                                                                                       procedure["id"])]  # fmt: skip
    assert made["part_assignments"] == [
        {"part_id": part_id, "part_name": "Filter", "quantity": 2, "unit_name": "Item", "unit_short_name": "itm",
         "type": "usage", "total_cost": 25.0}
    ]  # fmt: skip
    part = ok(api.get(f"/parts/{part_id}"))
    assert (part["on_hand_qty"], part["reserved"], part["available"]) == (5, 2, 3)  # reserved, not used
    admin = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert made["created_by"] == admin and made["updated_by"] == admin  # the schedule's last editor


def test_the_work_order_is_made_by_the_schedules_last_editor(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    editor_id, _ = make_user(session, tenant, role="limited_admin", name="Lee", surname="Manager")
    schedule_id = make_schedule(session, tenant, updated_by_id=editor_id)
    clock.set_now(at("2030-01-01T08:00"))

    generate_pass(app)

    [made] = work_orders_of(api, schedule_id)
    assert made["created_by"] == {"id": editor_id, "name": "Lee", "surname": "Manager"}


def test_references_no_longer_usable_are_left_off_and_the_schedule_goes_on(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    keeps, _ = make_user(session, tenant, role="technician", name="Kim")
    leaves, _ = make_user(session, tenant, role="technician", name="Lou")
    requester, _ = make_user(session, tenant, role="requester", name="Rae")
    schedule_id = make_schedule(session, tenant, template={"technicians_ids": [keeps, leaves, requester]})
    ok(api.patch(f"/users/{leaves}", json={"user": {"can_be_assigned_to_wo": False}}))
    clock.set_now(at("2030-01-01T08:00"))

    result = generate_pass(app)

    assert (result.generated, result.failed) == (1, [])
    [made] = work_orders_of(api, schedule_id)
    assert [t["id"] for t in made["technicians"]] == [keeps]


def test_one_time_generates_once_then_is_completed(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    schedule_id = make_schedule(session, tenant, type="one_time", start="2030-03-05T09:30", time_to_complete=2)
    clock.set_now(at("2030-03-05T09:29"))
    assert generate_pass(app).generated == 0  # not yet

    clock.set_now(at("2030-06-01T00:00"))  # long after: still its one occurrence
    assert generate_pass(app).generated == 1

    [made] = work_orders_of(api, schedule_id)
    assert made["due_date"] == stamp("2030-03-05T11:30")
    schedule = db_get(session, PmSchedule, schedule_id)
    assert schedule is not None and (schedule.status, schedule.next_order_date) == ("completed", None)
    clock.set_now(at("2031-01-01T00:00"))
    assert generate_pass(app).generated == 0
    assert len(work_orders_of(api, schedule_id)) == 1


def test_paused_and_completed_schedules_generate_nothing(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    paused = make_schedule(session, tenant, status="paused")
    completed = make_schedule(session, tenant, type="one_time", status="completed")
    clock.set_now(at("2030-02-01T00:00"))

    assert generate_pass(app).generated == 0

    assert work_orders_of(api, paused) == [] and work_orders_of(api, completed) == []
    schedule = db_get(session, PmSchedule, paused)
    assert schedule is not None and schedule.next_order_date == at("2030-01-01T08:00")  # left as it was


def test_schedules_of_every_entity_are_generated_each_in_its_own_entity(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    other_entity = make_entity(session, tenant)
    here = make_schedule(session, tenant)
    there = make_schedule(session, tenant, entity_id=other_entity)
    clock.set_now(at("2030-01-01T08:00"))

    assert generate_pass(app).generated == 2

    assert len(work_orders_of(api, here)) == 1 and work_orders_of(api, there) == []
    assert len(work_orders_of(api.as_entity(other_entity), there)) == 1
    assert ok(api.get("/work_orders"))[0]["pm_schedule_id"] == here


def test_an_occurrence_made_before_is_not_made_again_and_the_schedule_moves_on(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    schedule_id = make_schedule(session, tenant)
    db_add(session, PmScheduleRun(pm_schedule_id=schedule_id, occurrence_at=at("2030-01-01T08:00")))
    clock.set_now(at("2030-01-01T10:00"))

    result = generate_pass(app)

    assert (result.generated, result.skipped) == (0, 1)
    assert work_orders_of(api, schedule_id) == []
    schedule = db_get(session, PmSchedule, schedule_id)
    assert schedule is not None and schedule.next_order_date == at("2030-01-02T08:00")
    assert generate_pass(app).skipped == 0  # not due again: no spinning on it


def test_a_failing_schedule_keeps_its_date_and_does_not_stop_the_others(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure between the run row and the work order: nothing of that schedule's occurrence stays."""
    first = make_schedule(session, tenant)
    broken = make_schedule(session, tenant, template={"title": "Breaks"})
    last = make_schedule(session, tenant)
    real = generation.create_work_order
    calls: list[str] = []

    def failing(session: Session, scope: Any, data: Any) -> Any:
        calls.append(data.title)
        if data.title == "Breaks":
            raise RuntimeError("disk full")
        return real(session, scope, data)

    monkeypatch.setattr(generation, "create_work_order", failing)
    clock.set_now(at("2030-01-01T08:00"))

    result = generate_pass(app, batch_size=2)

    assert (result.generated, result.failed) == (2, [broken])
    assert calls == ["Replace HVAC filter", "Breaks", "Replace HVAC filter"]  # tried once in the pass
    assert len(work_orders_of(api, first)) == 1 and len(work_orders_of(api, last)) == 1
    assert work_orders_of(api, broken) == [] and runs(session, broken) == []
    schedule = db_get(session, PmSchedule, broken)
    assert schedule is not None and schedule.next_order_date == at("2030-01-01T08:00")

    monkeypatch.setattr(generation, "create_work_order", real)  # the next pass retries it
    assert generate_pass(app).generated == 1
    assert len(work_orders_of(api, broken)) == 1
    assert [len(runs(session, s)) for s in (first, broken, last)] == [1, 1, 1]
