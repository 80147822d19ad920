"""Parts on work orders (documented ops 37-39) and the stock effects of status changes (DESIGN §6)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import db_get, db_rows, error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.work_orders.support import PART_ASSIGNMENT_KEYS, create_work_order, make_part, update_work_order
from wrenchwork.models import Part, PartTransaction, WorkOrder, WorkOrderPart


def stock(api: Api, part_id: int) -> tuple[float, float, float]:
    part = ok(api.get(f"/parts/{part_id}"))
    return part["on_hand_qty"], part["reserved"], part["available"]


def ledger(session: Session, part_id: int) -> list[tuple[str, Decimal, Decimal, int | None]]:
    stmt = (
        select(PartTransaction.type, PartTransaction.quantity, PartTransaction.cost, PartTransaction.work_order_id)
        .where(PartTransaction.part_id == part_id)
        .order_by(PartTransaction.id)
    )
    return [tuple(r) for r in db_rows(session, stmt)]  # type: ignore[misc]


def test_add_adds_patch_sets_and_delete_removes(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="6", avg="26.15")
    work_order = create_work_order(api)
    path = f"/work_orders/{work_order['id']}/parts"

    first = ok(api.post(path, json={"part_id": part_id, "quantity": 2}))

    assert set(first) == PART_ASSIGNMENT_KEYS
    assert first == {"part_id": part_id, "part_name": "Air Filter", "quantity": 2, "unit_name": "Item",
                     "unit_short_name": "itm", "type": "usage", "total_cost": 52.3}  # fmt: skip
    assert ok(api.post(path, json={"part_id": part_id, "quantity": 0.5}))["quantity"] == 2.5
    assert stock(api, part_id) == (6, 2.5, 3.5)
    assert ok(api.patch(path, json={"part_id": part_id, "quantity": 1}))["total_cost"] == 26.15
    assert stock(api, part_id) == (6, 1, 5)
    assert ok(api.get(f"/work_orders/{work_order['id']}"))["part_assignments"] == [
        {"part_id": part_id, "part_name": "Air Filter", "quantity": 1, "unit_name": "Item", "unit_short_name": "itm",
         "type": "usage", "total_cost": 26.15}
    ]  # fmt: skip

    response = api.delete(f"{path}/{part_id}")

    assert response.status_code == 204 and response.content == b""
    assert stock(api, part_id) == (6, 0, 6)
    assert ok(api.get(f"/work_orders/{work_order['id']}"))["part_assignments"] == []
    error(api.delete(f"{path}/{part_id}"), 404)
    error(api.patch(path, json={"part_id": part_id, "quantity": 1}), 404)


def test_invalid_assignments(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant)
    other = make_entity(session, tenant)
    foreign_part = make_part(session, tenant, name="Theirs", entity_id=other)
    work_order = create_work_order(api)
    path = f"/work_orders/{work_order['id']}/parts"

    assert "part_id" in error(api.post(path, json={"part_id": foreign_part, "quantity": 1}), 422)["errors"]
    error(api.post(path, json={"part_id": part_id, "quantity": -1}), 422)
    error(api.post(path, json={"part_id": part_id, "quantity": 1.0001}), 422)
    error(api.post(path, json={"part_id": part_id}), 422)
    error(api.post("/work_orders/999999/parts", json={"part_id": part_id, "quantity": 1}), 404)
    foreign_wo = create_work_order(api.as_entity(other), "Theirs")
    error(api.post(f"/work_orders/{foreign_wo['id']}/parts", json={"part_id": part_id, "quantity": 1}), 404)
    assert db_rows(session, select(WorkOrderPart.id)) == []


def test_completing_consumes_and_reopening_returns(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="6", avg="26.15")
    work_order = create_work_order(api)
    ok(api.post(f"/work_orders/{work_order['id']}/parts", json={"part_id": part_id, "quantity": 2}))

    done = update_work_order(api, work_order["id"], status_id=5)

    assert stock(api, part_id) == (4, 0, 4)
    assert done["part_assignments"][0]["total_cost"] == 52.3
    assert done["total_costs"]["parts"] == 52.3
    assert ledger(session, part_id)[1:] == [("usage", Decimal("2.000"), Decimal("26.15"), work_order["id"])]
    # Consumed: the assignment is frozen until the work order is reopened.
    body = {"part_id": part_id, "quantity": 1}
    error(api.post(f"/work_orders/{work_order['id']}/parts", json=body), 422)

    update_work_order(api, work_order["id"], status_id=2)

    assert stock(api, part_id) == (6, 2, 4)
    assert [line[0] for line in ledger(session, part_id)] == ["initial", "usage", "usage_return"]


def test_completing_with_too_little_stock_is_422_and_changes_nothing(
    api: Api, session: Session, tenant: Tenant
) -> None:
    short_id = make_part(session, tenant, name="Belt", on_hand="1", avg="10")
    enough_id = make_part(session, tenant, name="Bolt", on_hand="50", avg="0.2")
    work_order = create_work_order(api)
    for part_id, quantity in ((short_id, 3), (enough_id, 4)):
        ok(api.post(f"/work_orders/{work_order['id']}/parts", json={"part_id": part_id, "quantity": quantity}))

    response = api.patch(f"/work_orders/{work_order['id']}", json={"work_order": {"status_id": 5, "title": "New"}})

    body = error(response, 422)
    assert "Belt" in body["message"] and "Bolt" not in body["message"]
    assert len(body["errors"]["part_assignments"]) == 1
    row = db_get(session, WorkOrder, work_order["id"])
    assert row is not None and (row.status_id, row.base_status, row.title, row.completed_at) == (
        1, "open", work_order["title"], None,
    )  # fmt: skip
    assert [line[0] for line in ledger(session, enough_id)] == ["initial"]
    stored = db_get(session, Part, enough_id)
    assert stored is not None and stored.on_hand_qty == Decimal("50")


def test_cancelled_work_orders_reserve_nothing(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    work_order = create_work_order(api)
    ok(api.post(f"/work_orders/{work_order['id']}/parts", json={"part_id": part_id, "quantity": 2}))
    update_work_order(api, work_order["id"], status_id=4)
    assert stock(api, part_id) == (5, 0, 5)
    update_work_order(api, work_order["id"], status_id=3)
    assert stock(api, part_id) == (5, 2, 3)


def test_deleting_a_completed_work_order_returns_its_parts(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    work_order = create_work_order(api)
    ok(api.post(f"/work_orders/{work_order['id']}/parts", json={"part_id": part_id, "quantity": 2}))
    update_work_order(api, work_order["id"], status_id=5)

    assert api.delete(f"/work_orders/{work_order['id']}").status_code == 204

    assert stock(api, part_id) == (5, 0, 5)
    assert [(t, wo) for t, _, _, wo in ledger(session, part_id)] == [
        ("initial", None), ("usage", None), ("usage_return", None)
    ]  # fmt: skip
