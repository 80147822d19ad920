"""The asset import's fast path: new assets inserted a batch at a time (bench/imports.py: 100,000 rows).

This steps around `assets/service.py` `create_asset` for speed: the service spends a dozen statements and a full
presentation on each asset, some 50 ms a row, and a spreadsheet of 100,000 assets would take over an hour. Each
row still goes through `AssetCreate`, the API's own schema, and what `create_asset` checks and writes for a new
asset is done here for the whole batch: its asset code is not taken in the entity (nor earlier in the file),
its location, parent, asset types and vendors are records of this entity (looked up in maps of the entity's
records built once), `root_id` comes from the parent or is the asset's own id (core/tree.py `place`), the row
counter is added to once per batch (core/counters.py), and the search index follows the inserts by itself (the
SQLite triggers, PostgreSQL's expression indexes). A row this path does not take on (one that updates an existing
asset, has a QR code, or names a record the maps do not hold) goes through the service as every import row did
before: the batch so far is inserted first, so that row sees every row above it.
"""

from __future__ import annotations

from typing import Any

from wrenchwork.assets.schemas import AssetCreate
from wrenchwork.core.counters import add_to_count
from wrenchwork.imports.resources.assets import AssetImporter
from wrenchwork.imports.resources.base import Outcome, split_list, tree_path
from wrenchwork.models import Asset, AssetType, Location, Vendor, asset_asset_types, asset_vendors

BATCH = 1000
# AssetCreate fields that are not columns of `assets`
NOT_COLUMNS = frozenset({"qr_code_attributes", "asset_types_ids", "technicians_ids", "parts_ids", "vendors_ids"})


class BulkAssets:
    def __init__(self, importer: AssetImporter) -> None:
        self.importer = importer
        repo = importer.repo
        self.repo = repo
        self.codes = repo.all_by(Asset, Asset.asset_code)
        self.named = repo.asset_names()
        self.first_named = {name: ids for (name, _parent), ids in sorted(self.named.items(), key=lambda i: -i[1][0])}
        self.roots = repo.asset_roots()
        self.locations = repo.all_by(Location, Location.path)
        self.types = repo.all_by(AssetType, AssetType.name)
        self.vendors = repo.all_by(Vendor, Vendor.name)
        self.pending: list[tuple[dict[str, Any], list[int], list[int]]] = []
        self.pending_keys: set[Any] = set()
        self.pending_names: set[str] = set()

    def try_row(self, values: dict[str, str]) -> Outcome | None:
        """`created` once the row is in the batch; None for a row that must go through the service. A row the
        schema refuses raises RowProblems with the schema's messages, as the service path would."""
        if values.get("qr_code"):
            return None
        body: dict[str, Any] = self.importer.body(values)
        root: int | None = None
        if values.get("location"):
            location = self.locations.get(tree_path(values["location"]))
            if location is None:
                return None
            body["location_id"] = location
        if values.get("parent"):
            parent = self._asset(values["parent"].strip())
            if parent is None:
                return None
            body["parent_id"], root = parent, self.roots.get(parent)
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
            return None  # an update (by asset code): the service's
        if data.asset_code is None and (data.name, data.parent_id) in self.named:
            return None  # an update (by name under the parent)
        row = data.model_dump(exclude=set(NOT_COLUMNS))
        row |= {"status": "online", "root_id": root, "qr_code": None}
        self.pending.append((row, data.asset_types_ids or [], data.vendors_ids or []))
        self.pending_keys.update((code_key, name_key))
        self.pending_names.update((data.name, data.asset_code or data.name))
        if len(self.pending) >= BATCH:
            self.flush()
        return "created"

    def flush(self) -> None:
        if not self.pending:
            return
        ids = self.repo.insert_assets([row for row, _types, _vendors in self.pending])
        self.repo.root_themselves(
            [i for i, (row, _t, _v) in zip(ids, self.pending, strict=True) if row["parent_id"] is None]
        )
        types, vendors = [], []
        for id_, (row, type_ids, vendor_ids) in zip(ids, self.pending, strict=True):
            types += [{"asset_id": id_, "asset_type_id": t} for t in dict.fromkeys(type_ids)]
            vendors += [{"asset_id": id_, "vendor_id": v} for v in dict.fromkeys(vendor_ids)]
            root = row["root_id"] if row["parent_id"] is not None else id_
            self.roots[id_] = root
            if row["asset_code"] is not None:
                self.codes.setdefault(row["asset_code"], id_)
            self.named.setdefault((row["name"], row["parent_id"]), (id_, root))
            self.first_named.setdefault(row["name"], (id_, root))
        self.repo.insert_links(asset_asset_types, types)
        self.repo.insert_links(asset_vendors, vendors)
        add_to_count(self.repo.session, Asset.__tablename__, self.repo.scope_id, len(ids))
        self.pending, self.pending_keys, self.pending_names = [], set(), set()

    def _asset(self, key: str) -> int | None:
        """The parent a row names, by asset code or else by name (as the service path's lookup), or None."""
        if key in self.pending_names:
            self.flush()
        if key in self.codes:
            return self.codes[key]
        found = self.first_named.get(key)
        return found[0] if found else None
