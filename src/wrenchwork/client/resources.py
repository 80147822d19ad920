"""Every resource's calls, once: paths, body wrappers and the models that read the answers.

`ResourceCalls` builds the calls every resource has (list page, get, create, update, delete); the documented
actions (part restock, asset status, work order status, ...) are the functions below it. The sync and async
resource classes (sync.py, aio.py) only send these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from wrenchwork.client import models
from wrenchwork.client.calls import (
    MAX_PER_PAGE,
    Body,
    Call,
    Page,
    Params,
    list_params,
    payload,
    read_data,
    read_nothing,
    read_page,
    wrapped,
)

ItemT = TypeVar("ItemT", bound=BaseModel)
DetailT = TypeVar("DetailT", bound=BaseModel)
CreatedT = TypeVar("CreatedT", bound=BaseModel)
Number = int | float | str | Decimal


@dataclass(frozen=True)
class ListQuery:
    search: str | None = None
    filter: Mapping[str, Any] | None = None
    sort: str | Sequence[str] | None = None
    per_page: int = MAX_PER_PAGE

    def params(self, page: int) -> Params:
        return list_params(search=self.search, filter=self.filter, sort=self.sort, page=page, per_page=self.per_page)


def page_call(path: str, item: type[ItemT], query: ListQuery, page: int) -> Call[Page[ItemT]]:
    return Call("GET", path, read_page(item), params=query.params(page))


@dataclass(frozen=True)
class ResourceCalls(Generic[ItemT, DetailT, CreatedT]):
    path: str
    wrapper: str
    item: type[ItemT]
    detail: type[DetailT]
    created: type[CreatedT]

    def page(self, query: ListQuery, page: int) -> Call[Page[ItemT]]:
        return page_call(self.path, self.item, query, page)

    def get(self, id: int) -> Call[DetailT]:
        return Call("GET", f"{self.path}/{id}", read_data(self.detail))

    def create(self, body: Body | None, fields: Mapping[str, Any]) -> Call[CreatedT]:
        return Call("POST", self.path, read_data(self.created), json=wrapped(self.wrapper, body, fields))

    def update(self, id: int, body: Body | None, fields: Mapping[str, Any]) -> Call[DetailT]:
        return Call("PATCH", f"{self.path}/{id}", read_data(self.detail), json=wrapped(self.wrapper, body, fields))

    def delete(self, id: int) -> Call[None]:
        return Call("DELETE", f"{self.path}/{id}", read_nothing)


def calls(path: str, wrapper: str, item: type[ItemT], detail: type[DetailT]) -> ResourceCalls[ItemT, DetailT, DetailT]:
    return ResourceCalls(path, wrapper, item, detail, detail)


ENTITIES = calls("/entities", "entity", models.EntityItem, models.EntityItem)
USERS = calls("/users", "user", models.UserItem, models.UserItem)
API_KEYS = ResourceCalls("/api_keys", "api_key", models.ApiKeyItem, models.ApiKeyItem, models.ApiKeyCreated)
VENDORS = calls("/vendors", "vendor", models.VendorListItem, models.VendorDetail)
LOCATIONS = calls("/locations", "location", models.LocationListItem, models.LocationDetail)
ASSETS = calls("/assets", "asset", models.AssetListItem, models.AssetDetail)
PARTS = calls("/parts", "part", models.PartListItem, models.PartDetail)
WORK_ORDERS = calls("/work_orders", "work_order", models.WorkOrderListItem, models.WorkOrderDetail)
WORK_ORDER_REQUESTS = calls("/work_order_requests", "work_order_request", models.RequestListItem, models.RequestDetail)
PM_SCHEDULES = calls("/pm_schedules", "pm_schedule", models.PmScheduleListItem, models.PmScheduleDetail)
PROCEDURE_TEMPLATES = calls(
    "/procedure_templates", "procedure_template", models.TemplateListItem, models.TemplateDetail
)
WORK_ORDER_STATUSES = calls("/work_order_statuses", "work_order_status", models.StatusItem, models.StatusItem)
CATEGORIES = calls("/categories", "category", models.LookupItem, models.LookupItem)
ASSET_TYPES = calls("/asset_types", "asset_type", models.LookupItem, models.LookupItem)
PART_TYPES = calls("/part_types", "part_type", models.LookupItem, models.LookupItem)
STOREROOMS = calls("/storerooms", "storeroom", models.LookupItem, models.LookupItem)
ACCOUNT_CODES = calls("/account_codes", "account_code", models.LookupItem, models.LookupItem)
MEASUREMENT_UNITS = calls(
    "/measurement_units", "measurement_unit", models.MeasurementUnitItem, models.MeasurementUnitItem
)


# ---- actions ---------------------------------------------------------------------------------------------------


def _action(path: str, model: type[DetailT], method: str = "PATCH", **fields: Any) -> Call[DetailT]:
    body = payload(None, {key: value for key, value in fields.items() if value is not None})
    return Call(method, path, read_data(model), json=body)


def asset_status(id: int, status: str, reason: str | None, work_order_id: int | None) -> Call[models.AssetDetail]:
    return _action(
        f"/assets/{id}/status", models.AssetDetail, status=status, reason=reason, work_order_id=work_order_id
    )


def asset_downtimes(id: int, query: ListQuery, page: int) -> Call[Page[models.DowntimeItem]]:
    return page_call(f"/assets/{id}/downtimes", models.DowntimeItem, query, page)


def part_restock(id: int, quantity: Number, cost: Number, note: str | None) -> Call[models.PartDetail]:
    return _action(f"/parts/{id}/restock", models.PartDetail, quantity=quantity, cost=cost, note=note)


def part_reconcile(id: int, quantity: Number, note: str) -> Call[models.PartDetail]:
    return _action(f"/parts/{id}/reconcile", models.PartDetail, quantity=quantity, note=note)


def part_cost(id: int, which: str, cost: Number, note: str | None) -> Call[models.PartDetail]:
    return _action(f"/parts/{id}/{which}", models.PartDetail, cost=cost, note=note)


def part_transactions(id: int, query: ListQuery, page: int) -> Call[Page[models.TransactionItem]]:
    return page_call(f"/parts/{id}/transactions", models.TransactionItem, query, page)


def work_order_status(id: int, status_id: int) -> Call[models.WorkOrderDetail]:
    return WORK_ORDERS.update(id, None, {"status_id": status_id})


def work_order_part(id: int, part_id: int, quantity: Number) -> Call[models.PartAssignment]:
    return _action(f"/work_orders/{id}/parts", models.PartAssignment, "POST", part_id=part_id, quantity=quantity)


def comments(parent: str, id: int, query: ListQuery, page: int) -> Call[Page[models.CommentItem]]:
    return page_call(f"{parent}/{id}/comments", models.CommentItem, query, page)


def add_comment(parent: str, id: int, body: str) -> Call[models.CommentItem]:
    return Call("POST", f"{parent}/{id}/comments", read_data(models.CommentItem), json={"comment": {"body": body}})
