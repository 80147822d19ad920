"""Work order shapes: the documented create/update body, list item and detail, and the extension bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, TechnicianRef, UserRef, VendorRef
from wrenchwork.core.schemas import (
    AccountCodeIds,
    AssetId,
    AssetStatus,
    AuthType,
    BaseStatusId,
    CategoryIds,
    CreatedById,
    DateTime,
    LocationId,
    Money,
    PartId,
    PmScheduleId,
    Priority,
    ProcedureTemplateId,
    ProcedureTemplateIds,
    RecordId,
    StatusId,
    TechnicianIds,
    UserId,
    VendorIds,
    WorkOrderId,
    WorkOrderRequestId,
)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
WorkOrderType = Annotated[
    Literal["reactive", "preventive"],
    Field(
        description="reactive (default: a response to a problem) or preventive (planned, e.g. from a PM "
        "schedule); fixed after create"
    ),
]
YesNo = Annotated[Literal["yes", "no"], Field(description="yes or no (default no); stored, no notification is sent")]
RateType = Annotated[
    Literal["regular", "overtime1", "overtime2"],
    Field(description="Which of the user's rates prices the time: regular_rate, overtime_rate1 or overtime_rate2"),
]
BaseStatus = Annotated[
    Literal["open", "in_progress", "on_hold", "cancelled", "completed"],
    Field(description="The built-in status behind it (the name of base_status_id)"),
]
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

    part_id: PartId
    quantity: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=3, allow_inf_nan=False)]


class WorkOrderFields(BaseModel):
    """Fields create and update share. `asset_status` and `downtime_reason` are extensions (DESIGN §7)."""

    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    priority: Priority | None = None
    due_date: DateTime | None = None
    completed_at: DateTime | None = None
    location_id: LocationId | None = None
    asset_id: AssetId | None = None
    status_id: StatusId | None = None
    categories_ids: CategoryIds | None = None
    account_codes_ids: AccountCodeIds | None = None
    procedure_template_ids: ProcedureTemplateIds | None = None
    technicians_ids: TechnicianIds | None = None
    vendors_ids: VendorIds | None = None
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
    work_order_request_id: WorkOrderRequestId | None = Field(
        default=None,
        description="The request the work order comes from (GET /work_order_requests); a request has at most one "
        "work order",
    )
    notify_vendors_on_create: YesNo | None = None
    pm_schedule_id: PmScheduleId | None = Field(
        default=None, description="Extension: the PM schedule (GET /pm_schedules) that generated the work order"
    )
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
    id: StatusId
    name: str
    is_custom: bool


class AssetRef(Ref):
    status: AssetStatus


class DowntimeTracking(BaseModel):
    id: RecordId
    started_at: datetime
    ended_at: datetime | None
    status: AssetStatus = Field(description="offline while the downtime is open, online once it is closed")


class ActiveTimer(BaseModel):
    created_by_id: UserId = Field(description="The user whose timer it is (only that user sees it)")
    started_at: datetime


class RequesterRef(UserRef):
    phone_number: str | None
    email: str
    auth_type: AuthType
    avatar: str | None


class RequestRef(BaseModel):
    id: RecordId
    title: str
    created_at: datetime
    created_by: RequesterRef | None


class ProcedureRef(BaseModel):
    id: RecordId
    name: str
    procedure_template_id: ProcedureTemplateId | None = Field(
        description="The template the procedure was copied from; null once that template is deleted"
    )
    completed_at: datetime | None


class ChecklistOut(BaseModel):
    text: str
    order: int
    checked: bool


class PartAssignment(BaseModel):
    part_id: PartId
    part_name: str
    quantity: float
    unit_name: str | None
    unit_short_name: str | None
    type: Literal["usage"] = Field(description="Always usage: the part is used by the work order")
    total_cost: float


class TotalCosts(BaseModel):
    labor: float
    other: float
    parts: float
    total: float


class WorkOrderCommon(BaseModel):
    id: RecordId
    title: str
    description: str | None
    priority: Priority
    type: WorkOrderType
    pm_schedule_id: PmScheduleId | None
    status: StatusRef = Field(description="The work order's status (GET /work_order_statuses lists them)")
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
    work_order_request_id: WorkOrderRequestId | None
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


# ---- custom statuses (extension) ---------------------------------------------------------------------------


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    base_status_id: BaseStatusId


class StatusPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    base_status_id: BaseStatusId | None = None


class StatusCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_status: StatusIn


class StatusUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_status: StatusPatch


class StatusItem(BaseModel):
    id: StatusId
    name: str
    is_custom: bool = Field(description="false for the built-in statuses 1..5, true for the entity's own")
    base_status_id: BaseStatusId
    base_status: BaseStatus
    created_at: datetime = Field(description="For a built-in status: when the entity was created")
    updated_at: datetime


# ---- labor and costs (extension) ---------------------------------------------------------------------------


class TimeEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: UserId | None = Field(
        default=None, description="Whose work it was (a user who can be assigned work here); default: the caller"
    )
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
    id: RecordId
    work_order_id: WorkOrderId
    user: UserRef
    started_at: datetime
    ended_at: datetime
    duration: float
    rate_type: RateType
    rate: float
    cost: float
    created_at: datetime
    created_by_id: CreatedById | None


class CostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    amount: Money


class CostBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cost: CostIn


class CostItem(BaseModel):
    id: RecordId
    work_order_id: WorkOrderId
    description: str
    amount: float
    created_at: datetime
    created_by_id: CreatedById | None
