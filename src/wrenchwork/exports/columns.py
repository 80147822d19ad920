"""Each exportable list: the service's list function and, for one list item, the import's columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orjson import Fragment, dumps, loads
from sqlalchemy.orm import Session

from wrenchwork.assets.listing import ASSET_LIST
from wrenchwork.assets.service import list_assets
from wrenchwork.core.auth import ROLES, TECHNICIAN_ROLES, EntityScope, Scope
from wrenchwork.core.listing import ListQuery, ListSpec
from wrenchwork.core.tree import PATH_SEPARATOR
from wrenchwork.locations.listing import LOCATION_LIST
from wrenchwork.locations.service import list_locations
from wrenchwork.parts.listing import PART_LIST
from wrenchwork.parts.service import list_parts
from wrenchwork.pm_schedules.listing import PM_SCHEDULE_LIST
from wrenchwork.pm_schedules.service import export_pm_schedules
from wrenchwork.users.listing import USER_LIST
from wrenchwork.users.service import list_users
from wrenchwork.vendors.listing import VENDOR_LIST
from wrenchwork.vendors.service import list_vendors
from wrenchwork.work_order_requests.listing import REQUEST_LIST
from wrenchwork.work_order_requests.service import list_requests
from wrenchwork.work_orders.listing import WORK_ORDER_LIST
from wrenchwork.work_orders.service import list_work_orders

ANY_ROLE = EntityScope(*ROLES)
Lister = Callable[[Session, Scope, ListQuery], tuple[list[Any], Any]]


@dataclass(frozen=True)
class Export:
    spec: ListSpec
    lister: Lister
    columns: tuple[str, ...]
    row: Callable[[dict[str, Any], Scope], dict[str, Any]]  # a list item -> the import's columns
    caller: EntityScope = ANY_ROLE  # who may export: whoever may read the list


def item_of(item: Any) -> dict[str, Any]:
    """A list item as a dict (lists rendered by the database hand back JSON fragments)."""
    if isinstance(item, Fragment):
        parsed: dict[str, Any] = loads(dumps(item))
        return parsed
    return dict(item)


def _names(refs: list[dict[str, Any]] | None) -> str:
    return "; ".join(ref["name"] for ref in refs or [])


def _location(item: dict[str, Any], _scope: Scope) -> dict[str, Any]:
    above = item["path"].split(PATH_SEPARATOR)[:-1]
    return {
        "name": item["name"], "parent": PATH_SEPARATOR.join(above), "description": item["description"],
        "address": item["address"], "qr_code": item["qr_code"],
    }  # fmt: skip


ASSET_COLUMNS = (
    "name", "asset_code", "description", "model", "manufacturer", "serial_number", "purchase_date",
    "warranty_exp_date", "warranty_expiration_notification", "life_expectancy", "purchase_cost", "replacement_cost",
    "salvage_value",
)  # fmt: skip


def _asset(item: dict[str, Any], _scope: Scope) -> dict[str, Any]:
    row = {name: item.get(name) for name in ASSET_COLUMNS}
    row |= {
        "location": (item.get("location") or {}).get("path"),
        "parent": (item.get("parent") or {}).get("name"),
        "asset_types": _names(item.get("asset_types")),
        "vendors": _names(item.get("vendors")),
        "qr_code": item.get("qr_code"),
    }
    return row


PART_COLUMNS = ("name", "number", "description", "min_qty", "desired_qty", "area", "lead_time", "on_hand_qty",
                "unit_cost", "is_non_stock")  # fmt: skip


def _part(item: dict[str, Any], _scope: Scope) -> dict[str, Any]:
    row = {name: item.get(name) for name in PART_COLUMNS}
    row |= {
        "part_type": (item.get("part_type") or {}).get("name"),
        "storeroom": (item.get("storeroom") or {}).get("name"),
        "measurement_unit": (item.get("measurement_unit") or {}).get("name"),
        "assets": _names(item.get("assets")),
        "qr_code": item.get("qr_code"),
    }
    return row


VENDOR_COLUMNS = ("name", "description", "is_active", "assign_to_work_orders", "parts_supplier", "tax_id", "address",
                  "rating", "hourly_rate")  # fmt: skip


def _vendor(item: dict[str, Any], _scope: Scope) -> dict[str, Any]:
    return {name: item.get(name) for name in VENDOR_COLUMNS}


USER_COLUMNS = ("name", "surname", "email", "phone_number", "job_title", "language", "status",
                "can_be_assigned_to_wo", "regular_rate", "overtime_rate1", "overtime_rate2")  # fmt: skip


def _user(item: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The user's role is the one in the exporting entity (an import gives the role in its own)."""
    roles = [p["role"] for p in item.get("permissions") or [] if p["entity_id"] == scope.entity_id]
    return {name: item.get(name) for name in USER_COLUMNS} | {"role": roles[0] if roles else None}


PM_COLUMNS = ("title", "description", "priority", "type", "status", "start_date", "time_to_complete",
              "repeat_frequency", "repeat_interval", "on_week_days", "in_months", "on_month_day", "asset", "location",
              "categories", "vendors")  # fmt: skip


def _pm_schedule(item: dict[str, Any], _scope: Scope) -> dict[str, Any]:
    template = item["template_work_order"] or {}
    row = {name: item.get(name) for name in PM_COLUMNS}
    row |= {name: template.get(name) for name in ("title", "description", "priority")}
    row |= {
        "on_week_days": "; ".join(str(d) for d in item.get("on_week_days") or []),
        "in_months": "; ".join(str(m) for m in item.get("in_months") or []),
        "asset": (template.get("asset") or {}).get("name"),
        "location": (template.get("location") or {}).get("path"),
        "categories": _names(template.get("categories")),
        "vendors": _names(template.get("vendors")),
    }
    return row


def _cell(value: Any) -> Any:
    """A reference as a spreadsheet shows it: a path or a name (a person's full name); a list of them joined."""
    if isinstance(value, list):
        return "; ".join(str(_cell(v)) for v in value)
    if isinstance(value, dict):
        if value.get("path"):
            return value["path"]
        return " ".join(str(value[k]) for k in ("name", "surname") if value.get(k)) or value.get("id")
    return value


def _flat(columns: tuple[str, ...]) -> Callable[[dict[str, Any], Scope], dict[str, Any]]:
    """The list item's own columns, references by name: for lists no import reads back (yet)."""
    return lambda item, _scope: {name: _cell(item.get(name)) for name in columns}


WORK_ORDER_COLUMNS = (
    "id", "title", "description", "priority", "type", "status", "asset", "location", "categories", "account_codes",
    "technicians", "vendors", "due_date", "completed_at", "pm_schedule_id", "work_order_request_id", "comments_count",
    "created_at", "updated_at", "created_by", "updated_by",
)  # fmt: skip
REQUEST_COLUMNS = (
    "id", "title", "description", "status", "priority", "work_order_id", "asset", "location", "categories",
    "technicians", "vendors", "due_date", "completed_at", "comments_count", "created_at", "updated_at", "created_by",
    "updated_by",
)  # fmt: skip

EXPORTS: dict[str, Export] = {
    "locations": Export(
        LOCATION_LIST, list_locations, ("name", "parent", "description", "address", "qr_code"), _location
    ),
    "assets": Export(
        ASSET_LIST, list_assets, (*ASSET_COLUMNS, "location", "parent", "asset_types", "vendors", "qr_code"), _asset
    ),
    "parts": Export(
        PART_LIST, list_parts, (*PART_COLUMNS, "part_type", "storeroom", "measurement_unit", "assets", "qr_code"), _part
    ),
    "vendors": Export(VENDOR_LIST, list_vendors, VENDOR_COLUMNS, _vendor),
    "users": Export(USER_LIST, list_users, (*USER_COLUMNS, "role"), _user),
    "work_orders": Export(
        WORK_ORDER_LIST, list_work_orders, WORK_ORDER_COLUMNS, _flat(WORK_ORDER_COLUMNS), EntityScope(*TECHNICIAN_ROLES)
    ),
    "work_order_requests": Export(REQUEST_LIST, list_requests, REQUEST_COLUMNS, _flat(REQUEST_COLUMNS)),
    "pm_schedules": Export(
        PM_SCHEDULE_LIST, export_pm_schedules, PM_COLUMNS, _pm_schedule, EntityScope(*TECHNICIAN_ROLES)
    ),
}
