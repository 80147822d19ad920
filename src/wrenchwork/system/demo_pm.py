"""Demo PM schedules: one of each type and frequency, the published HVAC example among them, and a work order
already generated from it.

Made through the PM schedule service, like the rest of the demo through theirs, so next order dates follow the
same rules. Uses the demo's catalog, team, parts and procedure templates (loaded before this) where it finds them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.models import AccountCode, Asset, Category, Part, ProcedureTemplate, User, UserRole, Vendor
from wrenchwork.pm_schedules import service
from wrenchwork.pm_schedules.schemas import PmScheduleCreate
from wrenchwork.work_orders import service as work_orders
from wrenchwork.work_orders.schemas import WorkOrderCreate


def load_pm_schedules(session: Session, scope: Scope) -> str:
    refs = _References(session, scope.entity_id)
    today = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    schedules: list[dict[str, Any]] = [
        {
            # The published example.
            "type": "persistent", "start_date": "2025-02-18T12:00:00Z", "time_to_complete": 4,
            "repeat_frequency": "month", "on_week_days": [1], "in_months": [2, 7], "on_month_day": 18,
            "procedure_template_ids": refs.ids(ProcedureTemplate, 1),
            "template_work_order_attributes": {
                "title": "HVAC filter replacement",
                "description": "Replace air filters on all HVAC units, checking for proper airflow, belt condition, "
                "and coil cleanliness.",
                "priority": "high", "asset_id": refs.first(Asset, "Rooftop Air Handler"),
                "categories_ids": refs.named(Category, "HVAC", "Refrigeration"),
                "account_codes_ids": refs.ids(AccountCode, 1), "technicians_ids": refs.technicians(1),
                "vendors_ids": refs.named(Vendor, "Summit HVAC & Refrigeration"),
                "checklist": [{"text": "Inspect defrost drain for blockages"},
                              {"text": "Clear drain line with warm water"}],
                "parts": [{"part_id": part, "quantity": 2} for part in refs.ids(Part, 1)],
            },
        },
        {
            "type": "persistent", "start_date": (today + timedelta(hours=7)).isoformat(), "time_to_complete": 1,
            "repeat_frequency": "week", "on_week_days": [1, 4],
            "template_work_order_attributes": {"title": "Safety walk of the packaging line", "priority": "medium",
                                               "asset_id": refs.first(Asset, "Conveyor Line 1"),
                                               "technicians_ids": refs.technicians(2)},
        },
        {
            "type": "floating", "start_date": (today + timedelta(hours=9)).isoformat(), "time_to_complete": 8,
            "repeat_frequency": "season",
            "template_work_order_attributes": {"title": "Compressor oil and filter service", "priority": "low",
                                               "asset_id": refs.first(Asset, "Air Compressor")},
        },
        {
            "type": "persistent", "start_date": (today + timedelta(hours=6)).isoformat(), "time_to_complete": 2,
            "repeat_frequency": "hour", "repeat_interval": 4, "on_week_days": [1, 2, 3, 4, 5],
            "template_work_order_attributes": {"title": "Boiler pressure and water level reading",
                                               "asset_id": refs.first(Asset, "Steam Boiler")},
        },
        {
            "type": "one_time", "start_date": (today + timedelta(days=21, hours=10)).isoformat(),
            "time_to_complete": 48, "repeat_frequency": "day",
            "template_work_order_attributes": {"title": "Annual fire sprinkler inspection", "priority": "high"},
        },
        {
            "type": "persistent", "status": "paused", "start_date": (today + timedelta(hours=6)).isoformat(),
            "time_to_complete": 1, "repeat_frequency": "day", "repeat_interval": 2,
            "template_work_order_attributes": {"title": "Lubricate the dock leveler hinges",
                                               "asset_id": refs.first(Asset, "Dock Leveler")},
        },
    ]  # fmt: skip
    made = [service.create_pm_schedule(session, scope, PmScheduleCreate.model_validate(s)) for s in schedules]
    # The HVAC schedule's February work order, half done.
    hvac = service.read_pm_schedule(session, scope, made[0].id)["template_work_order"]
    work_orders.create_work_order(
        session, scope,
        WorkOrderCreate.model_validate({
            "title": hvac["title"], "description": hvac["description"], "priority": hvac["priority"],
            "type": "preventive", "pm_schedule_id": made[0].id, "status_id": 2,
            "asset_id": hvac["asset"]["id"] if hvac["asset"] else None,
            "due_date": datetime(today.year, 2, 18, 16, tzinfo=UTC),
            "technicians_ids": [t["id"] for t in hvac["technicians"]],
            "checklist": [item | {"checked": item["order"] == 1} for item in hvac["checklist"]],
        }),
    )  # fmt: skip
    return f"{len(made)} PM schedules"


class _References:
    """The demo records a schedule refers to, looked up by name (empty when the demo has none)."""

    def __init__(self, session: Session, entity_id: int) -> None:
        self.session = session
        self.entity_id = entity_id

    def named(self, model: Any, *names: str) -> list[int]:
        stmt = select(model.id).where(model.entity_id == self.entity_id, model.name.in_(names)).order_by(model.id)
        return list(self.session.scalars(stmt))

    def first(self, model: Any, name: str) -> int | None:
        found = self.named(model, name)
        return found[0] if found else None

    def ids(self, model: Any, count: int) -> list[int]:
        stmt = select(model.id).where(model.entity_id == self.entity_id).order_by(model.id).limit(count)
        return list(self.session.scalars(stmt))

    def technicians(self, count: int) -> list[int]:
        stmt = (
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.entity_id == self.entity_id, UserRole.role == "technician", User.can_be_assigned_to_wo)
            .order_by(User.id)
            .limit(count)
        )
        return list(self.session.scalars(stmt))
