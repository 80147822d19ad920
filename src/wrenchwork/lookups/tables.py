"""The lookup lists of the catalog. Later resources add theirs here."""

from wrenchwork.lookups.resource import Lookup, UsedBy
from wrenchwork.models import AssetType, Category, asset_asset_types, vendor_categories

CATEGORIES = Lookup(
    Category, "/categories", "category", "Category", (UsedBy(vendor_categories, "category_id", "vendors"),)
)
ASSET_TYPES = Lookup(
    AssetType, "/asset_types", "asset_type", "Asset type", (UsedBy(asset_asset_types, "asset_type_id", "assets"),)
)
LOOKUPS = (CATEGORIES, ASSET_TYPES)
