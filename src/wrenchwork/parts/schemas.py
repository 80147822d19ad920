"""Part shapes: the documented create/update bodies, list item and detail, the four stock actions' flat bodies
and the ledger transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from wrenchwork.core.presenters import Document, Image, PrimaryContact, Ref, Thumbnail, UserRef, user_ref
from wrenchwork.core.qr import QrCodeCreate, QrCodeUpdate
from wrenchwork.core.schemas import (
    AssetIds,
    MeasurementUnitId,
    PartTypeId,
    RecordId,
    StoreroomId,
    VendorId,
    WorkOrderId,
)
from wrenchwork.files.schemas import AttachmentIds

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Note = Annotated[str, StringConstraints(max_length=2000)]
# Stock quantities: at most 3 decimal places, below 1e9; unit costs: at most 2 decimal places, below 1e7
# (so that quantity x cost always fits a ledger line, see parts/stock.py).
StockQty = Annotated[Decimal, Field(ge=0, lt=Decimal("1e9"), decimal_places=3, allow_inf_nan=False)]
ReceivedQty = Annotated[Decimal, Field(gt=0, lt=Decimal("1e9"), decimal_places=3, allow_inf_nan=False)]
SignedQty = Annotated[Decimal, Field(gt=-Decimal("1e9"), lt=Decimal("1e9"), decimal_places=3, allow_inf_nan=False)]
TransactionType = Annotated[
    Literal["initial", "restock", "reconcile", "cost_update", "avg_cost_update", "usage", "usage_return"],
    Field(
        description="What the ledger line records: initial (stock at create), restock, reconcile, cost_update "
        "(unit_cost), avg_cost_update, usage (a work order completed), usage_return (completion undone)"
    ),
]
UnitCost = Annotated[Decimal, Field(ge=0, lt=Decimal("1e7"), decimal_places=2, allow_inf_nan=False)]


class VendorPartIn(BaseModel):
    """One `vendor_parts_attributes` row, matched to the part's existing rows by `vendor_id`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    vendor_id: VendorId
    vendor_part_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    is_preferred: bool | None = None
    destroy: bool = Field(default=False, alias="_destroy", description="Remove this vendor from the part")


class PartFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    min_qty: StockQty | None = None
    desired_qty: StockQty | None = None
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    area: Text200 | None = None
    lead_time: Annotated[int, Field(ge=0, le=100_000)] | None = Field(default=None, description="Days")
    part_type_id: PartTypeId | None = None
    storeroom_id: StoreroomId | None = None
    measurement_unit_id: MeasurementUnitId | None = None
    assets_ids: AssetIds | None = None
    vendor_parts_attributes: Annotated[list[VendorPartIn], Field(max_length=100)] | None = None


class PartCreate(PartFields):
    name: Name
    is_non_stock: bool = False
    on_hand_qty: StockQty = Decimal(0)
    unit_cost: UnitCost = Decimal(0)
    qr_code_attributes: QrCodeCreate | None = None


class PartUpdate(PartFields):
    name: Name | None = None
    qr_code_attributes: QrCodeUpdate | None = None
    # Not changeable here; accepted only to answer with a 422 that says where they do change.
    is_non_stock: SkipJsonSchema[Any] = None
    on_hand_qty: SkipJsonSchema[Any] = None
    unit_cost: SkipJsonSchema[Any] = None
    avg_unit_cost: SkipJsonSchema[Any] = None


class PartCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    part: PartCreate


class PartUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    part: PartUpdate


# ---- actions (flat bodies) -----------------------------------------------------------------------------------


class Restock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: ReceivedQty = Field(description="Quantity received (> 0, at most 3 decimal places)")
    cost: UnitCost = Field(description="Unit cost of restocked items; the part's avg_unit_cost is re-weighted")
    note: Note | None = None
    attachment_ids: AttachmentIds | None = None


class Reconcile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: SignedQty = Field(
        description="Positive or negative adjustment amount. The resulting on_hand_qty cannot be negative."
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    attachment_ids: AttachmentIds | None = None


class CostChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cost: UnitCost
    note: Note | None = None
    attachment_ids: AttachmentIds | None = None


# ---- responses (OpenAPI) -------------------------------------------------------------------------------------


class UnitRef(Ref):
    short_name: str | None


class PartVendor(Ref):
    is_preferred: bool
    vendor_part_number: str | None
    primary_contact: PrimaryContact | None


class PartCommon(BaseModel):
    id: RecordId
    name: str
    description: str | None
    is_non_stock: bool
    number: str | None
    area: str | None
    lead_time: int | None
    on_hand_qty: float
    min_qty: float | None
    desired_qty: float | None
    unit_cost: float
    avg_unit_cost: float
    part_type: Ref | None
    storeroom: Ref | None
    available: float
    assets: list[Ref]
    qr_code: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


class PartListItem(PartCommon):
    measurement_unit: Ref | None
    vendors: list[Ref]
    image: Thumbnail


class PartDetail(PartCommon):
    measurement_unit: UnitRef | None
    reserved: float
    reorder_qty: float | None = Field(
        description="Extension: desired_qty - on_hand_qty when positive, else 0; null without desired_qty "
        "or for a non-stock part"
    )
    vendors: list[PartVendor]
    images: list[Image]
    documents: list[Document]


class TransactionItem(BaseModel):
    id: RecordId
    note: str | None
    type: TransactionType
    work_order_id: WorkOrderId | None = Field(
        description="The work order whose parts the line uses or returns (usage, usage_return); null otherwise"
    )
    cost: float
    total_cost: float
    quantity: float
    images: list[Image]
    documents: list[Document]
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None
    updated_by: UserRef | None


# ---- presenting ----------------------------------------------------------------------------------------------

SCALARS = (
    "id", "name", "description", "is_non_stock", "number", "area", "lead_time", "on_hand_qty", "min_qty",
    "desired_qty", "unit_cost", "avg_unit_cost",
)  # fmt: skip


def transaction_item(row: Any) -> dict[str, Any]:
    """One ledger line (a row of parts/repository.py `LEDGER`)."""
    return {
        "id": row.id,
        "note": row.note,
        "type": row.type,
        "work_order_id": row.work_order_id,
        "cost": row.cost,
        "total_cost": row.total_cost,
        "quantity": row.quantity,
        "images": [],
        "documents": [],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "created_by": user_ref(row.created_by_id, row.creator_name, row.creator_surname),
        "updated_by": user_ref(row.updated_by_id, row.editor_name, row.editor_surname),
    }
