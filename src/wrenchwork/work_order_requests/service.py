"""Work order requests: what anyone (requesters included) may ask for, and the decisions on them.

Lifecycle (DESIGN §7): pending -> approved | declined | on_hold. Approving creates the work order from the
request through the work-order service and links it; an approved request's status is final, and a declined one
can be approved or put on hold but never return to pending. Only admins and limited admins decide; everyone else
may change only their own requests, and only while they are pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orjson import Fragment
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import Forbidden, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import as_utc
from wrenchwork.events.outbox import emit, note_changed
from wrenchwork.models import (
    Asset,
    Category,
    Location,
    Vendor,
    WorkOrderRequest,
    work_order_request_categories,
    work_order_request_technicians,
    work_order_request_vendors,
)
from wrenchwork.users.repository import UserRepository
from wrenchwork.work_order_requests.listing import OWN_REQUEST_LIST, REQUEST_LIST
from wrenchwork.work_order_requests.repository import LIST_PAGE, RequestRepository
from wrenchwork.work_order_requests.schemas import RequestCreate, RequestFields, RequestUpdate
from wrenchwork.work_orders.schemas import WorkOrderCreate
from wrenchwork.work_orders.service import create_work_order

WRAPPER = "work_order_request"
DECIDERS = ("admin", "limited_admin")
# status -> the statuses it may change to (staying put is always allowed).
TRANSITIONS = {
    "pending": ("approved", "declined", "on_hold"),
    "on_hold": ("pending", "approved", "declined"),
    "declined": ("approved", "on_hold"),
    "approved": (),
}
# field -> (link table, column of the linked id, model the ids must belong to; None: assignable users)
LINKS: dict[str, tuple[Any, str, type[Any] | None]] = {
    "categories_ids": (work_order_request_categories, "category_id", Category),
    "technicians_ids": (work_order_request_technicians, "user_id", None),
    "vendors_ids": (work_order_request_vendors, "vendor_id", Vendor),
}
CLEARABLE = ("description", "location_id", "asset_id", "due_date")


# ---- reading ---------------------------------------------------------------------------------------------------


def list_requests(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    """A page of the documented list items, rendered by the database (work_order_requests/repository.py
    `LIST_PAGE`). The entity's row counter counts every request; a requester's list counts only its own."""
    repo = RequestRepository(session, scope)
    return repo.json_page(OWN_REQUEST_LIST if repo.own_only else REQUEST_LIST, query, LIST_PAGE, repo.owner)


def request_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller may read, rendered by the database
    in one statement (work_order_requests/repository.py `DETAIL`; the event outbox renders a commit's at once)."""
    return RequestRepository(session, scope).details(list(ids))


# The detail of one request (the API's answer as the database rendered it), or as a dict (web pages, writes).
_ONE = OneDetail(request_details, "Request")
get_request = _ONE.fragment
read_request = _ONE.read


def visible_request(session: Session, scope: Scope, request_id: int) -> WorkOrderRequest:
    """The request if the caller may see it (404 otherwise): for the comment endpoints."""
    request = RequestRepository(session, scope).get_visible(request_id)
    if request is None:
        raise NotFound.of("Request")
    return request


# ---- writing ---------------------------------------------------------------------------------------------------


def create_request(
    session: Session, scope: Scope, data: RequestCreate, request_portal_id: int | None = None
) -> dict[str, Any]:
    """`request_portal_id`: the portal it is filed on (request_portals/submissions.py), never from a body."""
    repo = RequestRepository(session, scope)
    status = data.status or "pending"
    if status != "pending" and scope.role not in DECIDERS:
        raise Forbidden(f"Your role ({scope.role}) cannot set a request's status")
    _check_references(repo, data)
    request = repo.add(
        WorkOrderRequest(
            title=data.title,
            description=data.description,
            status="pending",
            notify=bool(data.notify),
            priority=data.priority or "none",
            location_id=data.location_id,
            asset_id=data.asset_id,
            due_date=None if data.due_date is None else as_utc(data.due_date),
            request_portal_id=request_portal_id,
        )
    )
    _save_links(repo, request, data)
    _change_status(session, scope, request, status)
    return read_request(session, scope, request.id)


def update_request(session: Session, scope: Scope, request_id: int, data: RequestUpdate) -> dict[str, Any]:
    repo = RequestRepository(session, scope)
    request = repo.get_visible(request_id)
    if request is None:
        raise NotFound.of("Request")
    sent = data.model_fields_set
    if scope.role not in DECIDERS:
        if request.created_by_id != scope.user_id:
            raise Forbidden(f"Your role ({scope.role}) may change only its own requests")
        if request.status != "pending":
            raise Forbidden(f"Your role ({scope.role}) may change a request only while it is pending")
        if "status" in sent and data.status != request.status:
            raise Forbidden(f"Your role ({scope.role}) cannot set a request's status")
    for name in sent:
        if getattr(data, name) is None and name not in CLEARABLE:
            raise Unprocessable.field(f"{WRAPPER}.{name}", "cannot be null")
    _check_references(repo, data)
    for name in ("title", "description", "notify", "priority", "location_id", "asset_id"):
        if name in sent:
            setattr(request, name, getattr(data, name))
    if "due_date" in sent:
        request.due_date = None if data.due_date is None else as_utc(data.due_date)
    _save_links(repo, request, data)
    if data.status is not None:
        _change_status(session, scope, request, data.status)
    repo.touch(request)
    return read_request(session, scope, request.id)


def delete_request(session: Session, scope: Scope, request_id: int) -> None:
    """Its comments go with it; a work order made from it stays (without the link)."""
    repo = RequestRepository(session, scope)
    request = repo.get_visible(request_id)
    if request is None:
        raise NotFound.of("Request")
    repo.delete(request)


def _change_status(session: Session, scope: Scope, request: WorkOrderRequest, status: str) -> None:
    if status == request.status:
        return
    if status not in TRANSITIONS[request.status]:
        reason = (
            "cannot change once the request is approved"
            if request.status == "approved"
            else f"cannot change from {request.status} to {status}"
        )
        raise Unprocessable.field(f"{WRAPPER}.status", reason)
    request.status = status
    session.flush()
    if status == "approved":
        _make_work_order(session, scope, request)
    if status in ("approved", "declined"):
        emit(session, f"work_order_request.{status}", request)


def _make_work_order(session: Session, scope: Scope, request: WorkOrderRequest) -> None:
    """The work order is created by the work-order service (every work-order rule applies) and links back."""
    repo = RequestRepository(session, scope)
    ids = {field: repo.linked_ids(link, "request_id", request.id, column) for field, (link, column, _) in LINKS.items()}
    # A technician who can no longer be assigned work (left, deactivated) is not carried over.
    assignable = UserRepository(session, scope).assignable_ids(ids["technicians_ids"])
    data = WorkOrderCreate(
        title=request.title,
        description=request.description,
        priority=request.priority,
        location_id=request.location_id,
        asset_id=request.asset_id,
        due_date=request.due_date,
        categories_ids=ids["categories_ids"],
        technicians_ids=[i for i in ids["technicians_ids"] if i in assignable],
        vendors_ids=ids["vendors_ids"],
        work_order_request_id=request.id,
    )
    work_order = create_work_order(session, scope, data)
    request.work_order_id = work_order.id
    session.flush()


def _check_references(repo: RequestRepository, data: RequestFields) -> None:
    if data.location_id is not None and not repo.ids_in_scope(Location, [data.location_id]):
        raise Unprocessable.field(f"{WRAPPER}.location_id", "is not a location of this entity")
    if data.asset_id is not None and not repo.ids_in_scope(Asset, [data.asset_id]):
        raise Unprocessable.field(f"{WRAPPER}.asset_id", "is not an asset of this entity")
    for field, (_link, _column, model) in LINKS.items():
        ids = getattr(data, field)
        if ids is None:
            if field in data.model_fields_set:
                raise Unprocessable.field(f"{WRAPPER}.{field}", "cannot be null (send [] to clear)")
            continue
        if model is None:
            known = UserRepository(repo.session, repo.scope).assignable_ids(ids)
            what = "users of this entity who can be assigned work"
        else:
            known = repo.ids_in_scope(model, ids)
            what = "records of this entity"
        unknown = sorted(set(ids) - known)
        if unknown:
            raise Unprocessable.field(f"{WRAPPER}.{field}", f"unknown ids {unknown}: must be {what}")


def _save_links(repo: RequestRepository, request: WorkOrderRequest, data: RequestFields) -> None:
    for field, (link, column, _model) in LINKS.items():
        ids = getattr(data, field)
        if ids is not None and repo.set_links(link, "request_id", request.id, column, ids):
            note_changed(repo.session, request, field)
