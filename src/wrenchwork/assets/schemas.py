"""Asset shapes: the documented create/update body, list item and detail; status and downtime extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import (
    Document,
    Image,
    LocationRef,
    Ref,
    TechnicianRef,
    Thumbnail,
    UserRef,
    VendorRef,
)
from wrenchwork.core.qr import QrCodeCreate, QrCodeUpdate
from wrenchwork.core.schemas import (
    AssetId,
    AssetStatus,
    AssetTypeIds,
    CreatedById,
    Date,
    LocationId,
    Money,
    ParentAssetId,
    PartIds,
    RecordId,
    RootId,
    TechnicianIds,
    VendorIds,
    WorkOrderId,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Count = Annotated[int, Field(ge=0, le=100_000)]


class AssetFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    model: Text200 | None = None
    manufacturer: Text200 | None = None
    serial_number: Text200 | None = None
    purchase_date: Date | None = None
    warranty_exp_date: Date | None = None
    warranty_expiration_notification: Count | None = Field(default=None, description="Days before expiry")
    life_expectancy: Count | None = Field(default=None, description="Months")
    purchase_cost: Money | None = None
    replacement_cost: Money | None = None
    salvage_value: Money | None = None
    location_id: LocationId | None = None
    parent_id: ParentAssetId | None = None
    asset_types_ids: AssetTypeIds | None = None
    technicians_ids: TechnicianIds | None = None
    parts_ids: PartIds | None = None
    vendors_ids: VendorIds | None = None


class AssetCreate(AssetFields):
    name: Name
    qr_code_attributes: QrCodeCreate | None = None


class AssetUpdate(AssetFields):
    name: Name | None = None
    qr_code_attributes: QrCodeUpdate | None = None


class AssetCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset: AssetCreate


class AssetUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset: AssetUpdate


class AssetStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: AssetStatus
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None
    work_order_id: WorkOrderId | None = Field(
        default=None, description="A work order of the entity to link the downtime record to"
    )


class AssetCommon(BaseModel):
    id: RecordId
    name: str
    description: str | None
    model: str | None
    manufacturer: str | None
    serial_number: str | None
    warranty_expiration_notification: int | None
    life_expectancy: int | None
    asset_code: str | None
    status: AssetStatus
    purchase_cost: float | None
    replacement_cost: float | None
    salvage_value: float | None
    parent: Ref | None
    location: LocationRef | None
    technicians: list[TechnicianRef]
    asset_types: list[Ref]
    parts: list[Ref]
    purchase_date: date | None
    warranty_exp_date: date | None
    qr_code: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


class AssetListItem(AssetCommon):
    vendors: list[Ref]
    image: Thumbnail


class AssetDetail(AssetCommon):
    root_id: RootId | None
    vendors: list[VendorRef]
    has_children: bool
    images: list[Image]
    documents: list[Document]


class DowntimeItem(BaseModel):
    id: RecordId
    asset_id: AssetId
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None
    reason: str | None
    work_order_id: WorkOrderId | None
    created_at: datetime
    created_by_id: CreatedById | None


class Availability(BaseModel):
    asset_id: AssetId
    from_: datetime = Field(alias="from")
    to: datetime
    total_seconds: int
    downtime_seconds: int
    uptime_seconds: int
    availability: float = Field(description="Percent of the period the asset was online, 2 decimals")
    downtimes_count: int


SCALARS = (
    "id", "name", "description", "model", "manufacturer", "serial_number", "warranty_expiration_notification",
    "life_expectancy",
)  # fmt: skip
COSTS = ("asset_code", "status", "purchase_cost", "replacement_cost", "salvage_value")


def downtime_item(row: Any) -> dict[str, Any]:
    duration = None if row.ended_at is None else int((row.ended_at - row.started_at).total_seconds())
    return {
        "id": row.id,
        "asset_id": row.asset_id,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "duration_seconds": duration,
        "reason": row.reason,
        "work_order_id": row.work_order_id,
        "created_at": row.created_at,
        "created_by_id": row.created_by_id,
    }
