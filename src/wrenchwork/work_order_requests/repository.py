from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from wrenchwork.core.listing import AnyRow, AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.files.present import fill_avatars
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

Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")
LINKS = (
    Link("categories", work_order_request_categories, "request_id", "category_id", Category),
    Link("technicians", work_order_request_technicians, "request_id", "user_id", User, ("surname",)),
    Link("vendors", work_order_request_vendors, "request_id", "vendor_id", Vendor),
)


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

    def read(self, request_id: int) -> AnyRow | None:
        return self.session.execute(self.readable().where(WorkOrderRequest.id == request_id)).first()

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
