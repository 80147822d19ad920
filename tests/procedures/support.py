"""Work orders made straight in the database, and procedures attached through the service the work-order
endpoints use, so these tests depend only on the procedure endpoints."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from wrenchwork.models import WorkOrder
from wrenchwork.procedures.service import instantiate

HVAC_ITEMS: list[dict[str, Any]] = [
    {"name": "Inspection Type", "item_type": "multiple_choice", "options": {"choices": ["Routine", "Emergency"]}},
    {"name": "Supply air temperature", "item_type": "meter_reading", "options": {"unit": "°F", "min": 30, "max": 120}},
    {"name": "Filter replaced", "item_type": "checkbox"},
    {"name": "Belt tension OK", "item_type": "yes_no"},
    {"name": "Notes", "item_type": "text", "options": {"required": False}},
]


def create_template(api: Api, name: str = "HVAC monthly", items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body = {"name": name, "description": "Monthly check", "items_attributes": HVAC_ITEMS if items is None else items}
    return ok(api.post("/procedure_templates", json={"procedure_template": body}), 201)


def make_work_order(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> WorkOrder:
    values: dict[str, Any] = {
        "title": "Inspect AHU",
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }
    work_order = WorkOrder(entity_id=entity_id or tenant.entity_id, **(values | fields))
    session.add(work_order)
    session.flush()
    return work_order


def attach(
    session: Session, tenant: Tenant, template_ids: list[int], entity_id: int | None = None
) -> tuple[int, list[int]]:
    """A new work order with procedures from `template_ids`; returns (work order id, procedure ids)."""
    work_order = make_work_order(session, tenant, entity_id)
    procedures = instantiate(session, work_order, template_ids)
    session.commit()
    return work_order.id, [p.id for p in procedures]
