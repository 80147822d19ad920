"""The resources of `Client`: each method sends one call from resources.py; lists are iterators that page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from wrenchwork.client import models
from wrenchwork.client import resources as r
from wrenchwork.client.calls import MAX_PER_PAGE, Body, Call, Page, next_page
from wrenchwork.client.resources import ListQuery, Number

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound=BaseModel)
DetailT = TypeVar("DetailT", bound=BaseModel)
CreatedT = TypeVar("CreatedT", bound=BaseModel)


class Sender(Protocol):
    def __call__(self, call: Call[T], /) -> T: ...


def iterate(send: Sender, page_call: Callable[[int], Call[Page[T]]]) -> Iterator[T]:
    """Every record of a list, one page request at a time (ties in the sort are broken by id on the server, so
    no record is seen twice or skipped while the list does not change)."""
    number: int | None = 1
    while number is not None:
        page = send(page_call(number))
        yield from page.data
        number = next_page(page)


class Resource(Generic[ItemT, DetailT, CreatedT]):
    def __init__(self, send: Sender, calls: r.ResourceCalls[ItemT, DetailT, CreatedT]) -> None:
        self._send = send
        self._calls = calls

    def list(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        sort: str | Sequence[str] | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> Iterator[ItemT]:
        """Every matching record; pages are fetched as the iteration reaches them."""
        query = ListQuery(search, filter, sort, per_page)
        return iterate(self._send, lambda number: self._calls.page(query, number))

    def page(
        self,
        page: int = 1,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        sort: str | Sequence[str] | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> Page[ItemT]:
        """One page with its pagination (`total`, `total_pages`)."""
        return self._send(self._calls.page(ListQuery(search, filter, sort, per_page), page))

    def get(self, id: int) -> DetailT:
        return self._send(self._calls.get(id))

    def create(self, body: Body | None = None, /, **fields: Any) -> CreatedT:
        """`create({"name": "Pump"})`, `create(name="Pump")` or `create(models.AssetCreate(...))`."""
        return self._send(self._calls.create(body, fields))

    def update(self, id: int, body: Body | None = None, /, **fields: Any) -> DetailT:
        """Changes only the fields given."""
        return self._send(self._calls.update(id, body, fields))

    def delete(self, id: int) -> None:
        self._send(self._calls.delete(id))


SimpleResource = Resource[ItemT, DetailT, DetailT]


class Assets(Resource[models.AssetListItem, models.AssetDetail, models.AssetDetail]):
    def set_status(
        self, id: int, status: str, *, reason: str | None = None, work_order_id: int | None = None
    ) -> models.AssetDetail:
        """`online` or `offline` (opens or closes a downtime record)."""
        return self._send(r.asset_status(id, status, reason, work_order_id))

    def downtimes(self, id: int, *, per_page: int = MAX_PER_PAGE) -> Iterator[models.DowntimeItem]:
        query = ListQuery(per_page=per_page)
        return iterate(self._send, lambda number: r.asset_downtimes(id, query, number))


class Parts(Resource[models.PartListItem, models.PartDetail, models.PartDetail]):
    def restock(self, id: int, quantity: Number, cost: Number, *, note: str | None = None) -> models.PartDetail:
        return self._send(r.part_restock(id, quantity, cost, note))

    def reconcile(self, id: int, quantity: Number, note: str) -> models.PartDetail:
        """Adds `quantity` (negative to remove) to the stock on hand."""
        return self._send(r.part_reconcile(id, quantity, note))

    def set_unit_cost(self, id: int, cost: Number, *, note: str | None = None) -> models.PartDetail:
        return self._send(r.part_cost(id, "unit_cost", cost, note))

    def set_avg_unit_cost(self, id: int, cost: Number, *, note: str | None = None) -> models.PartDetail:
        return self._send(r.part_cost(id, "avg_unit_cost", cost, note))

    def transactions(
        self, id: int, *, filter: Mapping[str, Any] | None = None, per_page: int = MAX_PER_PAGE
    ) -> Iterator[models.TransactionItem]:
        """The part's stock and cost ledger."""
        query = ListQuery(filter=filter, per_page=per_page)
        return iterate(self._send, lambda number: r.part_transactions(id, query, number))


class WorkOrders(Resource[models.WorkOrderListItem, models.WorkOrderDetail, models.WorkOrderDetail]):
    def set_status(self, id: int, status_id: int) -> models.WorkOrderDetail:
        """1 open, 2 in_progress, 3 on_hold, 4 cancelled, 5 completed, or a custom status of the entity."""
        return self._send(r.work_order_status(id, status_id))

    def add_part(self, id: int, part_id: int, quantity: Number) -> models.PartAssignment:
        return self._send(r.work_order_part(id, part_id, quantity))

    def comments(self, id: int, *, per_page: int = MAX_PER_PAGE) -> Iterator[models.CommentItem]:
        query = ListQuery(per_page=per_page)
        return iterate(self._send, lambda number: r.comments("/work_orders", id, query, number))

    def add_comment(self, id: int, body: str) -> models.CommentItem:
        return self._send(r.add_comment("/work_orders", id, body))


class WorkOrderRequests(Resource[models.RequestListItem, models.RequestDetail, models.RequestDetail]):
    def comments(self, id: int, *, per_page: int = MAX_PER_PAGE) -> Iterator[models.CommentItem]:
        query = ListQuery(per_page=per_page)
        return iterate(self._send, lambda number: r.comments("/work_order_requests", id, query, number))

    def add_comment(self, id: int, body: str) -> models.CommentItem:
        return self._send(r.add_comment("/work_order_requests", id, body))


class Resources:
    """The resources as attributes, for `Client`."""

    def __init__(self, send: Sender) -> None:
        self.entities = SimpleResource[models.EntityItem, models.EntityItem](send, r.ENTITIES)
        self.users = SimpleResource[models.UserItem, models.UserItem](send, r.USERS)
        self.api_keys = Resource[models.ApiKeyItem, models.ApiKeyItem, models.ApiKeyCreated](send, r.API_KEYS)
        self.vendors = SimpleResource[models.VendorListItem, models.VendorDetail](send, r.VENDORS)
        self.locations = SimpleResource[models.LocationListItem, models.LocationDetail](send, r.LOCATIONS)
        self.assets = Assets(send, r.ASSETS)
        self.parts = Parts(send, r.PARTS)
        self.work_orders = WorkOrders(send, r.WORK_ORDERS)
        self.work_order_requests = WorkOrderRequests(send, r.WORK_ORDER_REQUESTS)
        self.pm_schedules = SimpleResource[models.PmScheduleListItem, models.PmScheduleDetail](send, r.PM_SCHEDULES)
        self.procedure_templates = SimpleResource[models.TemplateListItem, models.TemplateDetail](
            send, r.PROCEDURE_TEMPLATES
        )
        self.work_order_statuses = SimpleResource[models.StatusItem, models.StatusItem](send, r.WORK_ORDER_STATUSES)
        self.categories = SimpleResource[models.LookupItem, models.LookupItem](send, r.CATEGORIES)
        self.asset_types = SimpleResource[models.LookupItem, models.LookupItem](send, r.ASSET_TYPES)
        self.part_types = SimpleResource[models.LookupItem, models.LookupItem](send, r.PART_TYPES)
        self.storerooms = SimpleResource[models.LookupItem, models.LookupItem](send, r.STOREROOMS)
        self.account_codes = SimpleResource[models.LookupItem, models.LookupItem](send, r.ACCOUNT_CODES)
        self.measurement_units = SimpleResource[models.MeasurementUnitItem, models.MeasurementUnitItem](
            send, r.MEASUREMENT_UNITS
        )
