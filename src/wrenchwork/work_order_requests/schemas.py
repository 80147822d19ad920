"""Request shapes: the documented create/update body (identical for both), list item and detail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, TechnicianRef, UserRef, VendorRef
from wrenchwork.core.schemas import (
    AssetId,
    AuthType,
    CategoryIds,
    DateTime,
    LocationId,
    Priority,
    RecordId,
    TechnicianIds,
    VendorIds,
    WorkOrderId,
)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
RequestStatus = Annotated[
    Literal["pending", "approved", "declined", "on_hold"],
    Field(description="pending (default), approved (creates the work order), declined, on_hold"),
]


class RequestFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    status: RequestStatus | None = None
    notify: bool | None = None
    priority: Priority | None = None
    location_id: LocationId | None = None
    asset_id: AssetId | None = None
    categories_ids: CategoryIds | None = None
    technicians_ids: TechnicianIds | None = None
    vendors_ids: VendorIds | None = None
    due_date: DateTime | None = None


class RequestCreate(RequestFields):
    title: Title


class RequestUpdate(RequestFields):
    title: Title | None = None


class RequestCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_request: RequestCreate


class RequestUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_order_request: RequestUpdate


# ---- responses ---------------------------------------------------------------------------------------------


class RequesterRef(UserRef):
    phone_number: str | None
    email: str
    auth_type: AuthType
    avatar: str | None


class RequestPortal(BaseModel):
    id: RecordId
    uuid: str
    title: str


class RequestBase(BaseModel):
    id: RecordId
    title: str
    description: str | None
    status: RequestStatus
    priority: Priority
    work_order_id: WorkOrderId | None = Field(description="The work order made from the request once approved")
    location: LocationRef | None
    asset: Ref | None
    categories: list[Ref]
    technicians: list[TechnicianRef]
    due_date: datetime | None
    completed_at: datetime | None
    request_portal: RequestPortal | None
    created_at: datetime
    updated_at: datetime
    updated_by: UserRef | None


class RequestListItem(RequestBase):
    vendors: list[Ref]
    comments_count: int
    created_by: UserRef | None


class RequestDetail(RequestBase):
    notify: bool
    vendors: list[VendorRef]
    images: list[Image]
    documents: list[Document]
    created_by: RequesterRef | None
