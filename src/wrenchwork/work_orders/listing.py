from __future__ import annotations

from typing import Any

from sqlalchemy import and_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import DateTime

from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import (
    TimeEntry,
    WorkOrder,
    WorkOrderCost,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)
from wrenchwork.models.work_orders import CLOSED_STATUSES, PRIORITIES, RATE_TYPES, TYPES


class utc_now(FunctionElement[Any]):
    """The database's current time as naive UTC, comparable with stored date-times on both backends.

    Evaluated by the database at query time, so a list spec built once at import never goes stale.
    """

    type = DateTime()
    inherit_cache = True


@compiles(utc_now, "sqlite")
def _utc_now_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"


@compiles(utc_now, "postgresql")
def _utc_now_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "(now() AT TIME ZONE 'UTC')"


# Past its due date and neither completed nor cancelled.
OVERDUE = and_(
    WorkOrder.due_date.is_not(None),
    WorkOrder.due_date < utc_now(),
    WorkOrder.base_status.not_in(CLOSED_STATUSES),
)

WORK_ORDER_LIST = ListSpec(
    id_column=WorkOrder.id,
    fields={
        "id": Field(WorkOrder.id, Kind.INTEGER),
        "title": Field(WorkOrder.title, Kind.STRING),
        "description": Field(WorkOrder.description, Kind.STRING),
        "priority": Field(WorkOrder.priority, Kind.ENUM, PRIORITIES),
        "type": Field(WorkOrder.type, Kind.ENUM, TYPES),
        "status_id": Field(WorkOrder.status_id, Kind.INTEGER),
        "base_status": Field(WorkOrder.base_status, Kind.ENUM, ("open", "in_progress", "on_hold", *CLOSED_STATUSES)),
        "asset_id": Field(WorkOrder.asset_id, Kind.INTEGER),
        "location_id": Field(WorkOrder.location_id, Kind.INTEGER),
        "pm_schedule_id": Field(WorkOrder.pm_schedule_id, Kind.INTEGER),
        "due_date": Field(WorkOrder.due_date, Kind.DATETIME),
        "completed_at": Field(WorkOrder.completed_at, Kind.DATETIME),
        "overdue": Field(OVERDUE, Kind.BOOLEAN),
        "created_at": Field(WorkOrder.created_at, Kind.DATETIME),
        "updated_at": Field(WorkOrder.updated_at, Kind.DATETIME),
        "created_by_id": Field(WorkOrder.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(WorkOrder.updated_by_id, Kind.INTEGER),
        "technicians_id": Membership(
            WorkOrder.id, work_order_technicians.c.work_order_id, work_order_technicians.c.user_id, semi_join=True
        ),
        "categories_id": Membership(
            WorkOrder.id, work_order_categories.c.work_order_id, work_order_categories.c.category_id, semi_join=True
        ),
        "account_codes_id": Membership(
            WorkOrder.id,
            work_order_account_codes.c.work_order_id,
            work_order_account_codes.c.account_code_id,
            semi_join=True,
        ),
        "vendors_id": Membership(
            WorkOrder.id, work_order_vendors.c.work_order_id, work_order_vendors.c.vendor_id, semi_join=True
        ),
    },
    sortable={
        "id": WorkOrder.id,
        "title": WorkOrder.title,
        "status_id": WorkOrder.status_id,
        "due_date": WorkOrder.due_date,
        "completed_at": WorkOrder.completed_at,
        "created_at": WorkOrder.created_at,
        "updated_at": WorkOrder.updated_at,
    },
    search=(WorkOrder.title, WorkOrder.description),
    default_sort=(("created_at", "desc"),),
    counter="work_orders",
)

TIME_ENTRY_LIST = ListSpec(
    id_column=TimeEntry.id,
    fields={
        "id": Field(TimeEntry.id, Kind.INTEGER),
        "user_id": Field(TimeEntry.user_id, Kind.INTEGER),
        "started_at": Field(TimeEntry.started_at, Kind.DATETIME),
        "ended_at": Field(TimeEntry.ended_at, Kind.DATETIME),
        "rate_type": Field(TimeEntry.rate_type, Kind.ENUM, RATE_TYPES),
        "cost": Field(TimeEntry.cost, Kind.DECIMAL),
    },
    sortable={"id": TimeEntry.id, "started_at": TimeEntry.started_at, "cost": TimeEntry.cost},
    search=(TimeEntry.rate_type,),
    default_sort=(("started_at", "asc"),),
)

COST_LIST = ListSpec(
    id_column=WorkOrderCost.id,
    fields={
        "id": Field(WorkOrderCost.id, Kind.INTEGER),
        "description": Field(WorkOrderCost.description, Kind.STRING),
        "amount": Field(WorkOrderCost.amount, Kind.DECIMAL),
        "created_at": Field(WorkOrderCost.created_at, Kind.DATETIME),
    },
    sortable={"id": WorkOrderCost.id, "amount": WorkOrderCost.amount, "created_at": WorkOrderCost.created_at},
    search=(WorkOrderCost.description,),
    default_sort=(("created_at", "asc"),),
)
