"""The published PM schedule example (spec/clickmaint-api-examples.txt, ops 21 and 22) rebuilt through the API,
and small helpers shared by the PM schedule tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant, make_user
from tests.work_orders.support import make_part

# The key order of each documented shape (the examples list them in this order).
DETAIL_ORDER = [
    "id", "status", "type", "start_date", "time_to_complete", "next_order_date", "next_due_date",
    "repeat_frequency", "repeat_occurrence", "on_week_days", "in_months", "on_month_day", "procedure_templates",
    "template_work_order", "has_work_orders", "has_uncompleted_wo", "progression", "last_active_work_order_id",
    "last_active_work_order_title", "created_at", "updated_at", "created_by_id", "updated_by_id",
]  # fmt: skip
LIST_ORDER = [
    "id", "status", "type", "start_date", "time_to_complete", "next_order_date", "next_due_date",
    "repeat_frequency", "repeat_occurrence", "on_week_days", "in_months", "on_month_day", "template_work_order",
    "has_uncompleted_wo", "progression", "created_at", "updated_at", "created_by", "updated_by",
]  # fmt: skip
TEMPLATE_DETAIL_ORDER = [
    "id", "title", "description", "priority", "checklist", "asset", "categories", "account_codes", "technicians",
    "vendors", "location", "part_assignments", "images", "documents", "created_at", "updated_at", "created_by",
    "updated_by",
]  # fmt: skip
TEMPLATE_LIST_ORDER = [
    "id", "title", "description", "priority", "asset", "categories", "account_codes", "technicians", "vendors",
    "location", "created_at", "updated_at", "created_by", "updated_by",
]  # fmt: skip

# The clock of the published example's answer: after the February order of 2026, before July's.
SEED_NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DESCRIPTION = (
    "Replace air filters on all HVAC units, checking for proper airflow, belt condition, and coil cleanliness."
)


@dataclass
class Seed:
    """The records the published example refers to, made in the tenant's entity."""

    asset_id: int
    location_id: int
    category_id: int
    account_code_id: int
    technician_id: int
    vendor_id: int
    contact_id: int
    part_id: int
    procedure_template_id: int

    def body(self, **overrides: Any) -> dict[str, Any]:
        """The create body that gives the published example."""
        schedule: dict[str, Any] = {
            "type": "persistent",
            "status": "planned",
            "start_date": "2025-02-18T12:00:00.000Z",
            "time_to_complete": 4,
            "repeat_frequency": "month",
            "repeat_occurrence": "custom",
            "on_week_days": [1],
            "in_months": [2, 7],
            "on_month_day": 18,
            "procedure_template_ids": [self.procedure_template_id],
            "template_work_order_attributes": {
                "title": "HVAC filter replacement",
                "description": DESCRIPTION,
                "priority": "high",
                "asset_id": self.asset_id,
                "location_id": self.location_id,
                "categories_ids": [self.category_id],
                "account_codes_ids": [self.account_code_id],
                "technicians_ids": [self.technician_id],
                "vendors_ids": [self.vendor_id],
                "checklist": [
                    {"text": "Inspect defrost drain for blockages", "order": 1},
                    {"text": "Clear drain line with warm water", "order": 2},
                ],
                "parts": [{"part_id": self.part_id, "quantity": 2}],
            },
        }
        schedule.update(overrides)
        return {"pm_schedule": schedule}


def seed(api: Api, session: Session, tenant: Tenant) -> Seed:
    building = ok(api.post("/locations", json={"location": {"name": "Building A"}}), 201)
    room = ok(
        api.post("/locations", json={"location": {"name": "Main Conference Room", "parent_id": building["id"]}}), 201
    )
    asset = ok(api.post("/assets", json={"asset": {"name": "Freezer"}}), 201)
    category = ok(api.post("/categories", json={"category": {"name": "Refrigeration"}}), 201)
    code = ok(api.post("/account_codes", json={"account_code": {"name": "Emergency Repairs"}}), 201)
    technician, _ = make_user(session, tenant, name="John", surname="Doe")
    contact = {"name": "Robert Smith", "email": "robert_smith@example.com", "phone": "1-493-480-9163",
               "extension": "989", "is_primary": True}  # fmt: skip
    vendor = ok(api.post("/vendors", json={"vendor": {"name": "Summit HVAC & Refrigeration",
                                                      "vendor_contacts_attributes": [contact]}}), 201)  # fmt: skip
    part = make_part(session, tenant, name="Air Filter", on_hand="10", avg="26.15")
    procedure = ok(
        api.post("/procedure_templates", json={"procedure_template": {"name": "Building Maintenance Audit"}}), 201
    )
    return Seed(
        asset_id=asset["id"],
        location_id=room["id"],
        category_id=category["id"],
        account_code_id=code["id"],
        technician_id=technician,
        vendor_id=vendor["id"],
        contact_id=vendor["vendor_contacts"][0]["id"],
        part_id=part,
        procedure_template_id=procedure["id"],
    )


def create_schedule(api: Api, title: str = "Lubricate conveyor", **fields: Any) -> dict[str, Any]:
    """The smallest valid schedule (daily from 2026-01-05 08:00 UTC), with `fields` added or replaced."""
    template = fields.pop("template", {})
    body = {
        "type": "persistent",
        "start_date": "2026-01-05T08:00:00Z",
        "time_to_complete": 2,
        "repeat_frequency": "day",
        "template_work_order_attributes": {"title": title, **template},
        **fields,
    }
    return ok(api.post("/pm_schedules", json={"pm_schedule": body}), 201)
