"""Vendors and their contacts. The published API only reads them; creating and changing is an extension."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.events.outbox import note_changed, note_linked
from wrenchwork.models import (
    Asset,
    Category,
    Location,
    Vendor,
    VendorContact,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)
from wrenchwork.vendors.repository import LIST_ITEM, VendorRepository
from wrenchwork.vendors.schemas import ContactIn, VendorCreate, VendorFields, VendorUpdate

LINKS = (
    ("categories_ids", vendor_categories, "category_id", Category),
    ("locations_ids", vendor_locations, "location_id", Location),
    ("assets_ids", asset_vendors, "asset_id", Asset),
)
CONTACTS = "vendor.vendor_contacts_attributes"


def vendor_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` in the caller's entity, rendered by the
    database in one statement (vendors/repository.py `DETAIL`)."""
    return VendorRepository(session, scope).details(ids)


# The detail of one vendor (the API's answer as the database rendered it), or as a dict (writes, events).
_ONE = OneDetail(vendor_details, "Vendor")
get_vendor = _ONE.fragment
read_vendor = _ONE.read


def list_vendors(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = VendorRepository(session, scope)
    ids, total = repo.list_ids(query)
    shown = repo.details(ids, LIST_ITEM)
    return [orjson.loads(shown[i]) for i in ids], total


def create_vendor(session: Session, scope: Scope, data: VendorCreate) -> dict[str, Any]:
    repo = VendorRepository(session, scope)
    _check_links(repo, data)
    fields = data.model_dump(exclude_unset=True, exclude={"vendor_contacts_attributes", *(n for n, *_ in LINKS)})
    vendor = repo.add(Vendor(**{k: v for k, v in fields.items() if v is not None}))
    _save_links_and_contacts(repo, vendor, data)
    return read_vendor(session, scope, vendor.id)


def update_vendor(session: Session, scope: Scope, vendor_id: int, data: VendorUpdate) -> dict[str, Any]:
    repo = VendorRepository(session, scope)
    vendor = _get(repo, vendor_id)
    _check_links(repo, data)
    apply_update(
        vendor,
        data,
        "vendor",
        clearable={"description", "tax_id", "address", "rating", "hourly_rate"},
        skip=frozenset({"vendor_contacts_attributes", *(n for n, *_ in LINKS)}),
    )
    _save_links_and_contacts(repo, vendor, data)
    repo.touch(vendor)
    return read_vendor(session, scope, vendor.id)


def delete_vendor(session: Session, scope: Scope, vendor_id: int) -> None:
    repo = VendorRepository(session, scope)
    repo.delete(_get(repo, vendor_id))


def _get(repo: VendorRepository, vendor_id: int) -> Vendor:
    vendor = repo.get(vendor_id)
    if vendor is None:
        raise NotFound.of("Vendor")
    return vendor


def _check_links(repo: VendorRepository, data: VendorFields) -> None:
    for field, _link, _column, model in LINKS:
        ids = getattr(data, field)
        if ids is None and field in data.model_fields_set:
            raise Unprocessable.field(f"vendor.{field}", "cannot be null (send [] to clear)")
        if ids:
            unknown = sorted(set(ids) - repo.ids_in_scope(model, ids))
            if unknown:
                raise Unprocessable.field(f"vendor.{field}", f"unknown ids in this entity: {unknown}")


def _save_links_and_contacts(repo: VendorRepository, vendor: Vendor, data: VendorFields) -> None:
    for field, link, column, _model in LINKS:
        ids = getattr(data, field)
        changed = set() if ids is None else repo.set_links(link, "vendor_id", vendor.id, column, ids)
        if changed:
            note_changed(repo.session, vendor, field)
            note_linked(repo.session, link, column, changed, vendor.entity_id)
    if data.vendor_contacts_attributes is not None:
        _save_contacts(repo, vendor, data.vendor_contacts_attributes)


def _save_contacts(repo: VendorRepository, vendor: Vendor, contacts: list[ContactIn]) -> None:
    """Rails-style nested rows: with `id` change (or `_destroy`) that contact, without `id` add one."""
    if sum(1 for c in contacts if c.is_primary and not c.destroy) > 1:
        raise Unprocessable.field(CONTACTS, "only one contact can be primary")
    existing = {c.id: c for c in repo.contact_rows(vendor.id)}
    primary: VendorContact | None = None
    for index, contact in enumerate(contacts):
        path = f"{CONTACTS}.{index}"
        fields = contact.model_dump(exclude_unset=True, exclude={"id", "destroy"})
        if contact.id is None:
            if contact.destroy:
                raise Unprocessable.field(f"{path}._destroy", "needs the id of the contact to remove")
            if not contact.name:
                raise Unprocessable.field(f"{path}.name", "is required")
            row = VendorContact(vendor_id=vendor.id, **{k: v for k, v in fields.items() if v is not None})
            repo.session.add(row)
        else:
            found = existing.get(contact.id)
            if found is None:
                raise Unprocessable.field(f"{path}.id", "is not a contact of this vendor")
            if contact.destroy:
                repo.session.delete(found)
                continue
            for required in ("name", "is_primary"):
                if required in fields and fields[required] is None:
                    raise Unprocessable.field(f"{path}.{required}", "cannot be null")
            for name, value in fields.items():
                setattr(found, name, value)
            row = found
        if contact.is_primary:
            primary = row
    repo.session.flush()
    if primary is not None:
        for other in repo.contact_rows(vendor.id):
            if other.id != primary.id and other.is_primary:
                other.is_primary = False
        repo.session.flush()
