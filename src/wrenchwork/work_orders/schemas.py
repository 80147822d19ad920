"""Work order shapes: the documented create/update body, list item and detail, and the extension bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, TechnicianRef, UserRef, VendorRef
from wrenchwork.core.schemas import DateTime, Id, Money

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Ids = Annotated[list[Id], Field(max_length=1000)]
Priority = Literal["none", "low", "medium", "high"]
WorkOrderType = Literal["reactive", "preventive"]
YesNo = Literal["yes", "no"]
AssetStatus = Literal["online", "offline"]
RateType = Literal["regular", "overtime1", "overtime2"]
# Parts a work order may be created with (`parts`, extension).
MAX_PARTS = 200
Hours = Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=3, allow_inf_nan=False)]


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    order: Annotated[int, Field(ge=0, le=100_000)] | None = None
    checked: bool = False


class PartAssignmentIn(BaseModel):
    """A part on a work order: the documented flat body of `/work_orders/{id}/parts`, and an item of the
    extension `work_order.parts` on create."""

    model_config = ConfigDict(extra="forbid")

    part_id: Id
    quantity: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=3, allow_inf_nan=False)]


class WorkOrderFields(BaseModel):
    """Fields create and update share. `asset_status` and `downtime_reason` are extensions (DESIGN §7)."""

    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    priority: Priority | None = None
    due_date: DateTime | None = None
    completed_at: DateTime | None = None
    location_id: Id | None = None
    asset_id: Id | None = None
    status_id: Id | None = None
    categories_ids: Ids | None = None
    account_codes_ids: Ids | None = None
    procedure_template_ids: Ids | None = None
    technicians_ids: Ids | None = None
    vendors_ids: Ids | None = None
    notify_vendors_on_update: YesNo | None = None
    checklist: Annotated[list[ChecklistItem], Field(max_length=500)] | None = None
    asset_status: AssetStatus | None = Field(
        default=None,
        description="Extension: take the work order's asset offline (opens a downtime record linked to this work "
        "order) or bring it back online (closes it)",
    )
    downtime_reason: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Extension: the reason recorded on the downtime record `asset_status` opens"
    )


class WorkOrderCreate(WorkOrderFields):
    title: Title
    type: WorkOrderType = "reactive"
    work_order_request_id: Id | None = None
    notify_vendors_on_create: YesNo | None = None
    pm_schedule_id: Id | None = Field(default=None, description="Extension: the PM schedule that generated it")
    parts: Annotated[list[PartAssignmentIn], Field(max_length=MAX_PARTS)] | None = Field(
        default=None,
        description="Extension: parts to assign, each added as POST /work_orders/{id}/parts adds it (a part listed "
        "twice gets the sum), in the same transaction; a work order created completed uses them up",
    )


class WorkOrderUpdate(WorkOrderFields):
    title: Title | None = None


class WorkOrderCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order: WorkOrderCreate


class WorkOrderUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order: WorkOrderUpdate


# ---- responses ---------------------------------------------------------------------------------------------


class StatusRef(BaseModel):
    id: int
    name: str
    is_custom: bool


class AssetRef(Ref):
    status: str


class DowntimeTracking(BaseModel):
    id: int
    started_at: datetime
    ended_at: datetime | None
    status: str


class ActiveTimer(BaseModel):
    created_by_id: int
    started_at: datetime


class RequesterRef(UserRef):
    phone_number: str | None
    email: str
    auth_type: str
    avatar: str | None


class RequestRef(BaseModel):
    id: int
    title: str
    created_at: datetime
    created_by: RequesterRef | None


class ProcedureRef(BaseModel):
    id: int
    name: str
    procedure_template_id: int | None
    completed_at: datetime | None


class ChecklistOut(BaseModel):
    text: str
    order: int
    checked: bool


class PartAssignment(BaseModel):
    part_id: int
    part_name: str
    quantity: float
    unit_name: str | None
    unit_short_name: str | None
    type: str
    total_cost: float


class TotalCosts(BaseModel):
    labor: float
    other: float
    parts: float
    total: float


class WorkOrderCommon(BaseModel):
    id: int
    title: str
    description: str | None
    priority: Priority
    type: WorkOrderType
    pm_schedule_id: int | None
    status: StatusRef
    asset: AssetRef | None
    downtime_tracking: DowntimeTracking | None
    categories: list[Ref]
    account_codes: list[Ref]
    technicians: list[TechnicianRef]
    location: LocationRef | None
    due_date: datetime | None
    completed_at: datetime | None
    active_timer_current_user: ActiveTimer | None
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


class WorkOrderListItem(WorkOrderCommon):
    work_order_request_id: int | None
    comments_count: int
    vendors: list[Ref]


class WorkOrderDetail(WorkOrderCommon):
    procedures: list[ProcedureRef]
    checklist: list[ChecklistOut]
    work_order_request: RequestRef | None
    vendors: list[VendorRef]
    notify_vendors_on_create: YesNo
    notify_vendors_on_update: YesNo
    part_assignments: list[PartAssignment]
    total_costs: TotalCosts
    images: list[Image]
    documents: list[Document]


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def work_order_detail(row: Any, refs: dict[str, Any]) -> dict[str, Any]:
    """The work order detail in the documented key order; `refs` holds the loaded references. (The list item,
    rendered by the database, is work_orders/repository.py `LIST_ITEM`.)"""
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "priority": row.priority,
        "type": row.type,
        "pm_schedule_id": row.pm_schedule_id,
        "procedures": refs["procedures"],
        "checklist": refs["checklist"],
        "status": refs["status"],
        "work_order_request": refs["work_order_request"],
        "asset": refs["asset"],
        "downtime_tracking": refs["downtime_tracking"],
        "categories": refs["categories"],
        "account_codes": refs["account_codes"],
        "technicians": refs["technicians"],
        "vendors": refs["vendors"],
        "notify_vendors_on_create": yes_no(row.notify_vendors_on_create),
        "notify_vendors_on_update": yes_no(row.notify_vendors_on_update),
        "location": refs["location"],
        "part_assignments": refs["part_assignments"],
        "due_date": row.due_date,
        "completed_at": row.completed_at,
        "total_costs": refs["total_costs"],
        "active_timer_current_user": refs["active_timer_current_user"],
        "images": [],
        "documents": [],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "created_by": refs["created_by"],
        "updated_by": refs["updated_by"],
    }


# ---- custom statuses (extension) ---------------------------------------------------------------------------


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    base_status_id: Annotated[int, Field(ge=1, le=5, strict=True)] = Field(
        description="The built-in status whose behaviour it takes: 1 open, 2 in_progress, 3 on_hold, 4 cancelled, "
        "5 completed"
    )


class StatusPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    base_status_id: Annotated[int, Field(ge=1, le=5, strict=True)] | None = None


class StatusCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_status: StatusIn


class StatusUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_status: StatusPatch


class StatusItem(BaseModel):
    id: int
    name: str
    is_custom: bool
    base_status_id: int
    base_status: str
    created_at: datetime | None
    updated_at: datetime | None


# ---- labor and costs (extension) ---------------------------------------------------------------------------


class TimeEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Id | None = Field(default=None, description="Whose work it was; default: the caller")
    started_at: DateTime
    ended_at: DateTime | None = None
    duration: Hours | None = Field(default=None, description="Hours, instead of ended_at")
    rate_type: RateType = "regular"


class TimeEntryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_entry: TimeEntryIn


class TimerStopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_type: RateType = "regular"


class TimeEntryItem(BaseModel):
    id: int
    work_order_id: int
    user: UserRef
    started_at: datetime
    ended_at: datetime
    duration: float
    rate_type: RateType
    rate: float
    cost: float
    created_at: datetime
    created_by_id: int | None


class CostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    amount: Money


class CostBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cost: CostIn


class CostItem(BaseModel):
    id: int
    work_order_id: int
    description: str
    amount: float
    created_at: datetime
    created_by_id: int | None
