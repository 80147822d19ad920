from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, select

from wrenchwork.core.json_sql import json_first, json_list, json_object
from wrenchwork.core.repository import Repository
from wrenchwork.models import (
    Asset,
    Category,
    Location,
    Part,
    Vendor,
    VendorContact,
    VendorPart,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)
from wrenchwork.vendors.schemas import contact_item

_PRIMARY_CONTACT = json_first(
    json_object(("id", VendorContact.id), ("name", VendorContact.name), ("email", VendorContact.email),
                ("phone", VendorContact.phone), ("extension", VendorContact.extension)),
    VendorContact.vendor_id == Vendor.id, VendorContact.is_primary.is_(True), order_by=[VendorContact.id],
)  # fmt: skip


def json_vendors_with_contact(link: Table, owner_column: str, outer: Any, *extra: tuple[str, Any]) -> Any:
    """SQL: the `vendors` of a detail, `[{id, name, *extra, primary_contact}]` by id, of the `outer` record (a work
    order, a PM schedule's template, an asset, a part) through `link` (`extra`: values of its columns)."""
    return json_list(
        json_object(("id", Vendor.id), ("name", Vendor.name), *extra, ("primary_contact", _PRIMARY_CONTACT)),
        link.c[owner_column] == outer.id, order_by=[Vendor.id], outer=outer,
        source=link.join(Vendor, Vendor.id == link.c.vendor_id),
    )  # fmt: skip


class VendorRepository(Repository[Vendor]):
    model = Vendor

    def contacts(self, vendor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        ids = list(vendor_ids)
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            rows = self.session.scalars(
                select(VendorContact)
                .where(VendorContact.vendor_id.in_(ids))
                .order_by(VendorContact.vendor_id, VendorContact.is_primary.desc(), VendorContact.id)
            )
            for contact in rows:
                grouped[contact.vendor_id].append(contact_item(contact))
        return grouped

    def contact_rows(self, vendor_id: int) -> list[VendorContact]:
        return list(self.session.scalars(select(VendorContact).where(VendorContact.vendor_id == vendor_id)))

    def primary_contacts(self, vendor_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The `primary_contact` of each vendor reference: `{id, name, email, phone, extension}`."""
        ids = list(vendor_ids)
        if not ids:
            return {}
        rows = self.session.execute(
            select(
                VendorContact.vendor_id,
                VendorContact.id,
                VendorContact.name,
                VendorContact.email,
                VendorContact.phone,
                VendorContact.extension,
            ).where(VendorContact.vendor_id.in_(ids), VendorContact.is_primary.is_(True))
        )
        keys = ("id", "name", "email", "phone", "extension")
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}

    def categories(self, vendor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        return self.linked_refs(vendor_categories, "vendor_id", "category_id", Category, vendor_ids)

    def locations(self, vendor_ids: Iterable[int], with_path: bool) -> dict[int, list[dict[str, Any]]]:
        extra = ("path",) if with_path else ()
        return self.linked_refs(vendor_locations, "vendor_id", "location_id", Location, vendor_ids, *extra)

    def assets(self, vendor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        return self.linked_refs(asset_vendors, "vendor_id", "asset_id", Asset, vendor_ids)

    def parts(self, vendor_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        return self.linked_refs(cast(Table, VendorPart.__table__), "vendor_id", "part_id", Part, vendor_ids)

    def vendor_refs(self, link_rows: dict[int, list[dict[str, Any]]], with_contact: bool) -> None:
        """Adds `primary_contact` to vendor references in place (detail views)."""
        if not with_contact:
            return
        contacts = self.primary_contacts({ref["id"] for refs in link_rows.values() for ref in refs})
        for refs in link_rows.values():
            for ref in refs:
                ref["primary_contact"] = contacts.get(ref["id"])
