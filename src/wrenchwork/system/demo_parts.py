"""Demo inventory: storerooms, part types and spare parts for the demo equipment, each with a ledger a storeroom
would have after a few months (receipts at changing prices, a counted correction, a price update).

Created through the part services, so every stock figure is explained by its ledger. Loaded after the catalog
(parts link to its assets and vendors) and before the work orders (which reserve and consume the parts).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.lookups.resource import LookupService
from wrenchwork.lookups.tables import PART_TYPES, STOREROOMS
from wrenchwork.models import MeasurementUnit
from wrenchwork.parts import service as parts
from wrenchwork.parts.repository import PartRepository
from wrenchwork.parts.schemas import CostChange, PartCreate, Reconcile, Restock, VendorPartIn
from wrenchwork.system.demo_records import DemoRecords, lookup_ids, unused

# name, number, type, storeroom, unit short name, on hand, unit cost, min, desired, asset code prefix,
# receipts (quantity, unit cost), counted correction (quantity, note) or None
PARTS = [
    ("Pleated air filter 24x24x2", "FLT-2424", "Filters", "Main storeroom", "itm", 12, "18.40", 8, 24, "AHU",
     [(24, "17.90"), (12, "19.20")], (-2, "Two filters damaged in the rack")),
    ("V-belt B52", "BLT-B52", "Belts", "Main storeroom", "itm", 6, "21.15", 4, 10, "CNV",
     [(6, "22.00")], None),
    ("Deep groove bearing 6205-2RS", "BRG-6205", "Bearings", "Workshop cage", "itm", 20, "7.35", 10, 30, "CNV",
     [(10, "7.10")], (-1, "Cycle count")),
    ("Compressor oil, synthetic", "OIL-C46", "Lubricants", "Main storeroom", "l", 40, "9.80", 20, 60, "CMP",
     [(20, "10.25")], None),
    ("Mechanical seal 32 mm", "SEA-0032", "Seals", "Workshop cage", "itm", 3, "145.00", 2, 4, "PMP",
     [(1, "152.50")], None),
    ("Burner flame rod", "BRN-FR1", "Electrical", "Workshop cage", "itm", 1, "64.00", 2, 3, "BLR",
     [], None),
]  # fmt: skip


def load_parts(session: Session, scope: Scope, made: DemoRecords) -> str:
    entity_id = scope.entity_id
    rooms = lookup_ids(session, scope, LookupService(STOREROOMS), {p[3] for p in PARTS})
    types = lookup_ids(session, scope, LookupService(PART_TYPES), {p[2] for p in PARTS})
    # The entity's own units (every entity starts with the default ones): read, never changed.
    units = dict(
        session.execute(
            select(MeasurementUnit.short_name, MeasurementUnit.id).where(MeasurementUnit.entity_id == entity_id)
        ).all()
    )
    vendor_ids = made.vendor_ids
    numbers = PartRepository(session, scope)

    def number_for(wanted: str) -> str:
        return unused(wanted, lambda candidate: numbers.number_taken(candidate, None))

    lines = 0
    for index, (name, number, kind, room, unit, on_hand, cost, low, desired, prefix, receipts, count) in enumerate(
        PARTS
    ):
        asset_ids = [asset_id for code, asset_id in made.asset_codes.items() if code.startswith(prefix)]
        vendors = [VendorPartIn(vendor_id=vendor_ids[index % len(vendor_ids)], vendor_part_number=f"V-{number}",
                                is_preferred=True)] if vendor_ids else []  # fmt: skip
        part = parts.create_part(
            session,
            scope,
            PartCreate(
                name=name, number=number_for(number), part_type_id=types[kind], storeroom_id=rooms[room],
                measurement_unit_id=units.get(unit), on_hand_qty=Decimal(on_hand), unit_cost=Decimal(cost),
                min_qty=Decimal(low), desired_qty=Decimal(desired), area=f"Aisle {1 + index % 4}", lead_time=7,
                assets_ids=asset_ids, vendor_parts_attributes=vendors,
            ),
        )  # fmt: skip
        made.part_ids.append(part["id"])
        lines += 1
        for quantity, price in receipts:
            parts.restock(session, scope, part["id"], Restock(quantity=Decimal(quantity), cost=Decimal(price)))
            lines += 1
        if count is not None:
            parts.reconcile(session, scope, part["id"], Reconcile(quantity=Decimal(count[0]), note=count[1]))
            lines += 1
        if receipts:
            latest = Decimal(receipts[-1][1])
            parts.set_unit_cost(session, scope, part["id"], CostChange(cost=latest, note="Latest supplier price"))
            lines += 1
    call_out = parts.create_part(
        session,
        scope,
        PartCreate(
            name="Contractor call-out (non-stock)",
            number=number_for("SVC-CALL"),
            is_non_stock=True,
        ),
    )
    made.part_ids.append(call_out["id"])
    return f"{len(PARTS) + 1} parts with {lines + 1} ledger lines"
