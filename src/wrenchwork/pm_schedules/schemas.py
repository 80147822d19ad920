"""PM schedule shapes: the extension create/update bodies, the documented list item and detail, the forecasts.

The template work order takes the work order's own field types (work_orders/schemas.py), so a template accepts
exactly what a work order would.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from wrenchwork.core.envelope import Meta, Success
from wrenchwork.core.model_base import as_utc
from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, TechnicianRef, UserRef, VendorRef
from wrenchwork.core.schemas import (
    AccountCodeIds,
    AssetId,
    CategoryIds,
    CreatedById,
    DateTime,
    LocationId,
    PartId,
    Priority,
    ProcedureTemplateIds,
    TechnicianIds,
    UpdatedById,
    VendorIds,
    WorkOrderId,
    check_year,
)
from wrenchwork.work_orders.schemas import (
    AssetRef,
    ChecklistItem,
    ChecklistOut,
    Description,
    PartAssignment,
    Title,
)

# The years a start date may fall in (the recurrence rules are computed over this range).
MAX_HOURS_TO_COMPLETE = 8760  # a year
MAX_INTERVAL = 1000
MAX_TEMPLATE_PARTS = 200

PmType = Annotated[
    Literal["one_time", "persistent", "floating"],
    Field(
        description="one_time (one work order at start_date), persistent (one per occurrence, whether earlier "
        "ones are open or not) or floating (the next occurrence counts from the completion of the previous work "
        "order; nothing while it is open)"
    ),
]
# `completed` is the engine's: a one-time schedule that has generated its work order.
SettableStatus = Literal["planned", "paused"]
PmStatus = Annotated[
    Literal["planned", "paused", "completed"],
    Field(description="planned (active), paused (generates nothing) or completed (a one_time schedule that is done)"),
]
Frequency = Annotated[
    Literal["hour", "day", "week", "month", "season", "year"],
    Field(description="The unit of repeat_interval: hour, day, week, month, season (3 months) or year"),
]
RepeatOccurrence = Annotated[Literal["custom"], Field(description="Always custom: the rule is in the other fields")]
ScheduleId = Annotated[int, Field(description="ID of the PM schedule (GET /pm_schedules/{id})")]
TemplateId = Annotated[int, Field(description="ID of the schedule's template work order (not a work order)")]


def _start(value: datetime) -> datetime:
    moment = as_utc(value).replace(microsecond=0)
    check_year(moment)  # in UTC too: a start late on 31 Dec 2999 west of UTC is past the range
    return moment


def _distinct(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return sorted(values)


StartDate = Annotated[DateTime, AfterValidator(_start)]
HoursToComplete = Annotated[int, Field(ge=0, le=MAX_HOURS_TO_COMPLETE, strict=True)]
Interval = Annotated[int, Field(ge=1, le=MAX_INTERVAL, strict=True)]
WeekDays = Annotated[
    list[Annotated[int, Field(ge=1, le=7, strict=True)]], Field(max_length=7), AfterValidator(_distinct)
]
Months = Annotated[
    list[Annotated[int, Field(ge=1, le=12, strict=True)]], Field(max_length=12), AfterValidator(_distinct)
]
MonthDay = Annotated[int, Field(ge=1, le=31, strict=True)]
TemplateIds = Annotated[ProcedureTemplateIds, AfterValidator(_distinct)]
PartQuantity = Annotated[Decimal, Field(gt=0, lt=Decimal("1e9"), decimal_places=3, allow_inf_nan=False)]


class TemplatePartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    part_id: PartId
    quantity: PartQuantity = Field(description="Reserved on each generated work order; > 0, 3 decimals")


def _distinct_parts(parts: list[TemplatePartIn]) -> list[TemplatePartIn]:
    if len({p.part_id for p in parts}) != len(parts):
        raise ValueError("names a part twice")
    return parts


TemplateParts = Annotated[list[TemplatePartIn], Field(max_length=MAX_TEMPLATE_PARTS), AfterValidator(_distinct_parts)]


class TemplateFields(BaseModel):
    """What a template shares with a work order; each `*_ids`, `checklist` and `parts` replaces the whole set."""

    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    priority: Priority | None = None
    asset_id: AssetId | None = None
    location_id: LocationId | None = None
    categories_ids: CategoryIds | None = None
    account_codes_ids: AccountCodeIds | None = None
    technicians_ids: TechnicianIds | None = None
    vendors_ids: VendorIds | None = None
    checklist: Annotated[list[ChecklistItem], Field(max_length=500)] | None = None
    parts: TemplateParts | None = None


class TemplateCreate(TemplateFields):
    title: Title


class TemplateUpdate(TemplateFields):
    title: Title | None = None


class ScheduleFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SettableStatus | None = Field(
        default=None, description="planned (active, the default) or paused (generates nothing)"
    )
    repeat_interval: Interval | None = Field(default=None, description="Extension: every N units (default 1)")
    repeat_occurrence: RepeatOccurrence | None = None
    on_week_days: WeekDays | None = Field(default=None, description="ISO weekdays, 1 = Monday .. 7 = Sunday")
    in_months: Months | None = Field(default=None, description="Months 1..12")
    on_month_day: MonthDay | None = None
    procedure_template_ids: TemplateIds | None = None


class PmScheduleCreate(ScheduleFields):
    type: PmType
    start_date: StartDate
    time_to_complete: HoursToComplete = Field(description="Hours from the order date to the due date")
    repeat_frequency: Frequency
    template_work_order_attributes: TemplateCreate


class PmScheduleUpdate(ScheduleFields):
    type: PmType | None = None
    start_date: StartDate | None = None
    time_to_complete: HoursToComplete | None = None
    repeat_frequency: Frequency | None = None
    template_work_order_attributes: TemplateUpdate | None = None


class PmScheduleCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pm_schedule: PmScheduleCreate


class PmScheduleUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pm_schedule: PmScheduleUpdate


# ---- responses (for the OpenAPI document; reads render plain dicts) -----------------------------------------


class Progression(BaseModel):
    percentage: int | None
    id: WorkOrderId | None
    status: Annotated[
        Literal["overdue"] | None,
        Field(description="overdue while that work order is open past its due date, else null"),
    ]


class TemplateCommon(BaseModel):
    id: TemplateId
    title: str
    description: str | None
    priority: Priority
    asset: AssetRef | None
    categories: list[Ref]
    account_codes: list[Ref]
    technicians: list[TechnicianRef]
    location: LocationRef | None
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


class TemplateListOut(TemplateCommon):
    vendors: list[Ref]


class TemplateDetailOut(TemplateCommon):
    checklist: list[ChecklistOut]
    vendors: list[VendorRef]
    part_assignments: list[PartAssignment]
    images: list[Image]
    documents: list[Document]


class PmScheduleCommon(BaseModel):
    id: ScheduleId
    status: PmStatus
    type: PmType
    start_date: datetime
    time_to_complete: int
    next_order_date: datetime | None
    next_due_date: datetime | None
    repeat_frequency: Frequency
    repeat_occurrence: RepeatOccurrence
    on_week_days: list[int]
    in_months: list[int]
    on_month_day: int | None
    has_uncompleted_wo: bool
    progression: Progression
    created_at: datetime
    updated_at: datetime


class PmScheduleListItem(PmScheduleCommon):
    template_work_order: TemplateListOut
    created_by: UserRef | None
    updated_by: UserRef | None


class PmScheduleDetail(PmScheduleCommon):
    procedure_templates: list[Ref]
    template_work_order: TemplateDetailOut
    has_work_orders: bool
    last_active_work_order_id: WorkOrderId | None
    last_active_work_order_title: str | None
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


class Occurrence(BaseModel):
    order_date: datetime
    due_date: datetime


class CalendarAsset(BaseModel):
    id: AssetId
    name: str


class CalendarEntry(Occurrence):
    pm_schedule_id: ScheduleId
    title: str
    asset: CalendarAsset | None


class ForecastMeta(Meta):
    until: date = Field(description="The last day included, in the entity's time zone")
    truncated: bool = Field(description="More occurrences exist up to `until` than the 500 shown")


class CalendarMeta(ForecastMeta):
    from_: date = Field(alias="from", description="The first day included, in the entity's time zone")


class ForecastEnvelope(BaseModel):
    status: Success
    data: list[Occurrence]
    meta: ForecastMeta


class CalendarEnvelope(BaseModel):
    status: Success
    data: list[CalendarEntry]
    meta: CalendarMeta
