"""The asset import's batches: new assets go to `assets/service.py` `create_assets` a thousand at a time.

A row's names are resolved to ids from maps of the entity's records built once (its location by path, parent by
asset code or name, asset types and vendors by name), its body goes through `AssetCreate`, and it waits in the
batch; the service then checks and writes the whole batch as it does the API's create, with the same rules,
row counter and `asset.created` events. A row this path does not take on (one that updates an existing asset,
has a QR code, or names a record the maps do not hold) goes through the importer row by row as before: the
batch so far is written first, so that row sees every row above it.
"""

from __future__ import annotations

from typing import Any

from wrenchwork.assets import service
from wrenchwork.assets.schemas import AssetCreate
from wrenchwork.core.errors import AppError
from wrenchwork.imports.repository import ImportRepository
from wrenchwork.imports.resources.assets import AssetImporter
from wrenchwork.imports.resources.base import Outcome, split_list, tree_path
from wrenchwork.models import Asset, AssetType, Location, Vendor

BATCH = 1000


class BulkAssets:
    def __init__(self, importer: AssetImporter) -> None:
        self.importer = importer
        repo: ImportRepository = importer.repo
        self.codes = repo.all_by(Asset, Asset.asset_code)
        self.named = repo.asset_names()
        self.first_named = {name: id_ for (name, _parent), id_ in sorted(self.named.items(), key=lambda i: -i[1])}
        self.locations = repo.all_by(Location, Location.path)
        self.types = repo.all_by(AssetType, AssetType.name)
        self.vendors = repo.all_by(Vendor, Vendor.name)
        self.pending: list[tuple[int, AssetCreate]] = []  # (row number, body)
        self.pending_keys: set[Any] = set()
        self.pending_names: set[str] = set()
        self.refused: list[tuple[int, AppError]] = []  # rows the service refused when their batch was written
        self.assets = len(self.named)  # about how many assets the entity has (each name under its parent counted once)
        self.planned_for = max(self.assets, BATCH)  # how many the database's statistics are taken to know of

    def try_row(self, number: int, values: dict[str, str]) -> Outcome | None:
        """`created` once the row is in the batch; None for a row that must go through the importer. A row the
        schema refuses raises RowProblems with the schema's messages, as the importer would."""
        if values.get("qr_code"):
            return None
        body: dict[str, Any] = self.importer.body(values)
        if values.get("location"):
            location = self.locations.get(tree_path(values["location"]))
            if location is None:
                return None
            body["location_id"] = location
        if values.get("parent"):
            parent = self._asset(values["parent"].strip())
            if parent is None:
                return None
            body["parent_id"] = parent
        for column, known, field in (
            ("asset_types", self.types, "asset_types_ids"),
            ("vendors", self.vendors, "vendors_ids"),
        ):
            if values.get(column):
                names = split_list(values[column])
                if any(n not in known for n in names):
                    return None
                body[field] = [known[n] for n in names]
        data: AssetCreate = self.importer.validated(AssetCreate, body, [])
        code_key, name_key = ("code", data.asset_code), ("name", data.name, data.parent_id)
        if code_key in self.pending_keys or name_key in self.pending_keys:
            self.flush()
        if data.asset_code is not None and data.asset_code in self.codes:
            return None  # an update (by asset code)
        if data.asset_code is None and (data.name, data.parent_id) in self.named:
            return None  # an update (by name under the parent)
        self.pending.append((number, data))
        self.pending_keys.update((code_key, name_key))
        self.pending_names.update((data.name, data.asset_code or data.name))
        if len(self.pending) >= BATCH:
            self.flush()
        return "created"

    def flush(self) -> None:
        """The batch through the service; rows it refuses are kept in `refused` for the engine to report."""
        if not self.pending:
            return
        outcomes = service.create_assets(self.importer.session, self.importer.scope, [d for _n, d in self.pending])
        for (number, data), outcome in zip(self.pending, outcomes, strict=True):
            if isinstance(outcome, AppError):
                self.refused.append((number, outcome))
                continue
            if data.asset_code is not None:
                self.codes.setdefault(data.asset_code, outcome)
            self.named.setdefault((data.name, data.parent_id), outcome)
            self.first_named.setdefault(data.name, outcome)
        self.pending, self.pending_keys, self.pending_names = [], set(), set()
        self.assets += len(outcomes)
        if self.assets >= 2 * self.planned_for:  # each time the assets have doubled
            self.importer.repo.refresh_statistics(Asset)
            self.planned_for = self.assets

    def _asset(self, key: str) -> int | None:
        """The parent a row names, by asset code or else by name (as the importer's lookup), or None."""
        if key in self.pending_names:
            self.flush()
        if key in self.codes:
            return self.codes[key]
        return self.first_named.get(key)
