"""The part list and a part's ledger list: their filterable, sortable and searchable fields."""

from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import Part, PartTransaction, VendorPart, part_assets
from wrenchwork.models.inventory import TRANSACTION_TYPES

PART_LIST = ListSpec(
    id_column=Part.id,
    fields={
        "id": Field(Part.id, Kind.INTEGER),
        "name": Field(Part.name, Kind.STRING),
        "description": Field(Part.description, Kind.STRING),
        "is_non_stock": Field(Part.is_non_stock, Kind.BOOLEAN),
        "number": Field(Part.number, Kind.STRING),
        "area": Field(Part.area, Kind.STRING),
        "lead_time": Field(Part.lead_time, Kind.INTEGER),
        "on_hand_qty": Field(Part.on_hand_qty, Kind.DECIMAL),
        "min_qty": Field(Part.min_qty, Kind.DECIMAL),
        "desired_qty": Field(Part.desired_qty, Kind.DECIMAL),
        "unit_cost": Field(Part.unit_cost, Kind.DECIMAL),
        "avg_unit_cost": Field(Part.avg_unit_cost, Kind.DECIMAL),
        "low_stock": Field(Part.low_stock, Kind.BOOLEAN),  # a stored computed column (models/inventory.py)
        "part_type_id": Field(Part.part_type_id, Kind.INTEGER),
        "storeroom_id": Field(Part.storeroom_id, Kind.INTEGER),
        "measurement_unit_id": Field(Part.measurement_unit_id, Kind.INTEGER),
        "qr_code": Field(Part.qr_code, Kind.STRING),
        "created_at": Field(Part.created_at, Kind.DATETIME),
        "updated_at": Field(Part.updated_at, Kind.DATETIME),
        "created_by_id": Field(Part.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(Part.updated_by_id, Kind.INTEGER),
        "assets_id": Membership(Part.id, part_assets.c.part_id, part_assets.c.asset_id),
        "vendors_id": Membership(Part.id, VendorPart.part_id, VendorPart.vendor_id),
    },
    sortable={
        "id": Part.id,
        "name": Part.name,
        "number": Part.number,
        "area": Part.area,
        "lead_time": Part.lead_time,
        "on_hand_qty": Part.on_hand_qty,
        "min_qty": Part.min_qty,
        "desired_qty": Part.desired_qty,
        "unit_cost": Part.unit_cost,
        "avg_unit_cost": Part.avg_unit_cost,
        "created_at": Part.created_at,
        "updated_at": Part.updated_at,
    },
    search=(Part.name, Part.number, Part.description, Part.area),
    default_sort=(("name", "asc"),),
    counter="parts",
)

TRANSACTION_LIST = ListSpec(
    id_column=PartTransaction.id,
    fields={
        "id": Field(PartTransaction.id, Kind.INTEGER),
        "type": Field(PartTransaction.type, Kind.ENUM, TRANSACTION_TYPES),
        "work_order_id": Field(PartTransaction.work_order_id, Kind.INTEGER),
        "quantity": Field(PartTransaction.quantity, Kind.DECIMAL),
        "cost": Field(PartTransaction.cost, Kind.DECIMAL),
        "total_cost": Field(PartTransaction.total_cost, Kind.DECIMAL),
        "note": Field(PartTransaction.note, Kind.STRING),
        "created_at": Field(PartTransaction.created_at, Kind.DATETIME),
        "updated_at": Field(PartTransaction.updated_at, Kind.DATETIME),
        "created_by_id": Field(PartTransaction.created_by_id, Kind.INTEGER),
    },
    sortable={
        "id": PartTransaction.id,
        "type": PartTransaction.type,
        "quantity": PartTransaction.quantity,
        "cost": PartTransaction.cost,
        "total_cost": PartTransaction.total_cost,
        "created_at": PartTransaction.created_at,
        "updated_at": PartTransaction.updated_at,
    },
    search=(PartTransaction.note,),
    default_sort=(("updated_at", "desc"),),
)
