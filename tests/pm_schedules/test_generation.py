"""PM generation (issue #14 part 4): what a pass makes from a schedule, per type, and how schedules advance."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import db_get, db_rows, ok
from tests.helpers import Api, Tenant
from tests.pm_schedules.engine_support import (
    at,
    clock,
    generate_pass,
    make_schedule,
    stamp,
    work_orders_of,
)
from wrenchwork.models import PmSchedule, PmScheduleRun

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
