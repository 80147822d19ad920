"""Work orders: create/list/get/update/delete, status rules (completed_at, stock), links, downtime.

Status changes are decided on the built-in status behind `status_id` (`base_status`): becoming `completed`
consumes the assigned parts (422 listing the short ones, nothing changes), leaving `completed` returns them.
Closing, reopening or deleting a floating PM schedule's work order moves that schedule (pm_schedules/floating.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from orjson import Fragment
from pydantic import BaseModel
from sqlalchemy.orm import Session

from wrenchwork.assets import service as assets
from wrenchwork.assets.schemas import AssetStatusChange
from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import as_utc
from wrenchwork.core.repository import Repository
from wrenchwork.events.outbox import emit, note_changed
from wrenchwork.models import (
    AccountCode,
    Asset,
    Category,
    Location,
    PmSchedule,
    Vendor,
    WorkOrder,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)
from wrenchwork.parts import stock
from wrenchwork.pm_schedules import floating
from wrenchwork.procedures import service as procedures
from wrenchwork.users.repository import UserRepository
from wrenchwork.work_orders import statuses
from wrenchwork.work_orders.listing import WORK_ORDER_LIST
from wrenchwork.work_orders.repository import DETAIL, LIST_PAGE, WorkOrderRepository
from wrenchwork.work_orders.schemas import (
    ChecklistItem,
    WorkOrderCreate,
    WorkOrderFields,
    WorkOrderUpdate,
)

# field -> (link table, column of the linked id, model the ids must belong to; None: assignable users)
LINKS: dict[str, tuple[Any, str, type[Any] | None]] = {
    "categories_ids": (work_order_categories, "category_id", Category),
    "account_codes_ids": (work_order_account_codes, "account_code_id", AccountCode),
    "technicians_ids": (work_order_technicians, "user_id", None),
    "vendors_ids": (work_order_vendors, "vendor_id", Vendor),
}
# Plain columns an update copies as sent (null clears them).
CLEARABLE = ("description", "due_date", "location_id", "asset_id")
NOT_NULL = ("title", "priority", "status_id", "notify_vendors_on_update", "checklist", "procedure_template_ids")


# ---- reading ---------------------------------------------------------------------------------------------------


def work_order_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller sees, rendered by the database in
    one statement (work_orders/repository.py `DETAIL`; the event outbox renders a commit's work orders at once)."""
    repo = WorkOrderRepository(session, scope)
    return repo.json_details(DETAIL, ids, repo.caller)


# The detail of one work order (the API's answer as the database rendered it), or as a dict (web pages, writes).
_ONE = OneDetail(work_order_details, "Work order")
get_work_order = _ONE.fragment
read_work_order = _ONE.read


def list_work_orders(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    repo = WorkOrderRepository(session, scope)
    return repo.json_page(WORK_ORDER_LIST, query, LIST_PAGE, repo.caller)


def get_row(repo: WorkOrderRepository, work_order_id: int) -> WorkOrder:
    """The caller's work order (404 when it is missing or belongs to another entity)."""
    work_order = repo.get(work_order_id)
    if work_order is None:
        raise NotFound.of("Work order")
    return work_order


# ---- writing ---------------------------------------------------------------------------------------------------


def create_work_order(session: Session, scope: Scope, data: WorkOrderCreate) -> WorkOrder:
    """Create a work order from a checked `WorkOrderCreate` as the caller of `scope`; returns the flushed row.

    This is the one way work orders come into being (the endpoint, request approval, PM generation), so every
    rule applies: references must be records of the scope's entity (422 naming `work_order.<field>`),
    `status_id` may be a built-in or custom status, `completed_at` follows the status, a `work_order_request_id`
    links that request (its `work_order_id` is set; 409 when it already has a work order),
    `procedure_template_ids` instantiates procedures, `asset_status` opens/closes the asset's downtime, `parts`
    are assigned (and used up when it is created completed) by `stock.assign_on_create`.
    Nothing is committed. Present the result with `get_work_order(session, scope, work_order.id)`.
    """
    repo = WorkOrderRepository(session, scope)
    _check_references(repo, data)
    if data.pm_schedule_id is not None and not repo.ids_in_scope(PmSchedule, [data.pm_schedule_id]):
        raise Unprocessable.field("work_order.pm_schedule_id", "is not a PM schedule of this entity")
    status_id = data.status_id or 1
    base = statuses.base_of(repo, status_id, "work_order.status_id")
    completed_at = _completed_at(base, data.completed_at, "completed_at" in data.model_fields_set, None)
    request = None
    if data.work_order_request_id is not None:
        request = repo.request_row(data.work_order_request_id)
        if request is None:
            raise Unprocessable.field("work_order.work_order_request_id", "is not a request of this entity")
        if request.work_order_id is not None:
            raise Conflict(
                f"Request {request.id} already has work order {request.work_order_id}",
                {"work_order.work_order_request_id": ["already has a work order"]},
            )
    work_order = repo.add(
        WorkOrder(
            title=data.title,
            description=data.description,
            type=data.type,
            priority=data.priority or "none",
            status_id=status_id,
            base_status=base,
            due_date=_utc(data.due_date),
            completed_at=completed_at,
            location_id=data.location_id,
            asset_id=data.asset_id,
            pm_schedule_id=data.pm_schedule_id,
            notify_vendors_on_create=data.notify_vendors_on_create == "yes",
            notify_vendors_on_update=data.notify_vendors_on_update == "yes",
            checklist=shape_checklist(data.checklist or []),
        )
    )
    _save_links(repo, work_order, data, new=True)
    if data.parts:
        parts = [(p.part_id, p.quantity) for p in data.parts]
        stock.assign_on_create(session, work_order, parts, scope.user_id, "work_order.parts")
    if data.procedure_template_ids:
        procedures.instantiate(session, work_order, data.procedure_template_ids)
    if request is not None:
        request.work_order_id = work_order.id
        session.flush()
    _asset_status(session, scope, work_order, data)
    if base == "completed":
        emit(session, "work_order.completed", work_order)
    return work_order


def update_work_order(session: Session, scope: Scope, work_order_id: int, data: WorkOrderUpdate) -> Fragment:
    repo = WorkOrderRepository(session, scope)
    work_order = get_row(repo, work_order_id)
    sent = data.model_fields_set
    for name in NOT_NULL:
        if name in sent and getattr(data, name) is None:
            hint = " (send [] to clear)" if name in ("checklist", "procedure_template_ids") else ""
            raise Unprocessable.field(f"work_order.{name}", f"cannot be null{hint}")
    _check_references(repo, data)
    status_id = data.status_id if data.status_id is not None else work_order.status_id
    base = statuses.base_of(repo, status_id, "work_order.status_id") if data.status_id is not None else None
    new_base = base or work_order.base_status
    kept = work_order.completed_at if work_order.base_status == "completed" else None
    completed_at = _completed_at(new_base, data.completed_at, "completed_at" in sent, kept)
    # Stock first: a 422 for short parts must leave everything as it was.
    if new_base == "completed" and work_order.base_status != "completed":
        stock.consume(session, work_order, scope.user_id)
    elif new_base != "completed" and work_order.base_status == "completed":
        stock.restore(session, work_order, scope.user_id)
    was_open = floating.is_open(work_order.base_status)
    previous_status_id, previous_base = work_order.status_id, work_order.base_status
    work_order.status_id = status_id
    work_order.base_status = new_base
    work_order.completed_at = completed_at
    floating.work_order_changed(session, work_order, was_open, floating.is_open(new_base), completed_at or clock.now())
    if data.title is not None:
        work_order.title = data.title
    if data.priority is not None:
        work_order.priority = data.priority
    if data.notify_vendors_on_update is not None:
        work_order.notify_vendors_on_update = data.notify_vendors_on_update == "yes"
    for name in CLEARABLE:
        if name in sent:
            value = getattr(data, name)
            setattr(work_order, name, _utc(value) if name == "due_date" else value)
    if data.checklist is not None:
        work_order.checklist = shape_checklist(data.checklist)
    _save_links(repo, work_order, data)
    if data.procedure_template_ids is not None:
        procedures.replace_procedures(session, work_order, data.procedure_template_ids)
    repo.touch(work_order)
    _asset_status(session, scope, work_order, data)
    if status_id != previous_status_id:
        emit(session, "work_order.status_changed", work_order, previous_status_id=previous_status_id)
        if new_base == "completed" and previous_base != "completed":
            emit(session, "work_order.completed", work_order)
    return get_work_order(session, scope, work_order.id)


def delete_work_order(session: Session, scope: Scope, work_order_id: int) -> None:
    """Its links, labor, costs, comments and procedures go with it; a completed one gives its parts back first
    (the `usage` and `usage_return` ledger lines stay, without the work order); the request that created it
    and its downtime records are kept, unlinked."""
    repo = WorkOrderRepository(session, scope)
    work_order = get_row(repo, work_order_id)
    if work_order.base_status == "completed":
        stock.restore(session, work_order, scope.user_id)
    floating.work_order_changed(session, work_order, floating.is_open(work_order.base_status), False, clock.now())
    repo.unlink_downtimes(work_order.id)
    repo.delete(work_order)


# ---- rules -----------------------------------------------------------------------------------------------------


def _completed_at(base: str, sent: datetime | None, was_sent: bool, kept: datetime | None) -> datetime | None:
    """DESIGN §7: a completed status sets `completed_at` (now, unless given); any other status clears it.

    `kept` is the moment of a work order that was completed already and stays so (None otherwise)."""
    if base != "completed":
        if was_sent and sent is not None:
            raise Unprocessable.field("work_order.completed_at", "can only be set when the status is completed")
        return None
    if was_sent and sent is None:
        raise Unprocessable.field("work_order.completed_at", "cannot be null while the status is completed")
    if sent is not None:
        return as_utc(sent)
    return kept or clock.now()


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def shape_checklist(items: Sequence[ChecklistItem]) -> list[dict[str, Any]]:
    """Items in `order`; one without an order goes after the ones before it (1, 2, ... by position)."""
    shaped = []
    for position, item in enumerate(items, start=1):
        shaped.append({"text": item.text, "order": item.order if item.order is not None else position,
                       "checked": item.checked})  # fmt: skip
    return sorted(shaped, key=lambda i: i["order"])


def _check_references(repo: WorkOrderRepository, data: WorkOrderFields) -> None:
    check_references(repo, data, "work_order")
    if data.downtime_reason is not None and data.asset_status != "offline":
        raise Unprocessable.field("work_order.downtime_reason", "is only taken with asset_status offline")


def check_references(repo: Repository[Any], data: BaseModel, prefix: str) -> None:
    """`location_id`, `asset_id` and the `*_ids` links of `data` (a work order, or a PM schedule's template of
    one) must name records of this entity, technicians users who can be assigned work here: 422 naming
    `<prefix>.<field>` otherwise."""
    location_id, asset_id = getattr(data, "location_id"), getattr(data, "asset_id")  # noqa: B009
    if location_id is not None and not repo.ids_in_scope(Location, [location_id]):
        raise Unprocessable.field(f"{prefix}.location_id", "is not a location of this entity")
    if asset_id is not None and not repo.ids_in_scope(Asset, [asset_id]):
        raise Unprocessable.field(f"{prefix}.asset_id", "is not an asset of this entity")
    for field, (_link, _column, model) in LINKS.items():
        ids = getattr(data, field)
        if ids is None:
            if field in data.model_fields_set:
                raise Unprocessable.field(f"{prefix}.{field}", "cannot be null (send [] to clear)")
            continue
        if model is None:
            known = UserRepository(repo.session, repo.scope).assignable_ids(ids)
            what = "users of this entity who can be assigned work"
        else:
            known = repo.ids_in_scope(model, ids)
            what = "records of this entity"
        unknown = sorted(set(ids) - known)
        if unknown:
            raise Unprocessable.field(f"{prefix}.{field}", f"unknown ids {unknown}: must be {what}")


def _save_links(repo: WorkOrderRepository, work_order: WorkOrder, data: WorkOrderFields, new: bool = False) -> None:
    """A new work order has no links to replace (PM generation makes thousands at once: no DELETEs for them)."""
    for field, (link, column, _model) in LINKS.items():
        ids = getattr(data, field)
        if ids is None:
            continue
        before = (
            set()
            if new or field != "technicians_ids"
            else set(repo.linked_ids(link, "work_order_id", work_order.id, column))
        )
        if repo.set_links(link, "work_order_id", work_order.id, column, ids, replace=not new):
            note_changed(repo.session, work_order, field)
        added = sorted(set(ids) - before) if field == "technicians_ids" else []
        if added:
            emit(repo.session, "work_order.assigned", work_order, assigned_technicians_ids=added)


def _asset_status(session: Session, scope: Scope, work_order: WorkOrder, data: WorkOrderFields) -> None:
    """Extension: `asset_status` takes the work order's asset offline (a downtime record linked to this work
    order) or back online (closing the asset's open record). Already in that state: nothing changes."""
    if data.asset_status is None:
        return
    if work_order.asset_id is None:
        raise Unprocessable.field("work_order.asset_status", "needs the work order to have an asset")
    change = AssetStatusChange(status=data.asset_status, reason=data.downtime_reason, work_order_id=work_order.id)
    assets.set_status(session, scope, work_order.asset_id, change)
