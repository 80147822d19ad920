from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, update
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
LinkedDowntime = aliased(Downtime, name="linked_downtime")


@functools.cache
def _readable(detail: bool) -> AnySelect:
    """Work order columns with every one-per-row reference in one query: status, asset, location, authors,
    the latest linked downtime record, the request it came from, its comment count and the running timer on it
    of the user bound as `caller_id`. The checklist is read for the detail only (the list item does not show it).
    Built once: each request only adds its entity, filters, order and page."""
    columns = [c for c in WorkOrder.__table__.c if detail or c.name != "checklist"]
    owner = WorkOrder.id
    latest_downtime = (
        select(Downtime.id)
        .where(Downtime.work_order_id == owner)
        .order_by(Downtime.started_at.desc(), Downtime.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # sum(1) rather than count(*): the list's one COUNT statement stays the page total's.
    comments = select(func.sum(literal_column("1"))).where(Comment.work_order_id == owner).scalar_subquery()
    request = select(func.min(WorkOrderRequest.id)).where(WorkOrderRequest.work_order_id == owner)
    timer = select(WorkTimer.started_at).where(
        WorkTimer.work_order_id == owner, WorkTimer.user_id == bindparam("caller_id")
    )
    return (
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
            LinkedDowntime.id.label("downtime_id"),
            LinkedDowntime.started_at.label("downtime_started_at"),
            LinkedDowntime.ended_at.label("downtime_ended_at"),
            func.coalesce(comments, 0).label("comments_count"),
            request.scalar_subquery().label("work_order_request_id"),
            timer.limit(1).scalar_subquery().label("timer_started_at"),
        )
        .outerjoin(WorkOrderStatus, WorkOrderStatus.id == WorkOrder.status_id)
        .outerjoin(Asset, Asset.id == WorkOrder.asset_id)
        .outerjoin(Location, Location.id == WorkOrder.location_id)
        .outerjoin(Creator, Creator.id == WorkOrder.created_by_id)
        .outerjoin(Editor, Editor.id == WorkOrder.updated_by_id)
        .outerjoin(LinkedDowntime, LinkedDowntime.id == latest_downtime)
    )


class WorkOrderRepository(Repository[WorkOrder]):
    model = WorkOrder

    def readable(self, detail: bool = False) -> AnySelect:
        """The work orders of the caller's entity with their one-per-row references (`_readable`); execute
        with `self.caller`."""
        return self.scoped(_readable(detail))

    @property
    def caller(self) -> dict[str, int]:
        return {"caller_id": self.user_id}

    def read(self, work_order_id: int) -> AnyRow | None:
        stmt = self.readable(detail=True).where(WorkOrder.id == work_order_id)
        return self.session.execute(stmt, self.caller).first()

    # ---- references of a page of work orders: one query each ----

    def references(self, ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Categories, account codes, technicians and vendors of a page of work orders, in one query."""
        refs = self.refs_through(LINKS, ids)
        for people in refs["technicians"].values():
            for person in people:
                person["avatar"] = None
        return refs

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
