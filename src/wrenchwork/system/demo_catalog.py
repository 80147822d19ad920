"""Demo catalog: a plant with buildings and rooms, equipment with sub-assemblies, and its service vendors.

Everything goes through the services, so the demo obeys the same rules (paths, roots, links) as the API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.assets import service as assets
from wrenchwork.assets.repository import AssetRepository
from wrenchwork.assets.schemas import AssetCreate
from wrenchwork.core.auth import Scope
from wrenchwork.core.qr import QrCodeCreate
from wrenchwork.locations import service as locations
from wrenchwork.locations.schemas import LocationCreate
from wrenchwork.lookups.resource import LookupService
from wrenchwork.lookups.tables import ASSET_TYPES, CATEGORIES
from wrenchwork.system.demo_records import DemoRecords, lookup_ids, unused
from wrenchwork.vendors import service as vendors
from wrenchwork.vendors.schemas import ContactIn, VendorCreate

SITE = {
    "Building A": ["Boiler Room", "Main Conference Room", "Production Hall 1", "Roof"],
    "Building B": ["Packaging Line", "Compressor Room", "Loading Dock"],
    "Yard": ["Fuel Station", "Water Treatment"],
}
VENDORS = [
    ("Summit HVAC & Refrigeration", ["HVAC", "Refrigeration"], "Robert Smith", "robert.smith@summit-hvac.example"),
    ("Brightline Electrical", ["Electrical"], "Grace Liu", "grace.liu@brightline.example"),
    ("Atlas Industrial Supply", ["Parts supply"], "Omar Haddad", "omar@atlas-supply.example"),
    ("Clearwater Pumps", ["Plumbing", "Pumps"], "Julia Weber", "julia.weber@clearwater.example"),
]
# name, code prefix, type, room, manufacturer, model, cost, sub-assemblies
EQUIPMENT = [
    ("Rooftop Air Handler", "AHU", "HVAC", "Roof", "Trane", "IntelliPak 2", "48250.00", ["Supply Fan", "Cooling Coil"]),
    ("Steam Boiler", "BLR", "Boilers", "Boiler Room", "Cleaver-Brooks", "CBEX Elite", "96500.00", ["Burner"]),
    ("Air Compressor", "CMP", "Compressors", "Compressor Room", "Atlas Copco", "GA 37 VSD+", "31800.00", ["Dryer"]),
    ("Conveyor Line 1", "CNV", "Conveyors", "Packaging Line", "Hytrol", "E24EZ", "22400.00", ["Drive Motor"]),
    ("Shrink Wrapper", "SHW", "Packaging", "Packaging Line", "Lantech", "Q-300", "38900.00", []),
    ("CNC Mill", "CNC", "Machine tools", "Production Hall 1", "Haas", "VF-2SS", "74900.00", ["Spindle"]),
    ("Transfer Pump", "PMP", "Pumps", "Water Treatment", "Grundfos", "CR 32-2", "6800.00", []),
    ("Dock Leveler", "DCK", "Doors & docks", "Loading Dock", "Rite-Hite", "HydroKing", "9400.00", []),
]


def load_catalog(session: Session, scope: Scope, made: DemoRecords) -> str:
    categories = lookup_ids(session, scope, LookupService(CATEGORIES), {c for _, cs, *_ in VENDORS for c in cs})
    types = lookup_ids(session, scope, LookupService(ASSET_TYPES), {e[2] for e in EQUIPMENT})
    rooms: dict[str, dict[str, Any]] = {}
    for building, names in SITE.items():
        top = locations.create_location(
            session, scope, LocationCreate(name=building, address="123 Example St",
                                           qr_code_attributes=QrCodeCreate(generate_qr_code=True))
        )  # fmt: skip
        made.location_ids.append(top["id"])
        for name in names:
            rooms[name] = locations.create_location(session, scope, LocationCreate(name=name, parent_id=top["id"]))
            made.location_ids.append(rooms[name]["id"])
    vendor_ids: dict[str, int] = {}
    for name, cats, contact, email in VENDORS:
        vendor = vendors.create_vendor(
            session,
            scope,
            VendorCreate(
                name=name, rating=4, hourly_rate=Decimal("85.00"), categories_ids=[categories[c] for c in cats],
                vendor_contacts_attributes=[ContactIn(name=contact, email=email, role="Account manager",
                                                      phone="1-555-0100", is_primary=True)],
            ),
        )  # fmt: skip
        vendor_ids[name] = vendor["id"]
    made.vendor_ids.extend(vendor_ids.values())
    codes = AssetRepository(session, scope)

    def code(wanted: str) -> str:
        return unused(wanted, lambda candidate: codes.code_taken(candidate, None))

    for index, (name, prefix, kind, room, maker, model, cost, parts) in enumerate(EQUIPMENT, start=1):
        vendor_id = list(vendor_ids.values())[index % len(vendor_ids)]
        parent = assets.create_asset(
            session,
            scope,
            AssetCreate(
                name=name, asset_code=code(f"{prefix}-{index:03d}"), manufacturer=maker, model=model,
                serial_number=f"{prefix}{2024000 + index}", purchase_date=date(2023, 1 + index % 12, 15),
                warranty_exp_date=date(2027, 1 + index % 12, 15), warranty_expiration_notification=30,
                life_expectancy=180, purchase_cost=Decimal(cost), replacement_cost=Decimal(cost) * Decimal("1.1"),
                salvage_value=Decimal(cost) / 10, location_id=rooms[room]["id"], asset_types_ids=[types[kind]],
                vendors_ids=[vendor_id], qr_code_attributes=QrCodeCreate(generate_qr_code=True),
            ),
        )  # fmt: skip
        made.asset_codes[parent["asset_code"]] = parent["id"]
        made.equipment_ids.append(parent["id"])
        for part_index, part in enumerate(parts, start=1):
            child = assets.create_asset(
                session,
                scope,
                AssetCreate(name=f"{name} - {part}", asset_code=code(f"{parent['asset_code']}-{part_index}"),
                            manufacturer=maker, location_id=rooms[room]["id"], parent_id=parent["id"],
                            asset_types_ids=[types[kind]]),
            )  # fmt: skip
            made.asset_codes[child["asset_code"]] = child["id"]
    return f"{len(made.location_ids)} locations, {len(made.vendor_ids)} vendors and {len(made.asset_codes)} assets"
