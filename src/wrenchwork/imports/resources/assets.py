"""Assets: location by path, parent by asset code or name, asset types and vendors by name, QR code."""

from __future__ import annotations

from typing import Any

from wrenchwork.assets import service
from wrenchwork.assets.schemas import AssetCreate, AssetUpdate
from wrenchwork.imports.resources.base import Importer, Outcome
from wrenchwork.models import Asset, AssetType, Vendor


class AssetImporter(Importer):
    resource = "assets"
    wrapper = "asset"
    synonyms = {
        "name": ("asset name", "asset", "equipment", "equipment name"),
        "asset_code": ("code", "asset #", "asset id", "asset number", "asset tag", "tag", "asset no"),
        "description": ("notes", "details"),
        "model": ("model number", "model #", "model no"),
        "manufacturer": ("make", "brand", "mfr"),
        "serial_number": ("serial", "serial #", "serial no", "s n", "sn"),
        "purchase_date": ("purchased", "date purchased", "purchased on"),
        "warranty_exp_date": ("warranty expiration", "warranty expiry", "warranty expires", "warranty end"),
        "warranty_expiration_notification": ("warranty notification", "warranty notification days"),
        "life_expectancy": ("life expectancy months", "expected life"),
        "purchase_cost": ("cost", "price", "purchase price"),
        "replacement_cost": ("replacement price",),
        "salvage_value": ("salvage",),
        "location": ("location path", "location name", "site"),
        "parent": ("parent asset", "parent name", "parent code", "parent asset code"),
        "asset_types": ("asset type", "type", "types"),
        "vendors": ("vendor", "supplier", "suppliers"),
        "qr_code": ("qr", "qr value"),
    }
    plain = (
        "name", "asset_code", "description", "model", "manufacturer", "serial_number", "purchase_date",
        "warranty_exp_date", "warranty_expiration_notification", "life_expectancy", "purchase_cost",
        "replacement_cost", "salvage_value",
    )  # fmt: skip
    sources = {
        "location_id": "location",
        "parent_id": "parent",
        "asset_types_ids": "asset_types",
        "vendors_ids": "vendors",
        "qr_code_attributes": "qr_code",
    }

    def apply(self, values: dict[str, str]) -> Outcome:
        problems: list[tuple[str, str]] = []
        body: dict[str, Any] = self.body(values)
        if values.get("location"):
            body["location_id"] = self.location_id(values["location"], "location", problems)
        parent_id = None
        if values.get("parent"):
            parent = values["parent"].strip()
            parent_id = self.repo.first_id(Asset, Asset.asset_code == parent) or self.repo.first_id(
                Asset, Asset.name == parent
            )
            if parent_id is None:
                problems.append(("parent", f"names no asset of this entity (by asset code or name): {parent}"))
            body["parent_id"] = parent_id
        if values.get("asset_types"):
            body["asset_types_ids"] = self.named_ids(
                AssetType, values["asset_types"], "asset_types", "asset type", problems
            )
        if values.get("vendors"):
            body["vendors_ids"] = self.named_ids(Vendor, values["vendors"], "vendors", "vendor", problems)
        if values.get("qr_code"):
            body["qr_code_attributes"] = {"value": values["qr_code"]}
        existing = self.match(values, parent_id)
        if existing is not None:
            service.update_asset(self.session, self.scope, existing, self.validated(AssetUpdate, body, problems))
            return "updated"
        service.create_asset(self.session, self.scope, self.validated(AssetCreate, body, problems))
        return "created"

    def match(self, values: dict[str, str], parent_id: int | None) -> int | None:
        """The asset a row updates: same asset code, else same QR code, else same name under the same parent."""
        if values.get("asset_code"):
            return self.repo.first_id(Asset, Asset.asset_code == values["asset_code"].strip())
        if values.get("qr_code"):
            return self.repo.first_id(Asset, Asset.qr_code == values["qr_code"])
        if values.get("name"):
            return self.repo.first_id(Asset, Asset.name == values["name"].strip(), Asset.parent_id == parent_id)
        return None
