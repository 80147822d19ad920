"""Parts: initial stock and unit cost become the part's `initial` ledger line (the API's create does it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from wrenchwork.imports.resources.base import Importer, Outcome, split_list
from wrenchwork.models import Asset, MeasurementUnit, Part, PartType, Storeroom
from wrenchwork.parts import service
from wrenchwork.parts.schemas import PartCreate, PartUpdate

# Stock and cost change only through the ledger's actions (restock, reconcile, cost): an import that finds
# the part already there leaves them as they are (docs/import.md).
CREATE_ONLY = ("on_hand_qty", "unit_cost", "is_non_stock")


class PartImporter(Importer):
    resource = "parts"
    wrapper = "part"
    synonyms = {
        "name": ("part name", "part", "item", "item name"),
        "number": ("part number", "part #", "part no", "sku", "item number", "item #"),
        "description": ("notes", "details"),
        "min_qty": ("min", "minimum", "minimum qty", "min quantity", "minimum quantity", "reorder point"),
        "desired_qty": ("desired", "desired quantity", "max qty", "maximum qty", "target qty"),
        "area": ("bin", "aisle", "shelf", "bin location"),
        "lead_time": ("lead time days",),
        "on_hand_qty": ("qty", "quantity", "on hand", "stock", "in stock", "initial stock", "qty on hand"),
        "unit_cost": ("cost", "unit price", "price"),
        "is_non_stock": ("non stock",),
        "part_type": ("type", "category"),
        "storeroom": ("store", "warehouse"),
        "measurement_unit": ("unit", "uom", "unit of measure"),
        "assets": ("asset", "used on", "used in"),
        "qr_code": ("qr", "qr value"),
    }
    plain = (
        "name", "number", "description", "min_qty", "desired_qty", "area", "lead_time", "on_hand_qty", "unit_cost",
        "is_non_stock",
    )  # fmt: skip
    sources = {
        "part_type_id": "part_type",
        "storeroom_id": "storeroom",
        "measurement_unit_id": "measurement_unit",
        "assets_ids": "assets",
        "qr_code_attributes": "qr_code",
    }

    def apply(self, values: dict[str, str]) -> Outcome:
        problems: list[tuple[str, str]] = []
        body: dict[str, Any] = self.body(values)
        for field, model, what in (
            ("part_type", PartType, "part type"),
            ("storeroom", Storeroom, "storeroom"),
            ("measurement_unit", MeasurementUnit, "measurement unit"),
        ):
            if values.get(field):
                ids = self.named_ids(model, values[field], field, what, problems)
                body[f"{field}_id"] = ids[0] if ids else None
        if values.get("assets"):
            body["assets_ids"] = self.asset_ids(values["assets"], problems)
        if values.get("qr_code"):
            body["qr_code_attributes"] = {"value": values["qr_code"]}
        existing = self.match(values)
        if existing is not None:
            for name in CREATE_ONLY:
                body.pop(name, None)
            service.update_part(self.session, self.scope, existing, self.validated(PartUpdate, body, problems))
            return "updated"
        service.create_part(self.session, self.scope, self.validated(PartCreate, body, problems))
        return "created"

    def match(self, values: dict[str, str]) -> int | None:
        """The part a row updates: same part number, else same QR code, else same name."""
        if values.get("number"):
            return self.repo.first_id(Part, Part.number == values["number"].strip())
        if values.get("qr_code"):
            return self.repo.first_id(Part, Part.qr_code == values["qr_code"])
        if values.get("name"):
            return self.repo.first_id(Part, Part.name == values["name"].strip())
        return None

    def asset_ids(self, text: str, problems: list[tuple[str, str]]) -> list[int]:
        ids = []
        for name in split_list(text):
            found = self.repo.first_id(Asset, or_(Asset.asset_code == name, Asset.name == name))
            if found is None:
                problems.append(("assets", f"names no asset of this entity (by asset code or name): {name}"))
            else:
                ids.append(found)
        return ids
