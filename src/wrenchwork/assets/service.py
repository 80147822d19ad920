"""Assets: the equipment a team maintains, in a sub-asset tree, with status and downtime history."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orjson import Fragment
from sqlalchemy.orm import Session

from wrenchwork.assets.listing import ASSET_LIST, DOWNTIME_LIST
from wrenchwork.assets.repository import LIST_PAGE, AssetRepository
from wrenchwork.assets.schemas import (
    AssetCreate,
    AssetFields,
    AssetStatusChange,
    AssetUpdate,
    asset_detail,
    downtime_item,
)
from wrenchwork.core import qr, tree
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import AnyRow, ListQuery
from wrenchwork.core.model_base import as_utc, utcnow
from wrenchwork.core.presenters import user_ref
from wrenchwork.core.schemas import apply_update
from wrenchwork.events.outbox import emit, note_changed
from wrenchwork.files.present import fill
from wrenchwork.models import (
    Asset,
    AssetType,
    Downtime,
    Location,
    Part,
    Vendor,
    WorkOrder,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    part_assets,
)
from wrenchwork.users.repository import UserRepository
from wrenchwork.vendors.repository import VendorRepository

# field -> (link table, column of the linked id, model the ids must belong to)
LINKS = {
    "asset_types_ids": (asset_asset_types, "asset_type_id", AssetType),
    "technicians_ids": (asset_technicians, "user_id", None),
    "vendors_ids": (asset_vendors, "vendor_id", Vendor),
    "parts_ids": (part_assets, "part_id", Part),
}
NOT_COLUMNS = frozenset({"qr_code_attributes", *LINKS})
# Fields an update may set to null (every optional column; `name` may not be cleared).
CLEARABLE = set(AssetFields.model_fields) - NOT_COLUMNS


def present(repo: AssetRepository, row: AnyRow) -> dict[str, Any]:
    """The documented asset detail (list items are rendered by the database: repository.LIST_ITEM)."""
    linked = repo.references([row.id])
    vendors = linked["vendors"]
    VendorRepository(repo.session, repo.scope).vendor_refs(vendors, with_contact=True)
    refs = {
        "parent": None if row.parent_id is None else {"id": row.parent_id, "name": row.parent_name},
        "location": None
        if row.location_id is None
        else {"id": row.location_id, "name": row.location_name, "path": row.location_path},
        "technicians": linked["technicians"][row.id],
        "asset_types": linked["asset_types"][row.id],
        "parts": linked["parts"][row.id],
        "vendors": vendors[row.id],
        "has_children": row.id in tree.with_children(repo, [row.id]),
        "created_by": user_ref(row.created_by_id, row.creator_name, row.creator_surname),
        "updated_by": user_ref(row.updated_by_id, row.editor_name, row.editor_surname),
    }
    item = asset_detail(row, refs)
    fill(repo.session, repo.scope, "assets", [item])
    return item


def list_assets(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    repo = AssetRepository(session, scope)
    return repo.json_page(ASSET_LIST, query, LIST_PAGE)


def get_asset(session: Session, scope: Scope, asset_id: int) -> dict[str, Any]:
    repo = AssetRepository(session, scope)
    row = repo.read(asset_id)
    if row is None:
        raise NotFound.of("Asset")
    return present(repo, row)


def create_asset(session: Session, scope: Scope, data: AssetCreate) -> dict[str, Any]:
    repo = AssetRepository(session, scope)
    parent = tree.checked_parent(repo, None, data.parent_id, "asset.parent_id")
    _check_references(repo, data, None)
    code = qr.resolve(repo, None, data.qr_code_attributes, None, "asset.qr_code_attributes.value")
    columns = data.model_dump(exclude=set(NOT_COLUMNS) | {"name"}, exclude_none=True)
    asset = repo.add(Asset(name=data.name, qr_code=code, status="online", **columns))
    tree.place(repo, asset, parent, with_path=False)
    _save_links(repo, asset, data)
    return get_asset(session, scope, asset.id)


def update_asset(session: Session, scope: Scope, asset_id: int, data: AssetUpdate) -> dict[str, Any]:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    moved = "parent_id" in data.model_fields_set and data.parent_id != asset.parent_id
    parent = tree.checked_parent(repo, asset.id, data.parent_id, "asset.parent_id") if moved else None
    _check_references(repo, data, asset.id)
    asset.qr_code = qr.resolve(repo, asset.qr_code, data.qr_code_attributes, asset.id, "asset.qr_code_attributes.value")
    apply_update(asset, data, "asset", clearable=CLEARABLE, skip=NOT_COLUMNS)
    if moved:
        tree.place(repo, asset, parent, with_path=False)
    _save_links(repo, asset, data)
    repo.touch(asset)
    return get_asset(session, scope, asset.id)


def delete_asset(session: Session, scope: Scope, asset_id: int) -> None:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    children = repo.children_count(asset.id)
    if children:
        raise Conflict(f"Asset is still referenced by {children} sub-assets")
    repo.delete(asset)


def set_status(session: Session, scope: Scope, asset_id: int, change: AssetStatusChange) -> dict[str, Any]:
    """Offline opens a downtime record (optionally linked to a work order); online closes it."""
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    if change.work_order_id is not None and not repo.ids_in_scope(WorkOrder, [change.work_order_id]):
        raise Unprocessable.field("work_order_id", "is not a work order of this entity")
    now = utcnow()
    if change.status != asset.status:
        if change.status == "offline":
            session.add(
                Downtime(
                    entity_id=scope.entity_id, asset_id=asset.id, started_at=now, reason=change.reason,
                    work_order_id=change.work_order_id, created_by_id=scope.user_id, updated_by_id=scope.user_id,
                )
            )  # fmt: skip
        else:
            downtime = repo.open_downtime(asset.id)
            if downtime is not None:
                downtime.ended_at = now
                downtime.updated_by_id = scope.user_id
        asset.status = change.status
        repo.touch(asset)
        emit(session, "asset.status_changed", asset, work_order_id=change.work_order_id, reason=change.reason)
    return get_asset(session, scope, asset.id)


def list_downtimes(session: Session, scope: Scope, asset_id: int, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    rows, total = repo.page(DOWNTIME_LIST, query, repo.downtimes(asset.id))
    return [downtime_item(r[0]) for r in rows], total


def availability(
    session: Session, scope: Scope, asset_id: int, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """Share of [start, end) the asset was online; an open downtime counts until now."""
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    now = utcnow()
    end = as_utc(end) if end else now
    start = as_utc(start) if start else end - timedelta(days=30)
    if end <= start:
        raise Unprocessable.field("to", "must be after from")
    down = timedelta()
    count = 0
    for downtime in repo.downtimes_between(asset.id, start, end):
        overlap = min(downtime.ended_at or now, end) - max(downtime.started_at, start)
        if overlap > timedelta():
            down += overlap
            count += 1
    total = end - start
    share = Decimal(100) * (1 - Decimal(down.total_seconds()) / Decimal(total.total_seconds()))
    return {
        "asset_id": asset.id,
        "from": start,
        "to": end,
        "total_seconds": int(total.total_seconds()),
        "downtime_seconds": int(down.total_seconds()),
        "uptime_seconds": int((total - down).total_seconds()),
        "availability": share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "downtimes_count": count,
    }


def _get(repo: AssetRepository, asset_id: int) -> Asset:
    asset = repo.get(asset_id)
    if asset is None:
        raise NotFound.of("Asset")
    return asset


def _check_references(repo: AssetRepository, data: AssetFields, asset_id: int | None) -> None:
    if data.asset_code is not None and repo.code_taken(data.asset_code, asset_id):
        raise Conflict("Another asset already has this asset_code", {"asset.asset_code": ["is already taken"]})
    if data.location_id is not None and not repo.ids_in_scope(Location, [data.location_id]):
        raise Unprocessable.field("asset.location_id", "is not a location of this entity")
    for field, (_link, _column, model) in LINKS.items():
        ids = getattr(data, field)
        if ids is None:
            if field in data.model_fields_set:
                raise Unprocessable.field(f"asset.{field}", "cannot be null (send [] to clear)")
            continue
        if model is None:
            known = UserRepository(repo.session, repo.scope).assignable_ids(ids)
            what = "users of this entity who can be assigned work"
        else:
            known = repo.ids_in_scope(model, ids)
            what = "records of this entity"
        unknown = sorted(set(ids) - known)
        if unknown:
            raise Unprocessable.field(f"asset.{field}", f"unknown ids {unknown}: must be {what}")


def _save_links(repo: AssetRepository, asset: Asset, data: AssetFields) -> None:
    for field, (link, column, _model) in LINKS.items():
        ids = getattr(data, field)
        if ids is not None and repo.set_links(link, "asset_id", asset.id, column, ids):
            note_changed(repo.session, asset, field)
