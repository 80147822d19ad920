"""PM schedules: the template's title, its asset (by asset code or name), location (by path), categories and
vendors (by name), and the recurrence columns; matched on re-run by title and asset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wrenchwork.imports.resources.base import Importer, Outcome, split_list
from wrenchwork.models import Asset, Category, PmSchedule, PmTemplateWorkOrder, Vendor
from wrenchwork.pm_schedules import service
from wrenchwork.pm_schedules.schemas import PmScheduleCreate, PmScheduleUpdate

TEMPLATE = "template_work_order_attributes"
# Whole numbers the schemas take strictly (a JSON body's 5, never "5"): a cell is converted first.
NUMBERS = ("time_to_complete", "repeat_interval", "on_month_day")
NUMBER_LISTS = ("on_week_days", "in_months")


class PmScheduleImporter(Importer):
    resource = "pm_schedules"
    wrapper = "pm_schedule"
    synonyms = {
        "title": ("name", "template title", "work order title", "task"),
        "description": ("notes", "details", "instructions"),
        "priority": (),
        "type": ("schedule type", "pm type"),
        "status": (),
        "start_date": ("start", "starts", "first date", "start at"),
        "time_to_complete": ("hours to complete", "duration", "hours"),
        "repeat_frequency": ("frequency", "repeat", "every unit", "unit"),
        "repeat_interval": ("interval", "every"),
        "on_week_days": ("week days", "weekdays", "days"),
        "in_months": ("months",),
        "on_month_day": ("month day", "day of month"),
        "asset": ("asset name", "asset code", "equipment"),
        "location": ("location path", "location name", "site"),
        "categories": ("category",),
        "vendors": ("vendor", "supplier", "suppliers"),
    }
    plain = ("type", "status", "start_date", "repeat_frequency")
    sources = {
        "asset_id": "asset",
        "location_id": "location",
        "categories_ids": "categories",
        "vendors_ids": "vendors",
    }
    required = ("title",)

    def column_of(self, path: str) -> str:
        parts = path.split(".")
        if TEMPLATE in parts:
            parts = parts[parts.index(TEMPLATE) + 1 :]
            return self.sources.get(parts[0], parts[0]) if parts else "title"
        return super().column_of(path)

    def apply(self, values: dict[str, str]) -> Outcome:
        problems: list[tuple[str, str]] = []
        body: dict[str, Any] = self.body(values)
        for name in NUMBERS:
            if values.get(name) and (number := _number(values[name], name, problems)) is not None:
                body[name] = number
        for name in NUMBER_LISTS:
            if values.get(name):
                numbers = [_number(v, name, problems) for v in split_list(values[name])]
                body[name] = [n for n in numbers if n is not None]
        template: dict[str, Any] = {name: values[name] for name in ("title", "description") if values.get(name)}
        if values.get("priority"):
            template["priority"] = values["priority"].strip().lower()
        asset_id = None
        if values.get("asset"):
            key = values["asset"].strip()
            asset_id = self.repo.first_id(Asset, Asset.asset_code == key) or self.repo.first_id(
                Asset, Asset.name == key
            )
            if asset_id is None:
                problems.append(("asset", f"names no asset of this entity (by asset code or name): {key}"))
            template["asset_id"] = asset_id
        if values.get("location"):
            template["location_id"] = self.location_id(values["location"], "location", problems)
        if values.get("categories"):
            template["categories_ids"] = self.named_ids(
                Category, values["categories"], "categories", "category", problems
            )
        if values.get("vendors"):
            template["vendors_ids"] = self.named_ids(Vendor, values["vendors"], "vendors", "vendor", problems)
        body[TEMPLATE] = template
        existing = self.match(values.get("title", "").strip(), asset_id) if not problems else None
        if existing is not None:
            service.update_pm_schedule(
                self.session, self.scope, existing, self.validated(PmScheduleUpdate, body, problems)
            )
            return "updated"
        service.create_pm_schedule(self.session, self.scope, self.validated(PmScheduleCreate, body, problems))
        return "created"

    def match(self, title: str, asset_id: int | None) -> int | None:
        """The schedule a row updates: the oldest whose template has the same title and asset."""
        if not title:
            return None
        same_asset = (
            PmTemplateWorkOrder.asset_id.is_(None) if asset_id is None else PmTemplateWorkOrder.asset_id == asset_id
        )
        templates = select(PmTemplateWorkOrder.pm_schedule_id).where(PmTemplateWorkOrder.title == title, same_asset)
        return self.repo.first_id(PmSchedule, PmSchedule.id.in_(templates))


def _number(text: str, field: str, problems: list[tuple[str, str]]) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        problems.append((field, "must be a whole number"))
        return None
