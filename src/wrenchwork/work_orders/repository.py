from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, case, func, literal_column, select, update
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import (
    Detail,
    json_author,
    json_bool,
    json_decimal,
    json_first,
    json_item,
    json_list,
    json_moment,
    json_object,
    json_ref,
    json_refs,
    json_stored,
    rounded_product,
)
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    AccountCode,
    Asset,
    Category,
    Comment,
    Downtime,
    Location,
    MeasurementUnit,
    Part,
    Procedure,
    TimeEntry,
    User,
    Vendor,
    WorkOrder,
    WorkOrderCost,
    WorkOrderPart,
    WorkOrderRequest,
    WorkOrderStatus,
    WorkTimer,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)
from wrenchwork.models.work_orders import BUILT_IN_STATUSES, FIRST_CUSTOM_STATUS_ID
from wrenchwork.vendors.repository import json_vendors_with_contact

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


def _linked(field: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"work_orders.{field}", link, "work_order_id", value, target, WorkOrder.id, *extra)


_STATUS_NAME = case(
    BUILT_IN_STATUSES, value=WorkOrder.status_id, else_=func.coalesce(WorkOrderStatus.name, WorkOrder.base_status)
)
# The documented list item (work_orders/schemas.py `WorkOrderListItem`), rendered by the database.
LIST_ITEM_PAIRS = (
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
LIST_ITEM = json_object(*LIST_ITEM_PAIRS)
LIST_PAGE = _joined(select(json_item("work_orders.list_item", LIST_ITEM).label("item")))


# ---- the detail (work_orders/schemas.py `WorkOrderDetail`), rendered by the database for one or many ----

_VENDORS = json_vendors_with_contact(work_order_vendors, "work_order_id", WorkOrder)
_PROCEDURES = json_list(
    json_object(("id", Procedure.id), ("name", Procedure.name),
                ("procedure_template_id", Procedure.procedure_template_id),
                ("completed_at", json_moment(Procedure.completed_at))),
    Procedure.work_order_id == WorkOrder.id, order_by=[Procedure.id], outer=WorkOrder,
)  # fmt: skip
_PART_COST = rounded_product(
    WorkOrderPart.quantity, func.coalesce(WorkOrderPart.consumed_unit_cost, Part.avg_unit_cost), 2
)
_PART_ROWS = WorkOrderPart.__table__.join(Part, Part.id == WorkOrderPart.part_id).outerjoin(
    MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id
)


def json_part_assignments(assigned: Any, owner: Any, outer: Any, cost: Any) -> Any:
    """SQL: `part_assignments` of a detail (`assigned`: WorkOrderPart, or a PM template's parts, whose `owner`
    column points at `outer`), by part name; `cost` is an assignment's rounded total cost (scale 2)."""
    rows = assigned.__table__.join(Part, Part.id == assigned.part_id).outerjoin(
        MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id
    )
    return json_list(
        json_object(("part_id", assigned.part_id), ("part_name", Part.name),
                    ("quantity", json_decimal(assigned.quantity)), ("unit_name", MeasurementUnit.name),
                    ("unit_short_name", MeasurementUnit.short_name), ("type", literal_column("'usage'")),
                    ("total_cost", json_decimal(cost, 2))),
        owner == outer.id, order_by=[Part.name, Part.id], outer=outer, source=rows,
    )  # fmt: skip


_PARTS = json_part_assignments(WorkOrderPart, WorkOrderPart.work_order_id, WorkOrder, _PART_COST)


def _sum_of(value: Any, source: Any, owner: Any) -> Any:
    return (
        select(func.coalesce(func.sum(value), literal_column("0")))
        .select_from(source)
        .where(owner == WorkOrder.id)
        .scalar_subquery()
    )


_LABOR = _sum_of(TimeEntry.cost, TimeEntry, TimeEntry.work_order_id)
_OTHER = _sum_of(WorkOrderCost.amount, WorkOrderCost, WorkOrderCost.work_order_id)
_PARTS_COST = _sum_of(_PART_COST, _PART_ROWS, WorkOrderPart.work_order_id)
_REQUEST_REF = json_first(
    json_object(
        ("id", WorkOrderRequest.id), ("title", WorkOrderRequest.title),
        ("created_at", json_moment(WorkOrderRequest.created_at)),
        ("created_by", json_ref(
            WorkOrderRequest.created_by_id, ("id", WorkOrderRequest.created_by_id), ("name", Requester.name),
            ("surname", Requester.surname), ("phone_number", Requester.phone_number), ("email", Requester.email),
            ("auth_type", literal_column("'api_key'")),
            ("avatar", first_image_url("users", WorkOrderRequest.created_by_id, "small", newest=True)),
        )),
    ),
    WorkOrderRequest.work_order_id == WorkOrder.id, order_by=[WorkOrderRequest.id],
    source=WorkOrderRequest.__table__.outerjoin(Requester, Requester.id == WorkOrderRequest.created_by_id),
)  # fmt: skip


def _yes_no(flag: Any) -> Any:
    return case((flag.is_(True), "yes"), else_="no")


_SHOWN = dict(LIST_ITEM_PAIRS)
DETAIL = Detail("work_orders.detail", json_object(
    ("id", WorkOrder.id), ("title", WorkOrder.title), ("description", WorkOrder.description),
    ("priority", WorkOrder.priority), ("type", WorkOrder.type), ("pm_schedule_id", WorkOrder.pm_schedule_id),
    ("procedures", _PROCEDURES), ("checklist", json_stored(WorkOrder.checklist)),
    ("status", _SHOWN["status"]), ("work_order_request", _REQUEST_REF), ("asset", _SHOWN["asset"]),
    ("downtime_tracking", _SHOWN["downtime_tracking"]), ("categories", _SHOWN["categories"]),
    ("account_codes", _SHOWN["account_codes"]), ("technicians", _SHOWN["technicians"]), ("vendors", _VENDORS),
    ("notify_vendors_on_create", _yes_no(WorkOrder.notify_vendors_on_create)),
    ("notify_vendors_on_update", _yes_no(WorkOrder.notify_vendors_on_update)),
    ("location", _SHOWN["location"]), ("part_assignments", _PARTS),
    ("due_date", _SHOWN["due_date"]), ("completed_at", _SHOWN["completed_at"]),
    ("total_costs", json_object(
        ("labor", json_decimal(_LABOR, 2)), ("other", json_decimal(_OTHER, 2)),
        ("parts", json_decimal(_PARTS_COST, 2)), ("total", json_decimal(_LABOR + _OTHER + _PARTS_COST, 2)),
    )),
    ("active_timer_current_user", _SHOWN["active_timer_current_user"]),
    ("images", json_files("work_orders", WorkOrder.id, "image")),
    ("documents", json_files("work_orders", WorkOrder.id, "document")),
    ("created_at", _SHOWN["created_at"]), ("updated_at", _SHOWN["updated_at"]),
    ("created_by", _SHOWN["created_by"]), ("updated_by", _SHOWN["updated_by"]),
), _joined)  # fmt: skip


class WorkOrderRepository(Repository[WorkOrder]):
    model = WorkOrder

    @property
    def caller(self) -> dict[str, int]:
        """The parameters the work order statements take: the caller, whose running timer they show."""
        return {"caller_id": self.user_id}

    def request_row(self, request_id: int) -> WorkOrderRequest | None:
        found: WorkOrderRequest | None = self.session.scalars(
            self.in_entity_of(WorkOrderRequest, select(WorkOrderRequest)).where(WorkOrderRequest.id == request_id)
        ).first()
        return found

    def unlink_downtimes(self, work_order_id: int) -> None:
        """Downtime records outlive the work order that opened them (they are the asset's history)."""
        self.session.execute(
            update(Downtime)
            .where(Downtime.work_order_id == work_order_id)
            .values(work_order_id=None)
            .execution_options(synchronize_session=False)
        )
