from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.orm import aliased

from wrenchwork.core.listing import AnyRow, AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.models import (
    AccountCode,
    Asset,
    Category,
    Comment,
    Downtime,
    Location,
    TimeEntry,
    User,
    Vendor,
    WorkOrder,
    WorkOrderCost,
    WorkOrderRequest,
    WorkOrderStatus,
    WorkTimer,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)

LINKS = (
    Link("categories", work_order_categories, "work_order_id", "category_id", Category),
    Link("account_codes", work_order_account_codes, "work_order_id", "account_code_id", AccountCode),
    Link("technicians", work_order_technicians, "work_order_id", "user_id", User, ("surname",)),
    Link("vendors", work_order_vendors, "work_order_id", "vendor_id", Vendor),
)
Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")
Requester = aliased(User, name="requester")


class WorkOrderRepository(Repository[WorkOrder]):
    model = WorkOrder

    def readable(self, detail: bool = False) -> AnySelect:
        """Work order columns with the status, asset, location and author references joined in: one query.
        The checklist is read for the detail only (the list item does not show it)."""
        columns = [c for c in WorkOrder.__table__.c if detail or c.name != "checklist"]
        return self.scoped(
            select(
                *columns,
                WorkOrderStatus.name.label("custom_status_name"),
                Asset.name.label("asset_name"),
                Asset.status.label("asset_status"),
                Location.name.label("location_name"),
                Location.path.label("location_path"),
                Creator.name.label("creator_name"),
                Creator.surname.label("creator_surname"),
                Editor.name.label("editor_name"),
                Editor.surname.label("editor_surname"),
            )
            .outerjoin(WorkOrderStatus, WorkOrderStatus.id == WorkOrder.status_id)
            .outerjoin(Asset, Asset.id == WorkOrder.asset_id)
            .outerjoin(Location, Location.id == WorkOrder.location_id)
            .outerjoin(Creator, Creator.id == WorkOrder.created_by_id)
            .outerjoin(Editor, Editor.id == WorkOrder.updated_by_id)
        )

    def read(self, work_order_id: int) -> AnyRow | None:
        return self.session.execute(self.readable(detail=True).where(WorkOrder.id == work_order_id)).first()

    # ---- references of a page of work orders: one query each ----

    def references(self, ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Categories, account codes, technicians and vendors of a page of work orders, in one query."""
        refs = self.refs_through(LINKS, ids)
        for people in refs["technicians"].values():
            for person in people:
                person["avatar"] = None
        return refs

    def downtimes(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The latest downtime record linked to each work order: `{id, started_at, ended_at, status}`."""
        if not ids:
            return {}
        rows: Any = self.session.execute(
            select(Downtime.work_order_id, Downtime.id, Downtime.started_at, Downtime.ended_at)
            .where(Downtime.work_order_id.in_(list(ids)))
            .order_by(Downtime.work_order_id, Downtime.started_at, Downtime.id)
        )
        latest: dict[int, dict[str, Any]] = {}
        for work_order_id, id_, started_at, ended_at in rows:
            status = "offline" if ended_at is None else "online"
            latest[work_order_id] = {"id": id_, "started_at": started_at, "ended_at": ended_at, "status": status}
        return latest

    def comment_counts(self, ids: Sequence[int]) -> dict[int, int]:
        if not ids:
            return {}
        rows: Any = self.session.execute(
            # sum(1) rather than count(*): the list's one COUNT statement stays the page total's.
            select(Comment.work_order_id, func.sum(literal_column("1")))
            .where(Comment.work_order_id.in_(list(ids)))
            .group_by(Comment.work_order_id)
        )
        return {work_order_id: count for work_order_id, count in rows}

    def request_ids(self, ids: Sequence[int]) -> dict[int, int]:
        """The request each work order was created from (the request records the link)."""
        if not ids:
            return {}
        rows: Any = self.session.execute(
            select(WorkOrderRequest.work_order_id, func.min(WorkOrderRequest.id))
            .where(WorkOrderRequest.work_order_id.in_(list(ids)))
            .group_by(WorkOrderRequest.work_order_id)
        )
        return {work_order_id: request_id for work_order_id, request_id in rows}

    def request_of(self, work_order_id: int) -> AnyRow | None:
        return self.session.execute(
            select(
                WorkOrderRequest.id,
                WorkOrderRequest.title,
                WorkOrderRequest.created_at,
                WorkOrderRequest.created_by_id,
                Requester.name,
                Requester.surname,
                Requester.phone_number,
                Requester.email,
            )
            .outerjoin(Requester, Requester.id == WorkOrderRequest.created_by_id)
            .where(WorkOrderRequest.work_order_id == work_order_id)
            .order_by(WorkOrderRequest.id)
        ).first()

    def request_row(self, request_id: int) -> WorkOrderRequest | None:
        found: WorkOrderRequest | None = self.session.scalars(
            self.in_entity_of(WorkOrderRequest, select(WorkOrderRequest)).where(WorkOrderRequest.id == request_id)
        ).first()
        return found

    def timers_of(self, ids: Sequence[int], user_id: int) -> dict[int, dict[str, Any]]:
        """The given user's running timers on these work orders: `{created_by_id, started_at}`."""
        if not ids:
            return {}
        rows = self.session.execute(
            select(WorkTimer.work_order_id, WorkTimer.started_at).where(
                WorkTimer.work_order_id.in_(list(ids)), WorkTimer.user_id == user_id
            )
        )
        return {wo: {"created_by_id": user_id, "started_at": started} for wo, started in rows}

    # ---- detail-only ----

    def labor_total(self, work_order_id: int) -> Decimal:
        total = self.session.scalar(select(func.sum(TimeEntry.cost)).where(TimeEntry.work_order_id == work_order_id))
        return Decimal(total or 0)

    def other_total(self, work_order_id: int) -> Decimal:
        total = self.session.scalar(
            select(func.sum(WorkOrderCost.amount)).where(WorkOrderCost.work_order_id == work_order_id)
        )
        return Decimal(total or 0)

    def unlink_downtimes(self, work_order_id: int) -> None:
        """Downtime records outlive the work order that opened them (they are the asset's history)."""
        self.session.execute(
            update(Downtime)
            .where(Downtime.work_order_id == work_order_id)
            .values(work_order_id=None)
            .execution_options(synchronize_session=False)
        )
