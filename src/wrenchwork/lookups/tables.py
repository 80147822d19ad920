"""The lookup lists of the catalog. Later resources add theirs here."""

from typing import cast

from sqlalchemy import Table

from wrenchwork.lookups.resource import Lookup, UsedBy
from wrenchwork.models import (
    AccountCode,
    AssetType,
    Category,
    MeasurementUnit,
    Part,
    PartType,
    Storeroom,
    asset_asset_types,
    pm_template_account_codes,
    pm_template_categories,
    vendor_categories,
    work_order_account_codes,
    work_order_categories,
    work_order_request_categories,
)

CATEGORIES = Lookup(
    Category,
    "/categories",
    "category",
    "Category",
    (
        UsedBy(vendor_categories, "category_id", "vendors"),
        UsedBy(work_order_categories, "category_id", "work orders"),
        UsedBy(work_order_request_categories, "category_id", "requests"),
        UsedBy(pm_template_categories, "category_id", "PM schedules"),
    ),
)
ASSET_TYPES = Lookup(
    AssetType, "/asset_types", "asset_type", "Asset type", (UsedBy(asset_asset_types, "asset_type_id", "assets"),)
)
_PARTS = cast(Table, Part.__table__)
STOREROOMS = Lookup(Storeroom, "/storerooms", "storeroom", "Storeroom", (UsedBy(_PARTS, "storeroom_id", "parts"),))
PART_TYPES = Lookup(PartType, "/part_types", "part_type", "Part type", (UsedBy(_PARTS, "part_type_id", "parts"),))
MEASUREMENT_UNITS = Lookup(
    MeasurementUnit,
    "/measurement_units",
    "measurement_unit",
    "Measurement unit",
    (UsedBy(_PARTS, "measurement_unit_id", "parts"),),
    extra=("short_name",),
)
ACCOUNT_CODES = Lookup(
    AccountCode,
    "/account_codes",
    "account_code",
    "Account code",
    (
        UsedBy(work_order_account_codes, "account_code_id", "work orders"),
        UsedBy(pm_template_account_codes, "account_code_id", "PM schedules"),
    ),
)
LOOKUPS = (CATEGORIES, ASSET_TYPES, STOREROOMS, PART_TYPES, MEASUREMENT_UNITS, ACCOUNT_CODES)
