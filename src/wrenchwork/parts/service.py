"""Parts: what the storeroom holds. Stock and cost change only through the actions (parts/stock.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orjson import Fragment
from sqlalchemy.orm import Session

from wrenchwork.core import qr
from wrenchwork.core.auth import Scope
from wrenchwork.core.counters import drop_count
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.events.outbox import note_changed, note_linked
from wrenchwork.files.service import link as link_files
from wrenchwork.models import (
    Asset,
    MeasurementUnit,
    Part,
    PartTransaction,
    PartType,
    Storeroom,
    Vendor,
    VendorPart,
    part_assets,
)
from wrenchwork.parts import stock
from wrenchwork.parts.listing import PART_LIST
from wrenchwork.parts.repository import DETAIL, LIST_PAGE, PartRepository
from wrenchwork.parts.schemas import CostChange, PartCreate, PartFields, PartUpdate, Reconcile, Restock

REFERENCES = (
    ("part_type_id", PartType, "part type"),
    ("storeroom_id", Storeroom, "storeroom"),
    ("measurement_unit_id", MeasurementUnit, "measurement unit"),
)
# Changed only by the actions; an update naming them is a 422 that says where they change.
ACTION_FIELDS = {
    "is_non_stock": "is fixed when the part is created",
    "on_hand_qty": "changes through PATCH /parts/{id}/restock or /parts/{id}/reconcile",
    "unit_cost": "changes through PATCH /parts/{id}/unit_cost",
    "avg_unit_cost": "changes through PATCH /parts/{id}/avg_unit_cost or a restock",
}
NOT_COLUMNS = frozenset({"qr_code_attributes", "assets_ids", "vendor_parts_attributes", *ACTION_FIELDS})
CLEARABLE = set(PartFields.model_fields) - NOT_COLUMNS
VENDOR_PARTS = "part.vendor_parts_attributes"


def list_parts(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    repo = PartRepository(session, scope)
    return repo.json_page(PART_LIST, query, LIST_PAGE)


def part_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller sees, rendered by the database in
    one statement (parts/repository.py `DETAIL`)."""
    return PartRepository(session, scope).json_details(DETAIL, ids)


# The detail of one part (the API's answer as the database rendered it), or as a dict (web pages, writes).
_ONE = OneDetail(part_details, "Part")
get_part = _ONE.fragment
read_part = _ONE.read


def create_part(session: Session, scope: Scope, data: PartCreate) -> dict[str, Any]:
    repo = PartRepository(session, scope)
    _check_references(repo, data, None)
    if data.is_non_stock and data.on_hand_qty != 0:
        raise Unprocessable.field("part.on_hand_qty", "must be 0 for a non-stock part")
    code = qr.resolve(repo, None, data.qr_code_attributes, None, "part.qr_code_attributes.value")
    columns = data.model_dump(exclude=set(NOT_COLUMNS) | {"name"}, exclude_none=True)
    part = repo.add(
        Part(
            name=data.name, qr_code=code, is_non_stock=data.is_non_stock, on_hand_qty=data.on_hand_qty,
            unit_cost=data.unit_cost, avg_unit_cost=data.unit_cost, **columns,
        )
    )  # fmt: skip
    stock.record_initial(session, part, scope.user_id)
    _save_links(repo, part, data)
    return read_part(session, scope, part.id)


def update_part(session: Session, scope: Scope, part_id: int, data: PartUpdate) -> dict[str, Any]:
    repo = PartRepository(session, scope)
    part = _get(repo, part_id)
    for name, where in ACTION_FIELDS.items():
        if name in data.model_fields_set:
            raise Unprocessable.field(f"part.{name}", f"cannot be changed here: it {where}")
    _check_references(repo, data, part.id)
    part.qr_code = qr.resolve(repo, part.qr_code, data.qr_code_attributes, part.id, "part.qr_code_attributes.value")
    apply_update(part, data, "part", clearable=CLEARABLE, skip=NOT_COLUMNS)
    _save_links(repo, part, data)
    repo.touch(part)
    return read_part(session, scope, part.id)


def delete_part(session: Session, scope: Scope, part_id: int) -> None:
    """A part on work orders stays (409); otherwise it goes with its ledger, vendor rows and asset links."""
    repo = PartRepository(session, scope)
    part = _get(repo, part_id)
    in_use = repo.usage(part.id)
    if in_use:
        raise Conflict(f"Part is still referenced by {in_use}")
    repo.delete(part)
    drop_count(session, PartTransaction.__tablename__, part_id)


# ---- actions: each writes exactly one ledger line and answers with the part detail ----------------------------


def restock(session: Session, scope: Scope, part_id: int, body: Restock) -> dict[str, Any]:
    part = stock.lock_part(session, scope.entity_id, part_id)
    line_id = stock.restock(session, part, body.quantity, body.cost, body.note, scope.user_id)
    link_files(session, scope, body.attachment_ids, "part_transactions", line_id, "attachment_ids")
    return read_part(session, scope, part.id)


def reconcile(session: Session, scope: Scope, part_id: int, body: Reconcile) -> dict[str, Any]:
    part = stock.lock_part(session, scope.entity_id, part_id)
    line_id = stock.reconcile(session, part, body.quantity, body.note, scope.user_id)
    link_files(session, scope, body.attachment_ids, "part_transactions", line_id, "attachment_ids")
    return read_part(session, scope, part.id)


def set_unit_cost(session: Session, scope: Scope, part_id: int, body: CostChange) -> dict[str, Any]:
    part = stock.lock_part(session, scope.entity_id, part_id)
    line_id = stock.set_unit_cost(session, part, body.cost, body.note, scope.user_id)
    link_files(session, scope, body.attachment_ids, "part_transactions", line_id, "attachment_ids")
    return read_part(session, scope, part.id)


def set_avg_unit_cost(session: Session, scope: Scope, part_id: int, body: CostChange) -> dict[str, Any]:
    part = stock.lock_part(session, scope.entity_id, part_id)
    line_id = stock.set_avg_unit_cost(session, part, body.cost, body.note, scope.user_id)
    link_files(session, scope, body.attachment_ids, "part_transactions", line_id, "attachment_ids")
    return read_part(session, scope, part.id)


# ---- helpers ---------------------------------------------------------------------------------------------------


def _get(repo: PartRepository, part_id: int) -> Part:
    part = repo.get(part_id)
    if part is None:
        raise NotFound.of("Part")
    return part


def _check_references(repo: PartRepository, data: PartFields, part_id: int | None) -> None:
    if data.number is not None and repo.number_taken(data.number, part_id):
        raise Conflict("Another part already has this number", {"part.number": ["is already taken"]})
    for field, model, what in REFERENCES:
        value = getattr(data, field)
        if value is not None and not repo.ids_in_scope(model, [value]):
            raise Unprocessable.field(f"part.{field}", f"is not a {what} of this entity")
    if data.assets_ids is None:
        if "assets_ids" in data.model_fields_set:
            raise Unprocessable.field("part.assets_ids", "cannot be null (send [] to clear)")
    else:
        unknown = sorted(set(data.assets_ids) - repo.ids_in_scope(Asset, data.assets_ids))
        if unknown:
            raise Unprocessable.field("part.assets_ids", f"unknown ids {unknown}: must be assets of this entity")
    rows = data.vendor_parts_attributes
    if rows is None:
        if "vendor_parts_attributes" in data.model_fields_set:
            raise Unprocessable.field(VENDOR_PARTS, "cannot be null (send [] to change nothing)")
        return
    seen: set[int] = set()
    for index, row in enumerate(rows):
        if row.vendor_id in seen:
            raise Unprocessable.field(f"{VENDOR_PARTS}.{index}.vendor_id", "appears more than once")
        seen.add(row.vendor_id)
        if not row.destroy and "is_preferred" in row.model_fields_set and row.is_preferred is None:
            raise Unprocessable.field(f"{VENDOR_PARTS}.{index}.is_preferred", "cannot be null")
    if sum(1 for r in rows if r.is_preferred and not r.destroy) > 1:
        raise Unprocessable.field(VENDOR_PARTS, "only one vendor can be preferred")
    wanted = [r.vendor_id for r in rows if not r.destroy]
    unknown = sorted(set(wanted) - repo.ids_in_scope(Vendor, wanted))
    if unknown:
        raise Unprocessable.field(VENDOR_PARTS, f"unknown vendor ids {unknown}: must be vendors of this entity")


def _save_links(repo: PartRepository, part: Part, data: PartFields) -> None:
    ids = data.assets_ids
    changed = set() if ids is None else repo.set_links(part_assets, "part_id", part.id, "asset_id", ids)
    if changed:
        note_changed(repo.session, part, "assets_ids")
        note_linked(repo.session, part_assets, "asset_id", changed, part.entity_id)
    if data.vendor_parts_attributes is not None:
        _save_vendor_parts(repo, part, data)


def _save_vendor_parts(repo: PartRepository, part: Part, data: PartFields) -> None:
    """Rails-style nested rows matched by `vendor_id`: change (or, with `_destroy`, remove) the part's row for
    that vendor, or add one. Making a vendor preferred makes the others not preferred."""
    existing = {row.vendor_id: row for row in repo.vendor_rows(part.id)}
    preferred: int | None = None
    for row in data.vendor_parts_attributes or []:
        found = existing.get(row.vendor_id)
        if row.destroy:
            if found is not None:
                repo.session.delete(found)
            continue
        if found is None:
            found = VendorPart(part_id=part.id, vendor_id=row.vendor_id, is_preferred=bool(row.is_preferred))
            repo.session.add(found)
        elif row.is_preferred is not None:
            found.is_preferred = row.is_preferred
        if "vendor_part_number" in row.model_fields_set:
            found.vendor_part_number = row.vendor_part_number
        if row.is_preferred:
            preferred = row.vendor_id
    repo.session.flush()
    if preferred is not None:
        for other in repo.vendor_rows(part.id):
            if other.vendor_id != preferred and other.is_preferred:
                other.is_preferred = False
        repo.session.flush()
