"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from wrenchwork.core.counters import RowCount
from wrenchwork.core.model_base import Base
from wrenchwork.models.catalog import (
    Asset,
    AssetType,
    Category,
    Downtime,
    Location,
    Vendor,
    VendorContact,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)
from wrenchwork.models.tenancy import ApiKey, Customer, Entity, User, UserRole
from wrenchwork.models.work_orders import WorkOrder

# Tables whose rows carry a QR code; a code is unique across all of them within an entity.
QR_CODED = (Location, Asset)

__all__ = [
    "QR_CODED",
    "ApiKey",
    "Asset",
    "AssetType",
    "Base",
    "Category",
    "Customer",
    "Downtime",
    "Entity",
    "Location",
    "RowCount",
    "User",
    "UserRole",
    "Vendor",
    "VendorContact",
    "WorkOrder",
    "asset_asset_types",
    "asset_technicians",
    "asset_vendors",
    "vendor_categories",
    "vendor_locations",
]
