"""Request shapes: the documented create/update body (identical for both), list item and detail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, TechnicianRef, UserRef, VendorRef
from wrenchwork.core.schemas import DateTime, Id

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Ids = Annotated[list[Id], Field(max_length=1000)]
RequestStatus = Literal["pending", "approved", "declined", "on_hold"]
Priority = Literal["none", "low", "medium", "high"]


class RequestFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    status: RequestStatus | None = Field(
        default=None, description="pending (default), approved (creates the work order), declined, on_hold"
    )
    notify: bool | None = None
    priority: Priority | None = None
    location_id: Id | None = None
    asset_id: Id | None = None
    categories_ids: Ids | None = None
    technicians_ids: Ids | None = None
    vendors_ids: Ids | None = None
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
    auth_type: str
    avatar: str | None


class RequestPortal(BaseModel):
    id: int
    uuid: str
    title: str


class RequestBase(BaseModel):
    id: int
    title: str
    description: str | None
    status: RequestStatus
    priority: Priority
    work_order_id: int | None
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
