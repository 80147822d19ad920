"""Vendors and their contacts. The published API only reads them; creating and changing is an extension."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.presenters import NO_THUMBNAIL
from wrenchwork.core.schemas import apply_update
from wrenchwork.events.outbox import note_changed, note_linked
from wrenchwork.files.present import fill
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
from wrenchwork.vendors.listing import VENDOR_LIST
from wrenchwork.vendors.repository import VendorRepository
from wrenchwork.vendors.schemas import ContactIn, VendorCreate, VendorFields, VendorUpdate, vendor_scalars

LINKS = (
    ("categories_ids", vendor_categories, "category_id", Category),
    ("locations_ids", vendor_locations, "location_id", Location),
    ("assets_ids", asset_vendors, "asset_id", Asset),
)
CONTACTS = "vendor.vendor_contacts_attributes"


def present(repo: VendorRepository, vendors: Sequence[Vendor], detail: bool) -> list[dict[str, Any]]:
    """Vendors as documented: the list item or the detail. A fixed number of queries for any number."""
    ids = [v.id for v in vendors]
    contacts = repo.contacts(ids)
    categories = repo.categories(ids)
    locations = repo.locations(ids, with_path=detail)
    assets = repo.assets(ids)
    parts = repo.parts(ids)
    users = {} if detail else repo.user_refs(u for v in vendors for u in (v.created_by_id, v.updated_by_id))
    items = []
    for vendor in vendors:
        item = vendor_scalars(vendor) | {
            "locations": locations.get(vendor.id, []),
            "vendor_contacts": contacts.get(vendor.id, []),
            "categories": categories.get(vendor.id, []),
            "assets": assets.get(vendor.id, []),
            "parts": parts.get(vendor.id, []),
        }
        if detail:
            item |= {"images": [], "documents": []}
        else:
            item["image"] = dict(NO_THUMBNAIL)
        item |= {"created_at": vendor.created_at, "updated_at": vendor.updated_at}
        if detail:
            item |= {"created_by_id": vendor.created_by_id, "updated_by_id": vendor.updated_by_id}
        else:
            item |= {"created_by": users.get(vendor.created_by_id), "updated_by": users.get(vendor.updated_by_id)}
        items.append(item)
    fill(repo.session, repo.scope, "vendors", items)
    return items


def list_vendors(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = VendorRepository(session, scope)
    rows, total = repo.page(VENDOR_LIST, query, repo.scoped())
    return present(repo, [r[0] for r in rows], detail=False), total


def get_vendor(session: Session, scope: Scope, vendor_id: int) -> dict[str, Any]:
    repo = VendorRepository(session, scope)
    return present(repo, [_get(repo, vendor_id)], detail=True)[0]


def create_vendor(session: Session, scope: Scope, data: VendorCreate) -> dict[str, Any]:
    repo = VendorRepository(session, scope)
    _check_links(repo, data)
    fields = data.model_dump(exclude_unset=True, exclude={"vendor_contacts_attributes", *(n for n, *_ in LINKS)})
    vendor = repo.add(Vendor(**{k: v for k, v in fields.items() if v is not None}))
    _save_links_and_contacts(repo, vendor, data)
    return present(repo, [vendor], detail=True)[0]


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
    return present(repo, [vendor], detail=True)[0]


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
