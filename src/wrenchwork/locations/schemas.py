"""Location shapes: documented create/update bodies, list item and detail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from wrenchwork.core.presenters import NO_THUMBNAIL, Document, Image, Ref, Thumbnail
from wrenchwork.core.qr import QrCodeCreate, QrCodeUpdate
from wrenchwork.core.schemas import CreatedById, ParentLocationId, RecordId, RootId, UpdatedById

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5000)]


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: LongText | None = None
    address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    parent_id: ParentLocationId | None = None
    qr_code_attributes: QrCodeCreate | None = None


class LocationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: LongText | None = None
    address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    parent_id: ParentLocationId | None = None
    qr_code_attributes: QrCodeUpdate | None = None


class LocationCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: LocationCreate


class LocationUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: LocationUpdate


class LocationListItem(BaseModel):
    id: RecordId
    name: str
    description: str | None
    address: str | None
    parent: Ref | None
    path: str
    qr_code: str | None
    image: Thumbnail
    created_at: datetime
    updated_at: datetime


class LocationDetail(BaseModel):
    id: RecordId
    name: str
    description: str | None
    address: str | None
    parent: Ref | None
    root_id: RootId | None
    path: str
    has_children: bool
    qr_code: str | None
    images: list[Image]
    documents: list[Document]
    created_at: datetime
    updated_at: datetime
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


def location_item(row: Any, parent_name: str | None) -> dict[str, Any]:
    """The list item of a location row (its parent's name beside it); `image` is filled by files/present.py."""
    parent = None if row.parent_id is None else {"id": row.parent_id, "name": parent_name}
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "address": row.address,
        "parent": parent,
        "path": row.path,
        "qr_code": row.qr_code,
        "image": dict(NO_THUMBNAIL),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
