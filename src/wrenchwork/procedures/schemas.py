"""Procedure shapes: the documented template list item and detail, the extension template bodies, and a work
order's procedure with its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, UserRef
from wrenchwork.core.schemas import (
    CreatedById,
    Id,
    ProcedureItemId,
    ProcedureTemplateId,
    RecordId,
    UpdatedById,
    WorkOrderId,
)
from wrenchwork.models.procedures import ITEM_TYPES

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ItemName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=5000)]
MAX_ITEMS = 200
# Checked by the service (procedures/items.py), which names the offending item in its 422.
ItemType = Annotated[
    str,
    Field(
        description="What an answer is: text, number, checkbox, yes_no, multiple_choice, meter_reading, date, "
        "signature, photo (see docs/api.md for each type's options and answers)",
        json_schema_extra={"enum": list(ITEM_TYPES)},
    ),
]


class ItemIn(BaseModel):
    """A Rails-style nested item: with `id` it changes (or `_destroy`s) that item, without `id` it adds one."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Id | None = Field(default=None, description="An existing item to change or remove")
    name: ItemName | None = None
    item_type: ItemType | None = None
    options: dict[str, Any] | None = Field(
        default=None,
        description="multiple_choice: `choices` (required); meter_reading: `unit` (required); number and "
        "meter_reading: `min`, `max`; every type: `required` (default true)",
    )
    index: Annotated[int, Field(ge=1, le=10_000)] | None = Field(default=None, description="Position, from 1")
    destroy: bool = Field(default=False, alias="_destroy")


Items = Annotated[list[ItemIn], Field(max_length=MAX_ITEMS)]


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    items_attributes: Items | None = None


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    items_attributes: Items | None = None


class TemplateCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    procedure_template: TemplateCreate


class TemplateUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    procedure_template: TemplateUpdate


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: ProcedureItemId
    value: Any = Field(description="The answer, checked against the item's type; null clears it")


class AnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: Annotated[list[AnswerIn], Field(min_length=1, max_length=MAX_ITEMS)]


class AnswersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    procedure: AnswersIn


# ---- responses ------------------------------------------------------------------------------------------------


class AssignmentCount(BaseModel):
    work_orders: int
    pm_schedules: int


class TemplateListItem(BaseModel):
    id: RecordId
    name: str
    description: str | None
    assignment_count: AssignmentCount
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


class TemplateItem(BaseModel):
    id: RecordId
    name: str
    index: int
    item_type: ItemType
    options: dict[str, Any]
    images: list[Image]
    documents: list[Document]


class TemplateDetail(BaseModel):
    id: RecordId
    name: str
    description: str | None
    items: list[TemplateItem]
    created_at: datetime
    updated_at: datetime
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


class ProcedureRef(BaseModel):
    """A work order's `procedures[]` entry."""

    id: RecordId
    name: str
    procedure_template_id: ProcedureTemplateId | None = Field(
        description="The template the procedure was copied from; null once that template is deleted"
    )
    completed_at: datetime | None


class AnsweredItem(BaseModel):
    id: RecordId
    name: str
    index: int
    item_type: ItemType
    options: dict[str, Any]
    value: Any
    answered_at: datetime | None
    answered_by: UserRef | None


class ProcedureDetail(BaseModel):
    id: RecordId
    name: str
    description: str | None
    procedure_template_id: ProcedureTemplateId | None = Field(
        description="The template the procedure was copied from; null once that template is deleted"
    )
    work_order_id: WorkOrderId
    completed_at: datetime | None
    items: list[AnsweredItem]
    created_at: datetime
    updated_at: datetime
