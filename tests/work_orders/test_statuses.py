"""Custom work order statuses (extension): ids above the built-in ones, mapped behaviour, guarded changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import db_get, db_scalars, error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.work_orders.support import create_work_order, update_work_order
from wrenchwork.models import WorkOrder, WorkOrderStatus

STATUS_KEYS = {"id", "name", "is_custom", "base_status_id", "base_status", "created_at", "updated_at"}


def create_status(api: Api, name: str, base: int) -> dict[str, Any]:
    return ok(api.post("/work_order_statuses", json={"work_order_status": {"name": name, "base_status_id": base}}), 201)


def test_custom_statuses_take_ids_above_the_built_in_ones(api: Api, session: Session, tenant: Tenant) -> None:
    waiting = create_status(api, "Waiting for parts", 3)
    signed = create_status(api, "Signed off", 5)

    assert set(waiting) == STATUS_KEYS
    assert waiting["id"] >= 6 and signed["id"] > waiting["id"]
    assert (waiting["is_custom"], waiting["base_status_id"], waiting["base_status"]) == (True, 3, "on_hold")
    listed = api.get("/work_order_statuses").json()
    assert [s["id"] for s in listed["data"]] == [waiting["id"], signed["id"]]
    assert ok(api.get(f"/work_order_statuses/{waiting['id']}")) == waiting
    # Another entity's statuses are its own.
    other = api.as_entity(make_entity(session, tenant))
    error(other.get(f"/work_order_statuses/{waiting['id']}"), 404)
    assert other.get("/work_order_statuses").json()["data"] == []


def test_a_work_order_in_a_custom_status_behaves_like_its_base(api: Api, session: Session) -> None:
    signed = create_status(api, "Signed off", 5)
    waiting = create_status(api, "Waiting for parts", 3)

    done = create_work_order(api, status_id=signed["id"])

    assert done["status"] == {"id": signed["id"], "name": "Signed off", "is_custom": True}
    assert done["completed_at"] is not None
    row = db_get(session, WorkOrder, done["id"])
    assert row is not None and (row.status_id, row.base_status) == (signed["id"], "completed")

    held = update_work_order(api, done["id"], status_id=waiting["id"])
    assert held["status"] == {"id": waiting["id"], "name": "Waiting for parts", "is_custom": True}
    assert held["completed_at"] is None
    row = db_get(session, WorkOrder, done["id"])
    assert row is not None and row.base_status == "on_hold"
    # Renaming shows at once.
    ok(api.patch(f"/work_order_statuses/{waiting['id']}", json={"work_order_status": {"name": "Parts on order"}}))
    assert ok(api.get(f"/work_orders/{done['id']}"))["status"]["name"] == "Parts on order"
    listed = api.get("/work_orders", params={"filter[status_id_eq]": str(waiting["id"])}).json()["data"]
    assert [i["id"] for i in listed] == [done["id"]]


def test_a_status_of_another_entity_cannot_be_used(api: Api, session: Session, tenant: Tenant) -> None:
    other = api.as_entity(make_entity(session, tenant))
    foreign = create_status(other, "Theirs", 2)
    response = api.post("/work_orders", json={"work_order": {"title": "x", "status_id": foreign["id"]}})
    assert "work_order.status_id" in error(response, 422)["errors"]


def test_delete_and_base_change_are_refused_while_in_use(api: Api, session: Session) -> None:
    status = create_status(api, "Waiting", 3)
    created = create_work_order(api, status_id=status["id"])
    path = f"/work_order_statuses/{status['id']}"

    assert "1 work orders" in error(api.delete(path), 409)["message"]
    error(api.patch(path, json={"work_order_status": {"base_status_id": 5}}), 409)
    # The same base is no change.
    assert ok(api.patch(path, json={"work_order_status": {"base_status_id": 3}}))["base_status_id"] == 3

    update_work_order(api, created["id"], status_id=1)
    assert ok(api.patch(path, json={"work_order_status": {"base_status_id": 2}}))["base_status"] == "in_progress"
    response = api.delete(path)
    assert response.status_code == 204 and response.content == b""
    assert db_scalars(session, select(WorkOrderStatus.id)) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"name": "Open", "base_status_id": 1}, 409, id="built-in-name"),
        pytest.param({"name": "waiting", "base_status_id": 1}, 409, id="taken-ignoring-case"),
        pytest.param({"name": "X", "base_status_id": 6}, 422, id="base-not-built-in"),
        pytest.param({"name": "X"}, 422, id="base-missing"),
        pytest.param({"name": "", "base_status_id": 1}, 422, id="empty-name"),
        pytest.param({"name": "X", "base_status_id": "1"}, 422, id="base-not-int"),
    ],
)
def test_invalid_statuses(api: Api, session: Session, body: dict[str, Any], status: int) -> None:
    create_status(api, "Waiting", 3)
    error(api.post("/work_order_statuses", json={"work_order_status": body}), status)
    assert len(db_scalars(session, select(WorkOrderStatus.id))) == 1
