from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import (
    Detail,
    json_author,
    json_bool,
    json_decimal,
    json_first,
    json_list,
    json_moment,
    json_object,
    json_refs,
)
from wrenchwork.core.listing import AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    Asset,
    Category,
    Location,
    Part,
    User,
    Vendor,
    VendorContact,
    VendorPart,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)
from wrenchwork.vendors.listing import VENDOR_LIST

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


Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")


def _linked(key: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"vendors.{key}", link, "vendor_id", value, target, Vendor.id, *extra)


_CONTACTS = json_list(
    json_object(("id", VendorContact.id), ("name", VendorContact.name), ("role", VendorContact.role),
                ("email", VendorContact.email), ("phone", VendorContact.phone),
                ("extension", VendorContact.extension), ("is_primary", json_bool(VendorContact.is_primary))),
    VendorContact.vendor_id == Vendor.id, order_by=[VendorContact.is_primary.desc(), VendorContact.id], outer=Vendor,
)  # fmt: skip
_SCALARS = (
    ("id", Vendor.id), ("name", Vendor.name), ("description", Vendor.description),
    *((name, json_bool(getattr(Vendor, name))) for name in ("is_active", "assign_to_work_orders", "parts_supplier")),
    ("tax_id", Vendor.tax_id), ("address", Vendor.address), ("rating", Vendor.rating),
    ("hourly_rate", json_decimal(Vendor.hourly_rate)),
)  # fmt: skip
_REFERENCES = (
    ("vendor_contacts", _CONTACTS),
    ("categories", _linked("categories", vendor_categories, "category_id", Category)),
    ("assets", _linked("assets", asset_vendors, "asset_id", Asset)),
    ("parts", _linked("parts", cast(Table, VendorPart.__table__), "part_id", Part)),
)
_MOMENTS = (("created_at", json_moment(Vendor.created_at)), ("updated_at", json_moment(Vendor.updated_at)))


def _with_authors(stmt: AnySelect) -> AnySelect:
    return stmt.outerjoin(Creator, Creator.id == Vendor.created_by_id).outerjoin(
        Editor, Editor.id == Vendor.updated_by_id
    )


# The documented detail (vendors/schemas.py `VendorDetail`) and list item (`VendorListItem`), rendered by the
# database: one statement for a detail, one for a list page's items.
DETAIL = Detail("vendors.detail", json_object(
    *_SCALARS,
    ("locations", _linked("locations_with_path", vendor_locations, "location_id", Location, ("path", Location.path))),
    *_REFERENCES,
    ("images", json_files("vendors", Vendor.id, "image")),
    ("documents", json_files("vendors", Vendor.id, "document")),
    *_MOMENTS,
    ("created_by_id", Vendor.created_by_id), ("updated_by_id", Vendor.updated_by_id),
))  # fmt: skip
LIST_ITEM = Detail("vendors.list_item", json_object(
    *_SCALARS,
    ("locations", _linked("locations", vendor_locations, "location_id", Location)),
    *_REFERENCES,
    ("image", json_object(("small", first_image_url("vendors", Vendor.id, "small")),
                          ("medium", first_image_url("vendors", Vendor.id, "medium")))),
    *_MOMENTS,
    ("created_by", json_author(Creator, Vendor.created_by_id)),
    ("updated_by", json_author(Editor, Vendor.updated_by_id)),
), _with_authors)  # fmt: skip


class VendorRepository(Repository[Vendor]):
    model = Vendor

    def list_ids(self, query: ListQuery) -> tuple[list[int], int]:
        """One page of the vendors' ids (the items are rendered from them: `details`)."""
        rows, total = self.rows_page(VENDOR_LIST, query, self.scoped(select(Vendor.id)))
        return [row[0] for row in rows], total

    def details(self, vendor_ids: Iterable[int], item: Detail = DETAIL) -> dict[int, str]:
        """`{id: the vendor as JSON text}` of those of `vendor_ids` in the entity: the detail, or `LIST_ITEM` (the
        same statement for any number)."""
        return self.json_details(item, vendor_ids, batch=item is LIST_ITEM)

    def contact_rows(self, vendor_id: int) -> list[VendorContact]:
        return list(self.session.scalars(select(VendorContact).where(VendorContact.vendor_id == vendor_id)))
