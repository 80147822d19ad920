from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, literal_column, or_, select
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import Detail, json_author, json_bool, json_moment, json_object, json_ref, json_refs
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.files.present import fill_avatars
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    Asset,
    Category,
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
LINKS = (
    Link("categories", work_order_request_categories, "request_id", "category_id", Category),
    Link("technicians", work_order_request_technicians, "request_id", "user_id", User, ("surname",)),
    Link("vendors", work_order_request_vendors, "request_id", "vendor_id", Vendor),
)

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


# The documented detail (work_order_requests/schemas.py `RequestDetail`), rendered by the database for one or many.
DETAIL = Detail("work_order_requests.detail", json_object(
    ("id", R.id), ("title", R.title), ("description", R.description), ("status", R.status),
    ("notify", json_bool(R.notify)), ("priority", R.priority), ("work_order_id", R.work_order_id),
    ("location", json_ref(R.location_id, ("id", R.location_id), ("name", Location.name), ("path", Location.path))),
    ("asset", json_ref(R.asset_id, ("id", R.asset_id), ("name", Asset.name))),
    ("categories", _linked("categories", work_order_request_categories, "category_id", Category)),
    ("technicians", _linked("technicians", work_order_request_technicians, "user_id", User, ("surname", User.surname),
                            ("avatar", first_image_url("users", User.id, "small", newest=True)))),
    ("vendors", json_vendors_with_contact(work_order_request_vendors, "request_id", R)),
    ("due_date", json_moment(R.due_date)), ("completed_at", json_moment(WorkOrder.completed_at)),
    ("request_portal", json_ref(R.request_portal_id, ("id", R.request_portal_id), ("uuid", RequestPortal.uuid),
                                ("title", RequestPortal.title))),
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

    def readable(self) -> AnySelect:
        """Request columns with location, asset, authors and the work order's completion: one query per page."""
        return self.visible(
            select(
                *WorkOrderRequest.__table__.c,
                Location.name.label("location_name"),
                Location.path.label("location_path"),
                Asset.name.label("asset_name"),
                WorkOrder.completed_at.label("completed_at"),
                Creator.name.label("creator_name"),
                Creator.surname.label("creator_surname"),
                Creator.phone_number.label("creator_phone_number"),
                Creator.email.label("creator_email"),
                Editor.name.label("editor_name"),
                Editor.surname.label("editor_surname"),
                RequestPortal.uuid.label("portal_uuid"),
                RequestPortal.title.label("portal_title"),
            )
            .outerjoin(Location, Location.id == WorkOrderRequest.location_id)
            .outerjoin(Asset, Asset.id == WorkOrderRequest.asset_id)
            .outerjoin(WorkOrder, WorkOrder.id == WorkOrderRequest.work_order_id)
            .outerjoin(Creator, Creator.id == WorkOrderRequest.created_by_id)
            .outerjoin(Editor, Editor.id == WorkOrderRequest.updated_by_id)
            .outerjoin(RequestPortal, RequestPortal.id == WorkOrderRequest.request_portal_id)
        )

    def details(self, ids: Sequence[int]) -> dict[int, str]:
        """`{id: detail as JSON text}` of those of `ids` the caller may read (`DETAIL`)."""
        return self.json_details(DETAIL, ids, {"request_owner": self.user_id if self.own_only else 0})

    def get_visible(self, request_id: int) -> WorkOrderRequest | None:
        found: WorkOrderRequest | None = self.session.scalars(
            self.visible().where(WorkOrderRequest.id == request_id)
        ).first()
        return found

    def references(self, ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Categories, technicians and vendors of these requests, in one query."""
        refs = self.refs_through(LINKS, ids)
        for people in refs["technicians"].values():
            for person in people:
                person["avatar"] = None
        fill_avatars(self.session, (p for people in refs["technicians"].values() for p in people))
        return refs
