"""Assets: the equipment a team maintains, in a sub-asset tree, with status and downtime history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orjson import Fragment
from sqlalchemy.orm import Session

from wrenchwork.assets.listing import ASSET_LIST, DOWNTIME_LIST
from wrenchwork.assets.repository import DETAIL, LIST_PAGE, AssetRepository
from wrenchwork.assets.schemas import (
    AssetCreate,
    AssetFields,
    AssetStatusChange,
    AssetUpdate,
    downtime_item,
)
from wrenchwork.core import qr, tree
from wrenchwork.core.auth import Scope
from wrenchwork.core.counters import add_to_count
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import AppError, Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import as_utc, utcnow
from wrenchwork.core.schemas import apply_update
from wrenchwork.events.outbox import emit, note_changed, note_created, note_linked
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


def list_assets(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    repo = AssetRepository(session, scope)
    return repo.json_page(ASSET_LIST, query, LIST_PAGE)


def asset_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller sees, rendered by the database in
    one statement (assets/repository.py `DETAIL`)."""
    return AssetRepository(session, scope).json_details(DETAIL, ids)


# The detail of one asset (the API's answer as the database rendered it), or as a dict (web pages, writes).
_ONE = OneDetail(asset_details, "Asset")
get_asset = _ONE.fragment
read_asset = _ONE.read


def create_asset(session: Session, scope: Scope, data: AssetCreate) -> dict[str, Any]:
    created = create_assets(session, scope, [data])[0]
    if isinstance(created, AppError):
        raise created
    return read_asset(session, scope, created)


def create_assets(session: Session, scope: Scope, items: Sequence[AssetCreate]) -> list[int | AppError]:
    """New assets, checked with one rule set and written in a few statements whatever their number (the API's
    create is a batch of one, an import sends a thousand): each item's new id, or the error that refused it
    (nothing is written for that item; a later item sees the earlier ones, e.g. an asset code taken by one).
    Each asset written counts in the row counter and makes its `asset.created` event (at commit)."""
    repo = AssetRepository(session, scope)
    parents = repo.roots_of(d.parent_id for d in items if d.parent_id is not None)
    known = _References(repo, items, None)
    qr_codes: set[str] = set()
    outcomes: list[int | AppError] = []
    rows: list[dict[str, Any]] = []
    for data in items:
        try:
            if data.parent_id is not None and data.parent_id not in parents:
                raise Unprocessable.field("asset.parent_id", "is not a record of this entity")
            known.check(data)
            field = "asset.qr_code_attributes.value"
            code = qr.resolve(repo, None, data.qr_code_attributes, None, field)
            if code is not None and code in qr_codes:
                raise qr.taken(field)
        except AppError as exc:
            outcomes.append(exc)
            continue
        if data.asset_code is not None:
            known.taken.add(data.asset_code)
        if code is not None:
            qr_codes.add(code)
        columns = data.model_dump(exclude=set(NOT_COLUMNS))
        root = None if data.parent_id is None else parents[data.parent_id]
        rows.append(columns | {"qr_code": code, "status": "online", "root_id": root})
        outcomes.append(len(rows) - 1)  # the row's place until its id is known
    written = [o for o in outcomes if not isinstance(o, AppError)]
    if not rows:
        return outcomes
    ids = repo.insert_many(rows)
    new_ids = [ids[o] if not isinstance(o, AppError) else o for o in outcomes]
    created = [(id_, data) for id_, data in zip(new_ids, items, strict=True) if not isinstance(id_, AppError)]
    linked = []
    for field, (link, column, _model) in LINKS.items():
        links = [(id_, value) for id_, data in created for value in dict.fromkeys(getattr(data, field) or ())]
        repo.insert_links(link, [{"asset_id": id_, column: value} for id_, value in links])
        linked.append((link, column, {value for _id, value in links}))
    add_to_count(session, Asset.__tablename__, repo.scope_id, len(written))
    note_created(session, Asset, repo.scope_id, ids)
    for link, column, values in linked:  # the vendors and parts that now list a new asset
        note_linked(session, link, column, values, repo.scope_id)
    return new_ids


def update_asset(session: Session, scope: Scope, asset_id: int, data: AssetUpdate) -> dict[str, Any]:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    moved = "parent_id" in data.model_fields_set and data.parent_id != asset.parent_id
    parent = tree.checked_parent(repo, asset.id, data.parent_id, "asset.parent_id") if moved else None
    _References(repo, [data], asset.id).check(data)
    asset.qr_code = qr.resolve(repo, asset.qr_code, data.qr_code_attributes, asset.id, "asset.qr_code_attributes.value")
    apply_update(asset, data, "asset", clearable=CLEARABLE, skip=NOT_COLUMNS)
    if moved:
        tree.place(repo, asset, parent, with_path=False)
    _save_links(repo, asset, data)
    repo.touch(asset)
    return read_asset(session, scope, asset.id)


def delete_asset(session: Session, scope: Scope, asset_id: int) -> None:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    in_use = repo.usage(asset.id)
    if in_use:
        raise Conflict(f"Asset is still referenced by {in_use}")
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
    return read_asset(session, scope, asset.id)


def list_downtimes(session: Session, scope: Scope, asset_id: int, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = AssetRepository(session, scope)
    asset = _get(repo, asset_id)
    rows, total = repo.page(DOWNTIME_LIST, query, repo.downtimes(asset.id))
    return [downtime_item(r[0]) for r in rows], total


def latest_downtimes(session: Session, scope: Scope, asset_id: int, count: int) -> list[dict[str, Any]]:
    """The items of `GET /assets/{id}/downtimes` for its first page of `count`, without the asset's own read or
    the total: for a page that has read the asset (`read_asset`) and shows no total."""
    rows = AssetRepository(session, scope).latest_downtimes(asset_id, count)
    return [downtime_item(row) for row in rows]


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


class _References:
    """What the items' references name, looked up once for all of them: the asset codes other assets have, and
    which of the locations, users and linked records named are this entity's."""

    def __init__(self, repo: AssetRepository, items: Sequence[AssetFields], asset_id: int | None) -> None:
        self.taken = repo.codes_taken((d.asset_code for d in items if d.asset_code is not None), asset_id)
        self.locations = repo.ids_in_scope(Location, (d.location_id for d in items if d.location_id is not None))
        self.linked: dict[str, set[int]] = {}
        for field, (_link, _column, model) in LINKS.items():
            ids = {i for d in items for i in getattr(d, field) or ()}
            if model is None:
                self.linked[field] = UserRepository(repo.session, repo.scope).assignable_ids(ids)
            else:
                self.linked[field] = repo.ids_in_scope(model, ids)

    def check(self, data: AssetFields) -> None:
        if data.asset_code is not None and data.asset_code in self.taken:
            raise Conflict("Another asset already has this asset_code", {"asset.asset_code": ["is already taken"]})
        if data.location_id is not None and data.location_id not in self.locations:
            raise Unprocessable.field("asset.location_id", "is not a location of this entity")
        for field, (_link, _column, model) in LINKS.items():
            ids = getattr(data, field)
            if ids is None:
                if field in data.model_fields_set:
                    raise Unprocessable.field(f"asset.{field}", "cannot be null (send [] to clear)")
                continue
            what = "users of this entity who can be assigned work" if model is None else "records of this entity"
            unknown = sorted(set(ids) - self.linked[field])
            if unknown:
                raise Unprocessable.field(f"asset.{field}", f"unknown ids {unknown}: must be {what}")


def _save_links(repo: AssetRepository, asset: Asset, data: AssetFields) -> None:
    for field, (link, column, _model) in LINKS.items():
        ids = getattr(data, field)
        changed = set() if ids is None else repo.set_links(link, "asset_id", asset.id, column, ids)
        if changed:
            note_changed(repo.session, asset, field)
            note_linked(repo.session, link, column, changed, asset.entity_id)
