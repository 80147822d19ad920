"""Each exportable list: the service's list function and, for one list item, the import's columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orjson import Fragment, dumps, loads
from sqlalchemy.orm import Session

from wrenchwork.assets.listing import ASSET_LIST
from wrenchwork.assets.service import list_assets
from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import ListQuery, ListSpec
from wrenchwork.core.tree import PATH_SEPARATOR
from wrenchwork.locations.listing import LOCATION_LIST
from wrenchwork.locations.service import list_locations
from wrenchwork.parts.listing import PART_LIST
from wrenchwork.parts.service import list_parts
from wrenchwork.vendors.listing import VENDOR_LIST
from wrenchwork.vendors.service import list_vendors

Lister = Callable[[Session, Scope, ListQuery], tuple[list[Any], Any]]


@dataclass(frozen=True)
class Export:
    spec: ListSpec
    lister: Lister
    columns: tuple[str, ...]
    row: Callable[[dict[str, Any]], dict[str, Any]]


def item_of(item: Any) -> dict[str, Any]:
    """A list item as a dict (lists rendered by the database hand back JSON fragments)."""
    if isinstance(item, Fragment):
        parsed: dict[str, Any] = loads(dumps(item))
        return parsed
    return dict(item)


def _names(refs: list[dict[str, Any]] | None) -> str:
    return "; ".join(ref["name"] for ref in refs or [])


def _location(item: dict[str, Any]) -> dict[str, Any]:
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


def _asset(item: dict[str, Any]) -> dict[str, Any]:
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


def _part(item: dict[str, Any]) -> dict[str, Any]:
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


def _vendor(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in VENDOR_COLUMNS}


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
}
