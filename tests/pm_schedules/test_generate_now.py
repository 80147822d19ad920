"""`POST /pm_schedules/{id}/generate` (extension): the next work order made now, and the schedule advanced."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import db_scalars, error, ok
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
from tests.work_orders.support import DETAIL_ORDER, update_work_order
from wrenchwork.models import PmScheduleRun, WorkOrder

__all__ = ["clock"]


def count(session: Session, model: type[Any]) -> int:
    [found] = db_scalars(session, select(func.count()).select_from(model))
    return int(found)


def test_makes_the_pending_occurrence_now_and_advances_the_schedule(
    app: FastAPI, api: Api, tenant: Tenant, clock: Any
) -> None:
    schedule_id = create(api, start="2030-01-01T08:00", time_to_complete=4)

    made = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)

    assert list(made) == DETAIL_ORDER  # the work order's detail
    assert (made["type"], made["pm_schedule_id"], made["title"]) == ("preventive", schedule_id, "Replace HVAC filter")
    assert made["due_date"] == stamp("2030-01-01T12:00")  # its occurrence's, though made hours before it
    assert made["created_by"] == {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}  # who clicked
    schedule = schedule_of(api, schedule_id)
    assert schedule["next_order_date"] == moment("2030-01-02T08:00")
    assert (schedule["has_work_orders"], schedule["last_active_work_order_id"]) == (True, made["id"])

    clock.set_now(at("2030-01-01T08:00"))  # its date comes: the scheduler does not make it again
    assert generate_pass(app).generated == 0
    assert [w["id"] for w in work_orders_of(api, schedule_id)] == [made["id"]]


def test_each_call_makes_the_next_occurrence_unless_the_client_names_the_one_it_showed(
    api: Api, session: Session, clock: Any
) -> None:
    schedule_id = create(api)
    shown = schedule_of(api, schedule_id)["next_order_date"]
    body = {"next_order_date": shown}

    first = ok(api.post(f"/pm_schedules/{schedule_id}/generate", json=body), 201)
    again = error(api.post(f"/pm_schedules/{schedule_id}/generate", json=body), 409)  # the double click

    assert again["message"] == (
        f"PM schedule {schedule_id}'s next order date is 2030-01-02T08:00:00.000Z, not 2030-01-01T08:00:00.000Z: "
        "that occurrence has been generated already"
    )
    assert count(session, WorkOrder) == 1
    second = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)  # no date named: the next one
    assert [first["due_date"], second["due_date"]] == [stamp("2030-01-01T12:00"), stamp("2030-01-02T12:00")]
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-03T08:00")


def test_a_due_schedule_catches_up_as_the_scheduler_would(api: Api, clock: Any) -> None:
    schedule_id = create(api)
    clock.set_now(at("2030-01-05T09:00"))

    made = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)

    assert made["due_date"] == stamp("2030-01-05T12:00")  # the latest occurrence, as a pass would make it
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-06T08:00")


def test_an_occurrence_made_already_is_a_409(api: Api, session: Session, clock: Any) -> None:
    schedule_id = create(api)
    ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)
    ok(api.patch(f"/pm_schedules/{schedule_id}", json={"pm_schedule": {"repeat_interval": 2}}))
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-01T08:00")  # planned again

    body = error(api.post(f"/pm_schedules/{schedule_id}/generate"), 409)

    assert body["message"] == (
        f"PM schedule {schedule_id} has generated the work order of 2030-01-01T08:00:00.000Z already"
    )
    assert (count(session, WorkOrder), count(session, PmScheduleRun)) == (1, 1)
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-01T08:00")


def test_one_time_is_completed_by_it(api: Api, clock: Any) -> None:
    schedule_id = create(api, type="one_time", start="2030-02-01T10:00")

    ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)

    schedule = schedule_of(api, schedule_id)
    assert (schedule["status"], schedule["next_order_date"]) == ("completed", None)
    body = error(api.post(f"/pm_schedules/{schedule_id}/generate"), 409)
    assert body["message"] == f"PM schedule {schedule_id} is completed: it generates no work orders"


def test_paused_is_a_409_and_changes_nothing(api: Api, session: Session, clock: Any) -> None:
    schedule_id = create(api, status="paused")

    body = error(api.post(f"/pm_schedules/{schedule_id}/generate"), 409)

    assert body["message"] == f"PM schedule {schedule_id} is paused: it generates no work orders"
    assert (count(session, WorkOrder), count(session, PmScheduleRun)) == (0, 0)


def test_floating_waits_for_its_open_work_order(api: Api, session: Session, clock: Any) -> None:
    schedule_id = create(api, type="floating")
    made = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)
    assert schedule_of(api, schedule_id)["next_order_date"] is None

    body = error(api.post(f"/pm_schedules/{schedule_id}/generate"), 409)

    assert body["message"] == (
        f"PM schedule {schedule_id} is floating and its work order {made['id']} is still open: the next one is "
        "ordered when that one is completed, cancelled or deleted"
    )
    assert count(session, WorkOrder) == 1
    update_work_order(api, made["id"], status_id=5)  # completed at 00:00 Jan 1, before its occurrence
    assert schedule_of(api, schedule_id)["next_order_date"] == moment("2030-01-02T08:00")
    again = ok(api.post(f"/pm_schedules/{schedule_id}/generate"), 201)
    assert again["due_date"] == stamp("2030-01-02T12:00")


def test_unknown_and_foreign_schedules_are_404(api: Api, session: Session, tenant: Tenant, clock: Any) -> None:
    other = api.as_entity(make_entity(session, tenant))
    foreign = create(other)

    error(api.post(f"/pm_schedules/{foreign}/generate"), 404)
    error(api.post("/pm_schedules/999999/generate"), 404)

    assert count(session, WorkOrder) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"next_order_date": "soon"}, "next_order_date"), ({"when": "now"}, "when"), ([1], "body")],
)
def test_a_bad_body_is_422_and_makes_nothing(api: Api, session: Session, clock: Any, body: Any, field: str) -> None:
    schedule_id = create(api)

    answer = error(api.post(f"/pm_schedules/{schedule_id}/generate", json=body), 422)

    assert any(field in path for path in answer["errors"]), answer
    assert count(session, WorkOrder) == 0


def test_roles(api: Api, session: Session, tenant: Tenant, clock: Any) -> None:
    schedule_id = create(api)
    path = f"/pm_schedules/{schedule_id}/generate"
    for role in ("technician", "requester"):
        _, token = make_user(session, tenant, role=role)
        error(api.as_key(token).post(path), 403)
    assert count(session, WorkOrder) == 0
    _, manager = make_user(session, tenant, role="limited_admin")
    ok(api.as_key(manager).post(path), 201)
