"""One importer per resource: its columns and how a row becomes the API's create or update body."""

from __future__ import annotations

from wrenchwork.imports.resources.assets import AssetImporter
from wrenchwork.imports.resources.base import Importer
from wrenchwork.imports.resources.locations import LocationImporter
from wrenchwork.imports.resources.parts import PartImporter
from wrenchwork.imports.resources.pm_schedules import PmScheduleImporter
from wrenchwork.imports.resources.users import UserImporter
from wrenchwork.imports.resources.vendors import VendorImporter

IMPORTERS: dict[str, type[Importer]] = {
    "locations": LocationImporter,
    "assets": AssetImporter,
    "parts": PartImporter,
    "vendors": VendorImporter,
    "users": UserImporter,
    "pm_schedules": PmScheduleImporter,
}
