"""PM generation (issue #14 part 4): what a pass makes from a schedule, per type, and how schedules advance.

Schedules are made and read through the API; a pass runs as a server's scheduler runs it, with the server's clock
moved by the test.
"""

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
    db_rows,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.pm_schedules.engine_support import (
    at,
    clock,
    create,
    generate_pass,
    moment,
    schedule_of,
    stamp,
    work_orders_of,
)
from tests.procedures.support import create_template
from tests.work_orders.support import make_part
from wrenchwork.models import PmScheduleRun
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
    app: FastAPI, api: Api, session: Session, clock: Any
) -> None:
    schedule_id = create(api, start="2030-01-01T08:00", time_to_complete=4)
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-01T08:00")
    clock.set_now(at("2030-01-10T12:00"))  # the server was down: ten occurrences have passed

    result = generate_pass(app)

    assert (result.generated, result.skipped, result.failed) == (1, 0, [])
    [made] = work_orders_of(api, schedule_id)
    assert (made["type"], made["pm_schedule_id"], made["title"]) == ("preventive", schedule_id, "Replace HVAC filter")
    assert made["due_date"] == stamp("2030-01-10T12:00")  # the latest occurrence, 08:00, + 4 hours
    assert made["status"] == {"id": 1, "name": "open", "is_custom": False}
    schedule = schedule_of(api, schedule_id)
    assert (schedule["next_order_date"], schedule["next_due_date"]) == (
        moment("2030-01-11T08:00"),
        moment("2030-01-11T12:00"),
    )
    assert (schedule["has_work_orders"], schedule["has_uncompleted_wo"]) == (True, True)
    assert schedule["progression"] == {"percentage": 0, "id": made["id"], "status": None}
    assert (schedule["last_active_work_order_id"], schedule["last_active_work_order_title"]) == (
        made["id"],
        "Replace HVAC filter",
    )
    assert runs(session, schedule_id) == [(at("2030-01-10T08:00"), made["id"])]

    assert generate_pass(app).generated == 0  # nothing more is due until the 11th
    clock.set_now(at("2030-01-11T08:00"))
    assert generate_pass(app).generated == 1
    assert [w["due_date"] for w in work_orders_of(api, schedule_id)] == [
        stamp("2030-01-10T12:00"),
        stamp("2030-01-11T12:00"),
    ]
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-12T08:00")


def test_persistent_generates_while_earlier_work_orders_are_open(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, start="2030-01-01T08:00", repeat_frequency="hour", repeat_interval=6)
    for now in ("2030-01-01T08:00", "2030-01-01T14:00", "2030-01-01T20:00"):
        clock.set_now(at(now))
        assert generate_pass(app).generated == 1

    made = work_orders_of(api, schedule_id)
    assert [w["status"]["name"] for w in made] == ["open", "open", "open"]
    assert [w["due_date"] for w in made] == [stamp("2030-01-01T12:00"), stamp("2030-01-01T18:00"),
                                             stamp("2030-01-02T00:00")]  # fmt: skip
    schedule = schedule_of(api, schedule_id)
    assert schedule["last_active_work_order_id"] == made[-1]["id"]
    assert schedule["next_order_date"] == moment("2030-01-02T02:00")


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
    schedule_id = create(
        api, time_to_complete=48, procedure_template_ids=[procedure["id"]],
        template={"title": "Boiler service", "description": "Monthly boiler service", "priority": "high",
                  "asset_id": asset["id"], "location_id": room["id"], "checklist": checklist,
                  "categories_ids": [category["id"]], "account_codes_ids": [code["id"]],
                  "technicians_ids": [technician_id], "vendors_ids": [vendor["id"]],
                  "parts": [{"part_id": part_id, "quantity": 2}]},
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
    schedule_id = create(api)
    editor_id, token = make_user(session, tenant, role="limited_admin", name="Lee", surname="Manager")
    ok(api.as_key(token).patch(f"/pm_schedules/{schedule_id}", json={"pm_schedule": {"time_to_complete": 8}}))
    clock.set_now(at("2030-01-01T08:00"))

    generate_pass(app)

    [made] = work_orders_of(api, schedule_id)
    assert made["created_by"] == {"id": editor_id, "name": "Lee", "surname": "Manager"}
    assert made["due_date"] == stamp("2030-01-01T16:00")


def test_references_no_longer_usable_are_left_off_and_the_schedule_goes_on(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    keeps, _ = make_user(session, tenant, role="technician", name="Kim")
    leaves, _ = make_user(session, tenant, role="technician", name="Lou")
    vendor = create_vendor(api, "Gone Ltd")
    schedule_id = create(api, template={"technicians_ids": [keeps, leaves], "vendors_ids": [vendor["id"]]})
    ok(api.patch(f"/users/{leaves}", json={"user": {"can_be_assigned_to_wo": False}}))
    assert api.delete(f"/vendors/{vendor['id']}").status_code == 204  # takes it off the template
    clock.set_now(at("2030-01-01T08:00"))

    result = generate_pass(app)

    assert (result.generated, result.failed) == (1, [])
    [made] = work_orders_of(api, schedule_id)
    assert [t["id"] for t in made["technicians"]] == [keeps]
    assert made["vendors"] == []


def test_one_time_generates_once_then_is_completed(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, type="one_time", start="2030-03-05T09:30", time_to_complete=2)
    clock.set_now(at("2030-03-05T09:29"))
    assert generate_pass(app).generated == 0  # not yet

    clock.set_now(at("2030-06-01T00:00"))  # long after: still its one occurrence
    assert generate_pass(app).generated == 1

    [made] = work_orders_of(api, schedule_id)
    assert made["due_date"] == stamp("2030-03-05T11:30")
    schedule = schedule_of(api, schedule_id)
    assert (schedule["status"], schedule["next_order_date"], schedule["next_due_date"]) == ("completed", None, None)
    clock.set_now(at("2031-01-01T00:00"))
    assert generate_pass(app).generated == 0
    assert len(work_orders_of(api, schedule_id)) == 1


def test_paused_schedules_generate_nothing_until_planned_again(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, status="paused")
    clock.set_now(at("2030-02-01T07:00"))

    assert generate_pass(app).generated == 0

    assert work_orders_of(api, schedule_id) == []
    ok(api.patch(f"/pm_schedules/{schedule_id}", json={"pm_schedule": {"status": "planned"}}))
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-02-01T08:00")  # nothing missed is made
    clock.set_now(at("2030-02-01T08:00"))
    assert generate_pass(app).generated == 1
    assert [w["due_date"] for w in work_orders_of(api, schedule_id)] == [stamp("2030-02-01T12:00")]


def test_schedules_of_every_entity_are_generated_each_in_its_own_entity(
    app: FastAPI, api: Api, session: Session, tenant: Tenant, clock: Any
) -> None:
    other = api.as_entity(make_entity(session, tenant))
    here = create(api)
    there = create(other)
    clock.set_now(at("2030-01-01T08:00"))

    assert generate_pass(app).generated == 2

    assert [w["pm_schedule_id"] for w in ok(api.get("/work_orders"))] == [here]  # type: ignore[index]
    assert [w["pm_schedule_id"] for w in ok(other.get("/work_orders"))] == [there]  # type: ignore[index]


def test_an_occurrence_made_before_is_not_made_again_and_the_schedule_moves_on(
    app: FastAPI, api: Api, session: Session, clock: Any
) -> None:
    """ "Create now" made the 08:00 occurrence; a change of timing then plans that same occurrence again."""
    schedule_id = create(api)
    made = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)
    patch = {"pm_schedule": {"repeat_interval": 2}}
    ok(api.patch(f"/pm_schedules/{schedule_id}", json=patch))
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-01T08:00")
    clock.set_now(at("2030-01-01T09:00"))

    result = generate_pass(app)

    assert (result.generated, result.skipped) == (0, 1)
    assert [w["id"] for w in work_orders_of(api, schedule_id)] == [made["id"]]
    assert runs(session, schedule_id) == [(at("2030-01-01T08:00"), made["id"])]
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-03T08:00")  # every 2 days now
    assert generate_pass(app).skipped == 0  # not due again: no spinning on it


def test_a_failing_schedule_keeps_its_date_and_does_not_stop_the_others(
    app: FastAPI, api: Api, session: Session, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure between the run row and the work order: nothing of that schedule's occurrence stays."""
    first = create(api)
    broken = create(api, template={"title": "Breaks"})
    last = create(api)
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
    # The batch failed as a whole, was rolled back and done again one schedule at a time: the failing one was
    # tried twice, then left alone for the rest of the pass.
    assert calls == ["Replace HVAC filter", "Breaks", "Replace HVAC filter", "Breaks", "Replace HVAC filter"]
    assert len(work_orders_of(api, first)) == 1 and len(work_orders_of(api, last)) == 1
    assert work_orders_of(api, broken) == [] and runs(session, broken) == []
    assert schedule_of(api, broken)["next_order_date"] == moment("2030-01-01T08:00")

    monkeypatch.setattr(generation, "create_work_order", real)  # the next pass retries it
    assert generate_pass(app).generated == 1
    assert len(work_orders_of(api, broken)) == 1
    assert [len(runs(session, s)) for s in (first, broken, last)] == [1, 1, 1]
