"""Floating schedules: nothing is generated while their work order is open, and the next one is ordered from
the moment that work order is completed, cancelled or deleted (pm_schedules/floating.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.catalog.support import ok
from tests.helpers import Api
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
from tests.work_orders.support import create_work_order, update_work_order

__all__ = ["clock"]


def next_order_date(api: Api, schedule_id: int) -> str | None:
    found: str | None = schedule_of(api, schedule_id)["next_order_date"]
    return found


def test_the_next_work_order_is_ordered_from_the_completion(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, type="floating", start="2030-01-01T08:00", time_to_complete=4)
    clock.set_now(at("2030-01-01T08:00"))
    assert generate_pass(app).generated == 1
    [first] = work_orders_of(api, schedule_id)
    assert next_order_date(api, schedule_id) is None  # waits for its work order

    clock.set_now(at("2030-01-05T12:00"))  # days later, still open: nothing more
    assert generate_pass(app).generated == 0

    clock.set_now(at("2030-01-05T13:00"))
    update_work_order(api, first["id"], status_id=5)

    # Restarted at the completion's date at 08:00; the first at or after a day later (Jan 6 13:00) is Jan 7 08:00.
    assert next_order_date(api, schedule_id) == moment("2030-01-07T08:00")
    clock.set_now(at("2030-01-07T07:59"))
    assert generate_pass(app).generated == 0
    clock.set_now(at("2030-01-07T08:00"))
    assert generate_pass(app).generated == 1
    made = work_orders_of(api, schedule_id)
    assert [w["due_date"] for w in made] == [stamp("2030-01-01T12:00"), stamp("2030-01-07T12:00")]
    assert next_order_date(api, schedule_id) is None


def test_cancelling_reopening_and_deleting_the_open_work_order(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, type="floating", start="2030-01-01T08:00")
    clock.set_now(at("2030-01-01T08:00"))
    generate_pass(app)
    [made] = work_orders_of(api, schedule_id)

    clock.set_now(at("2030-01-08T09:00"))
    update_work_order(api, made["id"], status_id=4)  # cancelled: counts from the cancellation
    assert next_order_date(api, schedule_id) == moment("2030-01-10T08:00")

    update_work_order(api, made["id"], status_id=1)  # open again: nothing is ordered while it is
    assert next_order_date(api, schedule_id) is None

    clock.set_now(at("2030-01-09T07:00"))
    assert api.delete(f"/work_orders/{made['id']}").status_code == 204
    assert next_order_date(api, schedule_id) == moment("2030-01-10T08:00")  # first at or after Jan 10 07:00


def test_a_completion_dated_before_the_occurrence_counts_from_the_occurrence(
    app: FastAPI, api: Api, clock: Any
) -> None:
    schedule_id = create(api, type="floating", start="2030-01-01T08:00")
    clock.set_now(at("2030-01-01T08:00"))
    generate_pass(app)
    [made] = work_orders_of(api, schedule_id)

    update_work_order(api, made["id"], status_id=5, completed_at="2029-12-01T10:00:00Z")

    assert next_order_date(api, schedule_id) == moment("2030-01-02T08:00")  # a day after the occurrence


def test_a_floating_schedule_with_an_open_work_order_made_by_hand_waits(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, type="floating", start="2030-01-01T08:00")
    by_hand = create_work_order(api, "Done early", pm_schedule_id=schedule_id)
    clock.set_now(at("2030-01-01T08:00"))

    result = generate_pass(app)

    assert (result.generated, result.waiting) == (0, 1)
    assert [w["id"] for w in work_orders_of(api, schedule_id)] == [by_hand["id"]]
    assert next_order_date(api, schedule_id) is None
    clock.set_now(at("2030-01-03T10:00"))
    update_work_order(api, by_hand["id"], status_id=5)
    assert next_order_date(api, schedule_id) == moment("2030-01-05T08:00")


def test_closing_a_work_order_of_a_persistent_schedule_changes_nothing(app: FastAPI, api: Api, clock: Any) -> None:
    schedule_id = create(api, start="2030-01-01T08:00")
    clock.set_now(at("2030-01-01T08:00"))
    generate_pass(app)
    [made] = work_orders_of(api, schedule_id)

    update_work_order(api, made["id"], status_id=5)

    assert next_order_date(api, schedule_id) == moment("2030-01-02T08:00")
    assert ok(api.get(f"/work_orders/{made['id']}"))["status"]["name"] == "completed"
