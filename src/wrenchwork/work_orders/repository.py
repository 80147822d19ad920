from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, bindparam, case, func, literal_column, select, update
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import json_author, json_bool, json_item, json_moment, json_object, json_ref, json_refs
from wrenchwork.core.listing import AnyRow, AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.files.present import fill_avatars
from wrenchwork.files.urls import first_image_url
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
from wrenchwork.models.work_orders import BUILT_IN_STATUSES, FIRST_CUSTOM_STATUS_ID

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


# One-per-row references, read in the page query itself (joins and correlated subqueries). The timer is that of
# the user bound as `caller_id` (`WorkOrderRepository.caller`): one per work order and user, so a join.
_LATEST_DOWNTIME = (
    select(Downtime.id)
    .where(Downtime.work_order_id == WorkOrder.id)
    .order_by(Downtime.started_at.desc(), Downtime.id.desc())
    .limit(1)
    .scalar_subquery()
)
# sum(1) rather than count(*): the list's one COUNT statement stays the page total's.
_COMMENTS = func.coalesce(
    select(func.sum(literal_column("1"))).where(Comment.work_order_id == WorkOrder.id).scalar_subquery(),
    literal_column("0"),
)
_REQUEST = select(func.min(WorkOrderRequest.id)).where(WorkOrderRequest.work_order_id == WorkOrder.id).scalar_subquery()
_CALLER = bindparam("caller_id", type_=Integer)
CallerTimer = aliased(WorkTimer, name="caller_timer")


def _joined(stmt: AnySelect) -> AnySelect:
    return (
        stmt.outerjoin(WorkOrderStatus, WorkOrderStatus.id == WorkOrder.status_id)
        .outerjoin(Asset, Asset.id == WorkOrder.asset_id)
        .outerjoin(Location, Location.id == WorkOrder.location_id)
        .outerjoin(Creator, Creator.id == WorkOrder.created_by_id)
        .outerjoin(Editor, Editor.id == WorkOrder.updated_by_id)
        .outerjoin(LinkedDowntime, LinkedDowntime.id == _LATEST_DOWNTIME)
        .outerjoin(CallerTimer, (CallerTimer.work_order_id == WorkOrder.id) & (CallerTimer.user_id == _CALLER))
    )


# A work order with every one-per-row reference, for the detail (work_orders/service.py `present`).
READABLE = _joined(
    select(
        *WorkOrder.__table__.c,
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
        CallerTimer.started_at.label("timer_started_at"),
    )
)


def _linked(field: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"work_orders.{field}", link, "work_order_id", value, target, WorkOrder.id, *extra)


_STATUS_NAME = case(
    BUILT_IN_STATUSES, value=WorkOrder.status_id, else_=func.coalesce(WorkOrderStatus.name, WorkOrder.base_status)
)
# The documented list item (work_orders/schemas.py `WorkOrderListItem`), rendered by the database.
LIST_ITEM = json_object(
    ("id", WorkOrder.id), ("title", WorkOrder.title), ("description", WorkOrder.description),
    ("priority", WorkOrder.priority), ("type", WorkOrder.type),
    ("work_order_request_id", _REQUEST), ("pm_schedule_id", WorkOrder.pm_schedule_id),
    ("status", json_object(("id", WorkOrder.status_id), ("name", _STATUS_NAME),
                           ("is_custom", json_bool(WorkOrder.status_id >= FIRST_CUSTOM_STATUS_ID)))),
    ("comments_count", _COMMENTS),
    ("asset", json_ref(WorkOrder.asset_id, ("id", WorkOrder.asset_id), ("name", Asset.name), ("status", Asset.status))),
    ("downtime_tracking", json_ref(
        LinkedDowntime.id, ("id", LinkedDowntime.id), ("started_at", json_moment(LinkedDowntime.started_at)),
        ("ended_at", json_moment(LinkedDowntime.ended_at)),
        ("status", case((LinkedDowntime.ended_at.is_(None), "offline"), else_="online")),
    )),
    ("categories", _linked("categories", work_order_categories, "category_id", Category)),
    ("account_codes", _linked("account_codes", work_order_account_codes, "account_code_id", AccountCode)),
    ("technicians", _linked("technicians", work_order_technicians, "user_id", User, ("surname", User.surname),
                            ("avatar", first_image_url("users", User.id, "small", newest=True)))),
    ("vendors", _linked("vendors", work_order_vendors, "vendor_id", Vendor)),
    ("location", json_ref(WorkOrder.location_id, ("id", WorkOrder.location_id), ("name", Location.name),
                          ("path", Location.path))),
    ("due_date", json_moment(WorkOrder.due_date)),
    ("completed_at", json_moment(WorkOrder.completed_at)),
    ("active_timer_current_user", json_ref(CallerTimer.id, ("created_by_id", _CALLER),
                                           ("started_at", json_moment(CallerTimer.started_at)))),
    ("created_at", json_moment(WorkOrder.created_at)),
    ("updated_at", json_moment(WorkOrder.updated_at)),
    ("created_by", json_author(Creator, WorkOrder.created_by_id)),
    ("updated_by", json_author(Editor, WorkOrder.updated_by_id)),
)  # fmt: skip
LIST_PAGE = _joined(select(json_item("work_orders.list_item", LIST_ITEM).label("item")))


class WorkOrderRepository(Repository[WorkOrder]):
    model = WorkOrder

    def readable(self) -> AnySelect:
        """The work orders of the caller's entity with their one-per-row references; execute with `self.caller`."""
        return self.scoped(READABLE)

    @property
    def caller(self) -> dict[str, int]:
        """The parameters the work order statements take: the caller, whose running timer they show."""
        return {"caller_id": self.user_id}

    def read(self, work_order_id: int) -> AnyRow | None:
        stmt = self.readable().where(WorkOrder.id == work_order_id)
        return self.session.execute(stmt, self.caller).first()

    # ---- references of the detail ----

    def references(self, ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Categories, account codes, technicians and vendors of a page of work orders, in one query."""
        refs = self.refs_through(LINKS, ids)
        for people in refs["technicians"].values():
            for person in people:
                person["avatar"] = None
        fill_avatars(self.session, (p for people in refs["technicians"].values() for p in people))
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
