"""Reservations and consumption (DESIGN §6) through parts/stock.py, with work orders made in the database.

The work-order endpoints call these same functions; here they run in a session like a request's, and the
results are read back through the part endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.parts.support import D, assert_ledger_matches, create_part, ledger
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.models import Part, WorkOrder, WorkOrderPart
from wrenchwork.parts import stock


def make_work_order(session: Session, entity_id: int, status: str = "open") -> int:
    order = WorkOrder(entity_id=entity_id, title="Replace filters", base_status=status)
    session.add(order)
    session.commit()
    return order.id


def in_session(session: Session, work: Callable[[Session], Any]) -> Any:
    """Runs `work` in one transaction, like a request: committed if it returns, rolled back if it raises."""
    session.expire_all()
    try:
        result = work(session)
    except Exception:
        session.rollback()
        raise
    session.commit()
    return result


def order(session: Session, order_id: int) -> WorkOrder:
    found = session.get(WorkOrder, order_id)
    assert found is not None
    return found


def set_status(session: Session, order_id: int, status: str) -> None:
    def change(db: Session) -> None:
        wo = order(db, order_id)
        if status == "completed":
            stock.consume(db, wo, None)
        elif wo.base_status == "completed":
            stock.restore(db, wo, None)
        wo.base_status = status

    in_session(session, change)


def assign(session: Session, order_id: int, part_id: int, quantity: str, add: bool = True) -> None:
    in_session(session, lambda db: stock.assign(db, order(db, order_id), part_id, Decimal(quantity), None, add))


def reserved(api: Api, part_id: int) -> tuple[Any, Any, Any]:
    part = ok(api.get(f"/parts/{part_id}"))
    return part["on_hand_qty"], part["reserved"], part["available"]


def test_open_work_orders_reserve(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api, on_hand_qty=6, unit_cost=26.15)
    first = make_work_order(session, tenant.entity_id)
    second = make_work_order(session, tenant.entity_id, "on_hold")
    assign(session, first, part["id"], "1")
    assert reserved(api, part["id"]) == (6, 1, 5)  # the published example: 6 on hand, 1 reserved, 5 available
    assign(session, first, part["id"], "0.5")  # POST adds to the existing assignment
    assign(session, second, part["id"], "2")
    assert reserved(api, part["id"]) == (6, 3.5, 2.5)
    assign(session, second, part["id"], "7", add=False)  # PATCH sets it: available goes negative (a shortage)
    assert reserved(api, part["id"]) == (6, 8.5, -2.5)
    [item] = ok(api.get("/parts"))
    assert item["available"] == -2.5
    # Cancelled work orders reserve nothing; nothing was consumed.
    set_status(session, second, "cancelled")
    assert reserved(api, part["id"]) == (6, 1.5, 4.5)
    in_session(session, lambda db: stock.remove(db, order(db, first), part["id"]))
    assert reserved(api, part["id"]) == (6, 0, 6)
    assert [t.type for t in ledger(session, part["id"])] == ["initial"]


def test_reserved_quantity_counts_only_open_work_orders(api: Api, session: Session, tenant: Tenant) -> None:
    a, b, c = (create_part(api, name) for name in ("A", "B", "C"))
    wo = make_work_order(session, tenant.entity_id)
    done = make_work_order(session, tenant.entity_id, "completed")
    assign(session, wo, a["id"], "2")
    assign(session, wo, b["id"], "0.25")
    session.add(WorkOrderPart(entity_id=tenant.entity_id, work_order_id=done, part_id=c["id"], quantity=D(5)))
    session.commit()
    stmt = select(Part.id, stock.reserved_quantity(Part.id)).where(Part.id.in_([a["id"], b["id"], c["id"]]))
    assert dict(session.execute(stmt).all()) == {a["id"]: D(2), b["id"]: D("0.25"), c["id"]: D(0)}
    session.commit()
    assert [reserved(api, part["id"]) for part in (a, b, c)] == [(0, 2, -2), (0, 0.25, -0.25), (0, 0, 0)]


def test_completion_consumes_at_the_average_cost(api: Api, session: Session, tenant: Tenant) -> None:
    filt = create_part(api, "Air Filter", on_hand_qty=6, unit_cost=26.15)
    belt = create_part(api, "Belt", on_hand_qty=2, unit_cost=10)
    ok(api.patch(f"/parts/{belt['id']}/restock", json={"quantity": 2, "cost": 12}))  # avg 11
    wo = make_work_order(session, tenant.entity_id, "in_progress")
    assign(session, wo, filt["id"], "2")
    assign(session, wo, belt["id"], "1.5")
    set_status(session, wo, "completed")
    assert reserved(api, filt["id"]) == (4, 0, 4)
    assert reserved(api, belt["id"]) == (2.5, 0, 2.5)
    usage = ledger(session, belt["id"])[-1]
    assert (usage.type, usage.quantity, usage.cost, usage.total_cost, usage.work_order_id) == (
        "usage", D("1.5"), D(11), D("16.5"), wo
    )  # fmt: skip
    # The assignment shapes freeze the cost: a later restock at another cost does not change them.
    ok(api.patch(f"/parts/{belt['id']}/restock", json={"quantity": 10, "cost": 20}))
    shapes = stock.assignments_of(session, [wo])[wo]
    session.commit()
    assert shapes == [
        {"part_id": filt["id"], "part_name": "Air Filter", "quantity": D(2), "unit_name": None,
         "unit_short_name": None, "type": "usage", "total_cost": D("52.30")},
        {"part_id": belt["id"], "part_name": "Belt", "quantity": D("1.5"), "unit_name": None,
         "unit_short_name": None, "type": "usage", "total_cost": D("16.50")},
    ]  # fmt: skip
    for part in (filt, belt):
        assert_ledger_matches(session, part["id"])
    # The parts of a completed work order cannot change until it is reopened.
    with pytest.raises(Unprocessable):
        assign(session, wo, filt["id"], "1")


def test_completion_with_too_little_stock_is_422_and_changes_nothing(
    api: Api, session: Session, tenant: Tenant
) -> None:
    enough = create_part(api, "Enough", on_hand_qty=5)
    short = create_part(api, "Short", on_hand_qty=1)
    shorter = create_part(api, "Shorter")
    wo = make_work_order(session, tenant.entity_id)
    for part, quantity in ((enough, "5"), (short, "1.001"), (shorter, "2")):
        assign(session, wo, part["id"], quantity)
    with pytest.raises(Unprocessable) as failure:
        set_status(session, wo, "completed")
    assert failure.value.errors == {
        "part_assignments": [
            f"Short (id {short['id']}): needs 1.001, on hand 1",
            f"Shorter (id {shorter['id']}): needs 2, on hand 0",
        ]
    }
    assert order(session, wo).base_status == "open"
    session.commit()
    for part in (enough, short, shorter):
        assert len(ledger(session, part["id"])) == 1
    assert reserved(api, enough["id"]) == (5, 5, 0)
    consumed = session.scalars(select(WorkOrderPart.consumed_unit_cost).where(WorkOrderPart.work_order_id == wo))
    assert set(consumed) == {None}
    session.commit()


def test_reopening_returns_the_parts(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api, on_hand_qty=4, unit_cost=8)
    wo = make_work_order(session, tenant.entity_id)
    assign(session, wo, part["id"], "3")
    set_status(session, wo, "completed")
    ok(api.patch(f"/parts/{part['id']}/avg_unit_cost", json={"cost": 9}))
    set_status(session, wo, "in_progress")
    assert reserved(api, part["id"]) == (4, 3, 1)
    lines = ledger(session, part["id"])
    assert [(t.type, t.quantity, t.cost, t.work_order_id) for t in lines[-3:]] == [
        ("usage", D(3), D(8), wo), ("avg_cost_update", D(0), D(9), None), ("usage_return", D(3), D(8), wo)
    ]  # fmt: skip
    # Completing again consumes at the average cost of that moment.
    set_status(session, wo, "completed")
    assert ledger(session, part["id"])[-1].cost == D(9)
    assert assert_ledger_matches(session, part["id"]).on_hand_qty == D(1)
    totals = ok(api.get(f"/parts/{part['id']}/transactions"))
    assert len(totals) == 5


def test_non_stock_parts_are_never_short(api: Api, session: Session, tenant: Tenant) -> None:
    service_call = create_part(api, "Service call", is_non_stock=True, unit_cost=80)
    wo = make_work_order(session, tenant.entity_id)
    assign(session, wo, service_call["id"], "2")
    set_status(session, wo, "completed")
    assert [t.type for t in ledger(session, service_call["id"])] == ["initial"]
    shapes = stock.assignments_of(session, [wo])[wo]
    session.commit()
    assert shapes[0]["total_cost"] == D(160)


def test_assignment_rules(api: Api, session: Session, tenant: Tenant) -> None:
    wo = make_work_order(session, tenant.entity_id)
    elsewhere = api.as_entity(make_entity(session, tenant))
    foreign = create_part(elsewhere, "Foreign")
    with pytest.raises(Unprocessable):
        assign(session, wo, foreign["id"], "1")
    part = create_part(api)
    with pytest.raises(Unprocessable):
        assign(session, wo, part["id"], "-1")
    with pytest.raises(NotFound):
        assign(session, wo, part["id"], "1", add=False)
    with pytest.raises(NotFound):
        in_session(session, lambda db: stock.remove(db, order(db, wo), part["id"]))


def test_a_part_on_a_work_order_cannot_be_deleted(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api)
    wo = make_work_order(session, tenant.entity_id)
    assign(session, wo, part["id"], "1")
    body = error(api.delete(f"/parts/{part['id']}"), 409)
    assert body["message"] == "Part is still referenced by 1 work order"
