from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import Vendor, asset_vendors, vendor_categories, vendor_locations

VENDOR_LIST = ListSpec(
    id_column=Vendor.id,
    fields={
        "id": Field(Vendor.id, Kind.INTEGER),
        "name": Field(Vendor.name, Kind.STRING),
        "description": Field(Vendor.description, Kind.STRING),
        "is_active": Field(Vendor.is_active, Kind.BOOLEAN),
        "assign_to_work_orders": Field(Vendor.assign_to_work_orders, Kind.BOOLEAN),
        "parts_supplier": Field(Vendor.parts_supplier, Kind.BOOLEAN),
        "tax_id": Field(Vendor.tax_id, Kind.STRING),
        "address": Field(Vendor.address, Kind.STRING),
        "rating": Field(Vendor.rating, Kind.INTEGER),
        "hourly_rate": Field(Vendor.hourly_rate, Kind.DECIMAL),
        "created_at": Field(Vendor.created_at, Kind.DATETIME),
        "updated_at": Field(Vendor.updated_at, Kind.DATETIME),
        "created_by_id": Field(Vendor.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(Vendor.updated_by_id, Kind.INTEGER),
        "categories_id": Membership(Vendor.id, vendor_categories.c.vendor_id, vendor_categories.c.category_id),
        "locations_id": Membership(Vendor.id, vendor_locations.c.vendor_id, vendor_locations.c.location_id),
        "assets_id": Membership(Vendor.id, asset_vendors.c.vendor_id, asset_vendors.c.asset_id),
    },
    sortable={
        "id": Vendor.id,
        "name": Vendor.name,
        "rating": Vendor.rating,
        "hourly_rate": Vendor.hourly_rate,
        "created_at": Vendor.created_at,
        "updated_at": Vendor.updated_at,
    },
    search=(Vendor.name, Vendor.description, Vendor.tax_id, Vendor.address),
    default_sort=(("name", "asc"),),
    counter="vendors",
)
