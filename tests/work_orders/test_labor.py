"""Labor and additional costs (extensions): time entries priced with the user's rates, timers, cost lines and
`total_costs` in exact decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import db_rows, db_scalars, error, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.work_orders.support import create_work_order, make_part
from wrenchwork.models import TimeEntry, WorkOrderCost, WorkTimer

ENTRY_KEYS = {"id", "work_order_id", "user", "started_at", "ended_at", "duration", "rate_type", "rate", "cost",
              "created_at", "created_by_id"}  # fmt: skip
RATES = {"regular_rate": Decimal("41"), "overtime_rate1": Decimal("61.5"), "overtime_rate2": Decimal("82")}


def entry(api: Api, work_order_id: int, **fields: Any) -> dict[str, Any]:
    body = {"time_entry": {"started_at": "2025-07-17T08:00:00Z", **fields}}
    return ok(api.post(f"/work_orders/{work_order_id}/time_entries", json=body), 201)


def worker(session: Session, tenant: Tenant) -> tuple[int, str]:
    return make_user(session, tenant, role="technician", name="John", surname="Doe", **RATES)


@pytest.mark.parametrize(
    ("rate_type", "rate", "cost"),
    [("regular", 41, 102.5), ("overtime1", 61.5, 153.75), ("overtime2", 82, 205)],
)
def test_a_time_entry_is_priced_with_the_users_rate(
    api: Api, session: Session, tenant: Tenant, rate_type: str, rate: float, cost: float
) -> None:
    user_id, _ = worker(session, tenant)
    work_order = create_work_order(api)

    data = entry(api, work_order["id"], user_id=user_id, ended_at="2025-07-17T10:30:00Z", rate_type=rate_type)

    assert set(data) == ENTRY_KEYS
    assert data["user"] == {"id": user_id, "name": "John", "surname": "Doe"}
    assert (data["started_at"], data["ended_at"]) == ("2025-07-17T08:00:00Z", "2025-07-17T10:30:00Z")
    assert (data["duration"], data["rate_type"], data["rate"], data["cost"]) == (2.5, rate_type, rate, cost)
    assert data["created_by_id"] == tenant.admin_id
    [(hours, stored_cost)] = db_rows(session, select(TimeEntry.hours, TimeEntry.cost))
    assert (hours, stored_cost) == (Decimal("2.500"), Decimal(str(cost)).quantize(Decimal("0.01")))


def test_duration_in_hours_and_rounding_half_up(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = make_user(session, tenant, role="technician", regular_rate=Decimal("40.25"))
    work_order = create_work_order(api)

    # 1.125 h x 40.25 = 45.28125 -> 45.28; 20 minutes x 40.25 = 13.41666... -> 13.42
    first = entry(api, work_order["id"], user_id=user_id, duration=1.125)
    second = entry(api, work_order["id"], user_id=user_id, ended_at="2025-07-17T08:20:00Z")

    assert (first["duration"], first["cost"], first["ended_at"]) == (1.125, 45.28, "2025-07-17T09:07:30Z")
    assert (second["duration"], second["cost"]) == (0.333, 13.42)
    detail = ok(api.get(f"/work_orders/{work_order['id']}"))
    assert detail["total_costs"] == {"labor": 58.7, "other": 0, "parts": 0, "total": 58.7}
    listed = api.get(f"/work_orders/{work_order['id']}/time_entries").json()
    assert [e["id"] for e in listed["data"]] == [first["id"], second["id"]]
    assert listed["meta"]["pagination"]["total"] == 2


def test_the_caller_is_the_default_user(api: Api, tenant: Tenant) -> None:
    work_order = create_work_order(api)
    assert entry(api, work_order["id"], duration=1)["user"]["id"] == tenant.admin_id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({}, "time_entry.ended_at", id="neither-end-nor-duration"),
        pytest.param({"duration": 1, "ended_at": "2025-07-17T09:00:00Z"}, "time_entry.ended_at", id="both"),
        pytest.param({"ended_at": "2025-07-17T08:00:00Z"}, "time_entry.ended_at", id="ends-at-start"),
        pytest.param({"ended_at": "2025-07-17T07:00:00Z"}, "time_entry.ended_at", id="ends-before-start"),
        pytest.param({"duration": 0}, "time_entry.duration", id="zero-duration"),
        pytest.param({"duration": -1}, "time_entry.duration", id="negative-duration"),
        pytest.param({"duration": 1.0001}, "time_entry.duration", id="duration-4-decimals"),
        pytest.param({"duration": 1, "rate_type": "double"}, "time_entry.rate_type", id="unknown-rate-type"),
        pytest.param({"duration": 1, "user_id": 424242}, "time_entry.user_id", id="unknown-user"),
    ],
)
def test_invalid_time_entries_are_422(api: Api, session: Session, fields: dict[str, Any], field: str) -> None:
    work_order = create_work_order(api)
    body = {"time_entry": {"started_at": "2025-07-17T08:00:00Z", **fields}}
    assert field in error(api.post(f"/work_orders/{work_order['id']}/time_entries", json=body), 422)["errors"]
    assert db_scalars(session, select(TimeEntry.id)) == []


def test_deleting_a_time_entry(api: Api, session: Session, tenant: Tenant) -> None:
    work_order = create_work_order(api)
    other = create_work_order(api, "Other")
    made = entry(api, work_order["id"], duration=2)

    error(api.delete(f"/work_orders/{other['id']}/time_entries/{made['id']}"), 404)
    response = api.delete(f"/work_orders/{work_order['id']}/time_entries/{made['id']}")
    assert response.status_code == 204
    assert db_scalars(session, select(TimeEntry.id)) == []
    error(api.delete(f"/work_orders/{work_order['id']}/time_entries/{made['id']}"), 404)


def test_a_timer_runs_per_user_and_stops_into_a_time_entry(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = worker(session, tenant)
    technician = api.as_key(token)
    work_order = create_work_order(api)
    path = f"/work_orders/{work_order['id']}"
    before = datetime.now(UTC).replace(microsecond=0)

    timer = ok(technician.post(f"{path}/timer/start"))

    assert timer["created_by_id"] == user_id
    assert before <= datetime.fromisoformat(timer["started_at"].replace("Z", "+00:00")) <= datetime.now(UTC)
    assert ok(technician.get(path))["active_timer_current_user"] == timer
    assert technician.get("/work_orders").json()["data"][0]["active_timer_current_user"] == timer
    # Only the caller's own timer shows.
    assert ok(api.get(path))["active_timer_current_user"] is None
    assert api.get("/work_orders").json()["data"][0]["active_timer_current_user"] is None
    error(technician.post(f"{path}/timer/start"), 409)
    error(api.post(f"{path}/timer/stop"), 409)

    stopped = ok(technician.post(f"{path}/timer/stop", json={"rate_type": "overtime1"}))

    assert stopped["user"]["id"] == user_id and stopped["rate_type"] == "overtime1" and stopped["rate"] == 61.5
    assert stopped["started_at"] == timer["started_at"]
    assert db_scalars(session, select(WorkTimer.id)) == []
    assert ok(technician.get(path))["active_timer_current_user"] is None
    assert [e["id"] for e in technician.get(f"{path}/time_entries").json()["data"]] == [stopped["id"]]
    error(technician.post(f"{path}/timer/stop"), 409)


def test_costs_and_total_costs(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = worker(session, tenant)
    work_order = create_work_order(api)
    path = f"/work_orders/{work_order['id']}"
    part_id = make_part(session, tenant, on_hand="10", avg="26.15")
    ok(api.post(f"{path}/parts", json={"part_id": part_id, "quantity": 1}))
    entry(api, work_order["id"], user_id=user_id, duration=3.5)  # 143.50
    entry(api, work_order["id"], user_id=user_id, duration=0.1, rate_type="overtime1")  # 6.15

    lift = ok(api.post(f"{path}/costs", json={"cost": {"description": "Scissor lift rental", "amount": 35.1}}), 201)
    ok(api.post(f"{path}/costs", json={"cost": {"description": "Disposal fee", "amount": 2.9}}), 201)

    assert set(lift) == {"id", "work_order_id", "description", "amount", "created_at", "created_by_id"}
    assert (lift["description"], lift["amount"]) == ("Scissor lift rental", 35.1)
    assert [c["amount"] for c in api.get(f"{path}/costs").json()["data"]] == [35.1, 2.9]
    assert ok(api.get(path))["total_costs"] == {"labor": 149.65, "other": 38, "parts": 26.15, "total": 213.8}

    assert api.delete(f"{path}/costs/{lift['id']}").status_code == 204
    assert ok(api.get(path))["total_costs"] == {"labor": 149.65, "other": 2.9, "parts": 26.15, "total": 178.7}
    error(api.delete(f"{path}/costs/{lift['id']}"), 404)
    for bad in ({"description": "x", "amount": -1}, {"description": "x", "amount": 1.001}, {"amount": 1},
                {"description": "", "amount": 1}):  # fmt: skip
        error(api.post(f"{path}/costs", json={"cost": bad}), 422)
    assert db_scalars(session, select(WorkOrderCost.amount)) == [Decimal("2.90")]


def test_labor_and_costs_of_another_entitys_work_order_are_404(api: Api, session: Session, tenant: Tenant) -> None:
    other = api.as_entity(make_entity(session, tenant))
    foreign = create_work_order(other, "Theirs")
    path = f"/work_orders/{foreign['id']}"
    error(api.get(f"{path}/time_entries"), 404)
    error(api.post(f"{path}/time_entries", json={"time_entry": {"started_at": "2025-07-17T08:00:00Z",
                                                                "duration": 1}}), 404)  # fmt: skip
    error(api.post(f"{path}/timer/start"), 404)
    error(api.get(f"{path}/costs"), 404)
    error(api.post(f"{path}/costs", json={"cost": {"description": "x", "amount": 1}}), 404)
