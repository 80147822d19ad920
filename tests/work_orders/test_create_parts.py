"""`work_order.parts` on create (extension): the rules of `POST /work_orders/{id}/parts`, in one transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import db_rows, db_scalars, error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.work_orders.support import create_work_order, make_part
from wrenchwork.models import Part, PartTransaction, WorkOrder, WorkOrderPart


def stock(api: Api, part_id: int) -> tuple[float, float, float]:
    part = ok(api.get(f"/parts/{part_id}"))
    return part["on_hand_qty"], part["reserved"], part["available"]


def ledger(session: Session, part_id: int) -> list[tuple[str, Decimal, int | None]]:
    stmt = (
        select(PartTransaction.type, PartTransaction.quantity, PartTransaction.work_order_id)
        .where(PartTransaction.part_id == part_id)
        .order_by(PartTransaction.id)
    )
    return [tuple(r) for r in db_rows(session, stmt)]  # type: ignore[misc]


def nothing_created(api: Api, session: Session) -> None:
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [0]
    assert db_scalars(session, select(func.count()).select_from(WorkOrderPart)) == [0]
    assert ok(api.get("/work_orders")) == []
    assert api.get("/work_orders").json()["meta"]["pagination"]["total"] == 0


def test_parts_are_assigned_and_reserved_like_the_parts_endpoint(api: Api, session: Session, tenant: Tenant) -> None:
    filter_id = make_part(session, tenant, name="Air Filter", on_hand="6", avg="26.15")
    belt_id = make_part(session, tenant, name="Belt", on_hand="4", avg="10")
    parts = [{"part_id": filter_id, "quantity": 2}, {"part_id": belt_id, "quantity": 1.5}]

    created = create_work_order(api, parts=parts)

    assert created["part_assignments"] == [
        {"part_id": filter_id, "part_name": "Air Filter", "quantity": 2, "unit_name": "Item",
         "unit_short_name": "itm", "type": "usage", "total_cost": 52.3},
        {"part_id": belt_id, "part_name": "Belt", "quantity": 1.5, "unit_name": "Item", "unit_short_name": "itm",
         "type": "usage", "total_cost": 15},
    ]  # fmt: skip
    assert created["total_costs"] == {"labor": 0, "other": 0, "parts": 67.3, "total": 67.3}
    assert stock(api, filter_id) == (6, 2, 4)
    assert stock(api, belt_id) == (4, 1.5, 2.5)
    # Reserved, not used: the ledger has only the opening lines.
    assert ledger(session, filter_id) == [("initial", Decimal("6.000"), None)]
    # The same as assigning them through the parts endpoint afterwards.
    other = create_work_order(api, "Second")
    for part in parts:
        ok(api.post(f"/work_orders/{other['id']}/parts", json=part))
    assert ok(api.get(f"/work_orders/{other['id']}"))["part_assignments"] == created["part_assignments"]
    assert stock(api, filter_id) == (6, 4, 2)


def test_a_part_listed_twice_is_assigned_the_sum(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="10", avg="1")

    created = create_work_order(api, parts=[{"part_id": part_id, "quantity": 2}, {"part_id": part_id, "quantity": 0.5}])

    assert [(a["part_id"], a["quantity"]) for a in created["part_assignments"]] == [(part_id, 2.5)]
    assert db_scalars(session, select(WorkOrderPart.quantity)) == [Decimal("2.500")]
    assert stock(api, part_id) == (10, 2.5, 7.5)


def test_an_empty_list_assigns_nothing(api: Api) -> None:
    assert create_work_order(api, parts=[])["part_assignments"] == []


def test_created_completed_uses_the_parts_up(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="6", avg="26.15")

    created = create_work_order(api, status_id=5, parts=[{"part_id": part_id, "quantity": 2}])

    assert created["status"]["name"] == "completed"
    assert created["part_assignments"][0]["total_cost"] == 52.3
    assert stock(api, part_id) == (4, 0, 4)
    assert ledger(session, part_id) == [
        ("initial", Decimal("6.000"), None), ("usage", Decimal("2.000"), created["id"])
    ]  # fmt: skip


def test_created_cancelled_reserves_nothing(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="6")

    created = create_work_order(api, status_id=4, parts=[{"part_id": part_id, "quantity": 2}])

    assert created["part_assignments"][0]["quantity"] == 2
    assert stock(api, part_id) == (6, 0, 6)


def test_created_completed_with_too_little_stock_is_422_and_creates_nothing(
    api: Api, session: Session, tenant: Tenant
) -> None:
    short_id = make_part(session, tenant, name="Belt", on_hand="1", avg="10")
    enough_id = make_part(session, tenant, name="Bolt", on_hand="50", avg="0.2")
    parts = [{"part_id": enough_id, "quantity": 4}, {"part_id": short_id, "quantity": 3}]

    body = error(api.post("/work_orders", json={"work_order": {"title": "T", "status_id": 5, "parts": parts}}), 422)

    assert body["errors"] == {"part_assignments": [f"Belt (id {short_id}): needs 3, on hand 1"]}
    nothing_created(api, session)
    assert ledger(session, enough_id) == [("initial", Decimal("50.000"), None)]
    stored = db_rows(session, select(Part.on_hand_qty).where(Part.id == enough_id))
    assert stored[0][0] == Decimal("50")


def test_a_part_of_another_entity_or_none_at_all_is_422_naming_its_index(
    api: Api, session: Session, tenant: Tenant
) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    foreign_part = make_part(session, tenant, name="Theirs", entity_id=make_entity(session, tenant))

    for bad in (foreign_part, 999_999):
        parts = [{"part_id": part_id, "quantity": 1}, {"part_id": bad, "quantity": 1}]
        body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": parts}}), 422)

        assert body == {
            "status": "error",
            "message": "work_order.parts.1.part_id is not a part of this entity",
            "errors": {"work_order.parts.1.part_id": ["is not a part of this entity"]},
        }
        nothing_created(api, session)
        assert stock(api, part_id) == (5, 0, 5)


def test_a_bad_quantity_is_422_naming_its_index(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    for quantity in (-1, 1.0001, "lots", None, 1e15):
        parts = [{"part_id": part_id, "quantity": 1}, {"part_id": part_id, "quantity": quantity}]

        body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": parts}}), 422)

        assert list(body["errors"]) == ["work_order.parts.1.quantity"], quantity
    body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": [{"part_id": part_id}]}}), 422)
    assert body["errors"] == {"work_order.parts.0.quantity": ["is required"]}
    extra = [{"part_id": part_id, "quantity": 1, "cost": 3}]
    body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": extra}}), 422)
    assert body["errors"] == {"work_order.parts.0.cost": ["is not a known field"]}
    nothing_created(api, session)


def test_a_sum_over_the_quantity_limit_is_422_naming_the_entry_that_passes_it(
    api: Api, session: Session, tenant: Tenant
) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    parts = [{"part_id": part_id, "quantity": 999_999_999}, {"part_id": part_id, "quantity": 1}]

    body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": parts}}), 422)

    assert body["errors"] == {"work_order.parts.1.quantity": ["would make the assigned quantity over the limit of 1e9"]}
    nothing_created(api, session)


def test_at_most_200_parts(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    parts = [{"part_id": part_id, "quantity": 0}] * 201

    body = error(api.post("/work_orders", json={"work_order": {"title": "T", "parts": parts}}), 422)

    assert list(body["errors"]) == ["work_order.parts"]
    nothing_created(api, session)


def test_parts_are_not_an_update_field(api: Api, session: Session, tenant: Tenant) -> None:
    part_id = make_part(session, tenant, on_hand="5")
    work_order = create_work_order(api)

    parts = [{"part_id": part_id, "quantity": 1}]
    response = api.patch(f"/work_orders/{work_order['id']}", json={"work_order": {"parts": parts}})

    assert error(response, 422)["errors"] == {"work_order.parts": ["is not a known field"]}
    assert stock(api, part_id) == (5, 0, 5)
