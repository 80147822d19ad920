from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import (
    Detail,
    json_author,
    json_bool,
    json_item,
    json_moment,
    json_object,
    json_ref,
    json_refs,
)
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    Asset,
    Category,
    Comment,
    Location,
    RequestPortal,
    User,
    Vendor,
    WorkOrder,
    WorkOrderRequest,
    work_order_request_categories,
    work_order_request_technicians,
    work_order_request_vendors,
)
from wrenchwork.vendors.repository import json_vendors_with_contact

Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")
R = WorkOrderRequest
# A requester reads only the requests it created: its user id, else 0 (every request of the entity).
_OWNER = bindparam("request_owner", type_=Integer)


def _linked(field: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"work_order_requests.{field}", link, "request_id", value, target, R.id, *extra)


def _joined(stmt: AnySelect) -> AnySelect:
    return (
        stmt.outerjoin(Location, Location.id == R.location_id)
        .outerjoin(Asset, Asset.id == R.asset_id)
        .outerjoin(WorkOrder, WorkOrder.id == R.work_order_id)
        .outerjoin(Creator, Creator.id == R.created_by_id)
        .outerjoin(Editor, Editor.id == R.updated_by_id)
        .outerjoin(RequestPortal, RequestPortal.id == R.request_portal_id)
        .where(or_(_OWNER == 0, R.created_by_id == _OWNER))
    )


_LOCATION = json_ref(R.location_id, ("id", R.location_id), ("name", Location.name), ("path", Location.path))
_ASSET = json_ref(R.asset_id, ("id", R.asset_id), ("name", Asset.name))
_CATEGORIES = _linked("categories", work_order_request_categories, "category_id", Category)
_TECHNICIANS = _linked("technicians", work_order_request_technicians, "user_id", User, ("surname", User.surname),
                       ("avatar", first_image_url("users", User.id, "small", newest=True)))  # fmt: skip
_PORTAL = json_ref(R.request_portal_id, ("id", R.request_portal_id), ("uuid", RequestPortal.uuid),
                   ("title", RequestPortal.title))  # fmt: skip
# sum(1) rather than count(*): the list's one COUNT statement stays the page total's.
_COMMENTS = func.coalesce(
    select(func.sum(literal_column("1"))).where(Comment.work_order_request_id == R.id).scalar_subquery(),
    literal_column("0"),
)

# The documented list item (work_order_requests/schemas.py `RequestListItem`), rendered by the database.
LIST_PAGE = _joined(select(json_item("work_order_requests.list_item", json_object(
    ("id", R.id), ("title", R.title), ("description", R.description), ("status", R.status),
    ("priority", R.priority), ("work_order_id", R.work_order_id), ("location", _LOCATION), ("asset", _ASSET),
    ("categories", _CATEGORIES), ("technicians", _TECHNICIANS),
    ("vendors", _linked("vendors", work_order_request_vendors, "vendor_id", Vendor)),
    ("due_date", json_moment(R.due_date)), ("completed_at", json_moment(WorkOrder.completed_at)),
    ("comments_count", _COMMENTS), ("request_portal", _PORTAL),
    ("created_at", json_moment(R.created_at)), ("updated_at", json_moment(R.updated_at)),
    ("created_by", json_author(Creator, R.created_by_id)), ("updated_by", json_author(Editor, R.updated_by_id)),
)).label("item")))  # fmt: skip

# The documented detail (work_order_requests/schemas.py `RequestDetail`), rendered by the database for one or many.
DETAIL = Detail("work_order_requests.detail", json_object(
    ("id", R.id), ("title", R.title), ("description", R.description), ("status", R.status),
    ("notify", json_bool(R.notify)), ("priority", R.priority), ("work_order_id", R.work_order_id),
    ("location", _LOCATION), ("asset", _ASSET), ("categories", _CATEGORIES), ("technicians", _TECHNICIANS),
    ("vendors", json_vendors_with_contact(work_order_request_vendors, "request_id", R)),
    ("due_date", json_moment(R.due_date)), ("completed_at", json_moment(WorkOrder.completed_at)),
    ("request_portal", _PORTAL),
    ("images", json_files("work_order_requests", R.id, "image")),
    ("documents", json_files("work_order_requests", R.id, "document")),
    ("created_at", json_moment(R.created_at)), ("updated_at", json_moment(R.updated_at)),
    ("created_by", json_ref(
        R.created_by_id, ("id", R.created_by_id), ("name", Creator.name), ("surname", Creator.surname),
        ("phone_number", Creator.phone_number), ("email", Creator.email), ("auth_type", literal_column("'api_key'")),
        ("avatar", first_image_url("users", R.created_by_id, "small", newest=True)),
    )),
    ("updated_by", json_author(Editor, R.updated_by_id)),
), _joined)  # fmt: skip


class RequestRepository(Repository[WorkOrderRequest]):
    model = WorkOrderRequest

    @property
    def own_only(self) -> bool:
        """A requester sees (and may change) only the requests it created."""
        return self.scope.role == "requester"  # type: ignore[union-attr]

    def visible(self, stmt: AnySelect | None = None) -> AnySelect:
        scoped = self.scoped(stmt)
        return scoped.where(WorkOrderRequest.created_by_id == self.user_id) if self.own_only else scoped

    @property
    def owner(self) -> dict[str, int]:
        """The parameter the list and detail statements take: the requester whose requests alone it reads, or 0."""
        return {"request_owner": self.user_id if self.own_only else 0}

    def details(self, ids: Sequence[int]) -> dict[int, str]:
        """`{id: detail as JSON text}` of those of `ids` the caller may read (`DETAIL`)."""
        return self.json_details(DETAIL, ids, self.owner)

    def get_visible(self, request_id: int) -> WorkOrderRequest | None:
        found: WorkOrderRequest | None = self.session.scalars(
            self.visible().where(WorkOrderRequest.id == request_id)
        ).first()
        return found
