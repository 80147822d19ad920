"""Shapes from the published work order examples and small factories shared by the work order tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from wrenchwork.models import MeasurementUnit, Part, PartTransaction

# Key sets of the documented examples (spec/clickmaint-api-examples.txt).
WORK_ORDER_DETAIL_KEYS = {
    "id", "title", "description", "priority", "type", "pm_schedule_id", "procedures", "checklist", "status",
    "work_order_request", "asset", "downtime_tracking", "categories", "account_codes", "technicians", "vendors",
    "notify_vendors_on_create", "notify_vendors_on_update", "location", "part_assignments", "due_date",
    "completed_at", "total_costs", "active_timer_current_user", "images", "documents", "created_at", "updated_at",
    "created_by", "updated_by",
}  # fmt: skip
DETAIL_ONLY = {
    "procedures", "checklist", "work_order_request", "notify_vendors_on_create", "notify_vendors_on_update",
    "part_assignments", "total_costs", "images", "documents",
}  # fmt: skip
WORK_ORDER_LIST_KEYS = (WORK_ORDER_DETAIL_KEYS - DETAIL_ONLY) | {"work_order_request_id", "comments_count"}
# The documented key order of each shape (the examples list them in this order).
DETAIL_ORDER = [
    "id", "title", "description", "priority", "type", "pm_schedule_id", "procedures", "checklist", "status",
    "work_order_request", "asset", "downtime_tracking", "categories", "account_codes", "technicians", "vendors",
    "notify_vendors_on_create", "notify_vendors_on_update", "location", "part_assignments", "due_date",
    "completed_at", "total_costs", "active_timer_current_user", "images", "documents", "created_at", "updated_at",
    "created_by", "updated_by",
]  # fmt: skip
LIST_ORDER = [
    "id", "title", "description", "priority", "type", "work_order_request_id", "pm_schedule_id", "status",
    "comments_count", "asset", "downtime_tracking", "categories", "account_codes", "technicians", "vendors",
    "location", "due_date", "completed_at", "active_timer_current_user", "created_at", "updated_at", "created_by",
    "updated_by",
]  # fmt: skip
PART_ASSIGNMENT_KEYS = {"part_id", "part_name", "quantity", "unit_name", "unit_short_name", "type", "total_cost"}
OPEN = {"id": 1, "name": "open", "is_custom": False}
COMPLETED = {"id": 5, "name": "completed", "is_custom": False}


def create_work_order(api: Api, title: str = "Fix water leakage in Freezer", **fields: Any) -> dict[str, Any]:
    return ok(api.post("/work_orders", json={"work_order": {"title": title, **fields}}), 201)


def update_work_order(api: Api, work_order_id: int, **fields: Any) -> dict[str, Any]:
    return ok(api.patch(f"/work_orders/{work_order_id}", json={"work_order": fields}))


def make_part(
    session: Session, tenant: Tenant, name: str = "Air Filter", on_hand: str = "10", avg: str = "26.15", **extra: Any
) -> int:
    """A part with stock, its ledger started the way the parts API starts it (an `initial` line)."""
    entity_id = extra.pop("entity_id", tenant.entity_id)
    unit = session.scalars(
        select(MeasurementUnit).where(MeasurementUnit.entity_id == entity_id, MeasurementUnit.name == "Item")
    ).first()
    if unit is None:
        unit = MeasurementUnit(entity_id=entity_id, name="Item", short_name="itm")
        session.add(unit)
        session.flush()
    part = Part(
        entity_id=unit.entity_id, name=name, on_hand_qty=Decimal(on_hand), unit_cost=Decimal(avg),
        avg_unit_cost=Decimal(avg), measurement_unit_id=unit.id, **extra,
    )  # fmt: skip
    session.add(part)
    session.flush()
    session.add(
        PartTransaction(
            entity_id=part.entity_id, part_id=part.id, type="initial", quantity=Decimal(on_hand),
            cost=Decimal(avg), total_cost=(Decimal(on_hand) * Decimal(avg)).quantize(Decimal("0.01")),
        )
    )  # fmt: skip
    session.commit()
    return part.id
