from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from wrenchwork.core.json_sql import (
    json_author,
    json_bool,
    json_decimal,
    json_item,
    json_moment,
    json_object,
    json_ref,
    json_refs,
)
from wrenchwork.core.listing import AnyRow, AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    Asset,
    MeasurementUnit,
    Part,
    PartTransaction,
    PartType,
    PmTemplatePart,
    Storeroom,
    User,
    Vendor,
    VendorPart,
    WorkOrderPart,
    part_assets,
)
from wrenchwork.parts.stock import reserved_quantity

Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")


# Part columns with type, storeroom, unit, author references and the reserved quantity: one query per page.
# Built once; each request only adds its entity, filters, order and page.
_RESERVED = reserved_quantity(Part.id)
# What may point at a part, by (singular, plural) name.
REFERRERS = {
    ("work order", "work orders"): WorkOrderPart.part_id,
    ("PM schedule", "PM schedules"): PmTemplatePart.part_id,
}
READABLE = (
    select(
        *Part.__table__.c,
        PartType.name.label("part_type_name"),
        Storeroom.name.label("storeroom_name"),
        MeasurementUnit.name.label("unit_name"),
        MeasurementUnit.short_name.label("unit_short_name"),
        Creator.name.label("creator_name"),
        Creator.surname.label("creator_surname"),
        Editor.name.label("editor_name"),
        Editor.surname.label("editor_surname"),
        _RESERVED.label("reserved"),
    )
    .outerjoin(PartType, PartType.id == Part.part_type_id)
    .outerjoin(Storeroom, Storeroom.id == Part.storeroom_id)
    .outerjoin(MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id)
    .outerjoin(Creator, Creator.id == Part.created_by_id)
    .outerjoin(Editor, Editor.id == Part.updated_by_id)
)


def _linked(field: str, link: Any, value: str, target: Any) -> Any:
    return json_refs(f"parts.{field}", link, "part_id", value, target, Part.id)


DECIMALS = ("on_hand_qty", "min_qty", "desired_qty", "unit_cost", "avg_unit_cost")
# The documented list item (parts/schemas.py `PartListItem`), rendered by the database.
LIST_ITEM = json_object(
    ("id", Part.id), ("name", Part.name), ("description", Part.description),
    ("is_non_stock", json_bool(Part.is_non_stock)), ("number", Part.number), ("area", Part.area),
    ("lead_time", Part.lead_time),
    *((name, json_decimal(getattr(Part, name))) for name in DECIMALS),
    ("available", json_decimal(Part.on_hand_qty - _RESERVED, scale=3)),
    ("part_type", json_ref(Part.part_type_id, ("id", Part.part_type_id), ("name", PartType.name))),
    ("storeroom", json_ref(Part.storeroom_id, ("id", Part.storeroom_id), ("name", Storeroom.name))),
    ("measurement_unit", json_ref(Part.measurement_unit_id, ("id", Part.measurement_unit_id),
                                  ("name", MeasurementUnit.name))),
    ("assets", _linked("assets", part_assets, "asset_id", Asset)),
    ("vendors", _linked("vendors", VendorPart.__table__, "vendor_id", Vendor)),
    ("qr_code", Part.qr_code),
    ("image", json_object(("small", first_image_url("parts", Part.id, "small")),
                          ("medium", first_image_url("parts", Part.id, "medium")))),
    ("created_at", json_moment(Part.created_at)),
    ("updated_at", json_moment(Part.updated_at)),
    ("created_by", json_author(Creator, Part.created_by_id)),
    ("updated_by", json_author(Editor, Part.updated_by_id)),
)  # fmt: skip
LIST_PAGE = (
    select(json_item("parts.list_item", LIST_ITEM).label("item"))
    .outerjoin(PartType, PartType.id == Part.part_type_id)
    .outerjoin(Storeroom, Storeroom.id == Part.storeroom_id)
    .outerjoin(MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id)
    .outerjoin(Creator, Creator.id == Part.created_by_id)
    .outerjoin(Editor, Editor.id == Part.updated_by_id)
)


LEDGER = (
    select(
        *PartTransaction.__table__.c,
        Creator.name.label("creator_name"),
        Creator.surname.label("creator_surname"),
        Editor.name.label("editor_name"),
        Editor.surname.label("editor_surname"),
    )
    .outerjoin(Creator, Creator.id == PartTransaction.created_by_id)
    .outerjoin(Editor, Editor.id == PartTransaction.updated_by_id)
)
# One ledger line (parts/schemas.py `transaction_item`, the detail's shape), rendered by the database; `type`
# and `quantity` ride along for `total_used`.
LEDGER_ITEM = json_object(
    ("id", PartTransaction.id), ("note", PartTransaction.note), ("type", PartTransaction.type),
    ("work_order_id", PartTransaction.work_order_id),
    *((name, json_decimal(getattr(PartTransaction, name))) for name in ("cost", "total_cost", "quantity")),
    ("images", json_files("part_transactions", PartTransaction.id, "image")),
    ("documents", json_files("part_transactions", PartTransaction.id, "document")),
    ("created_at", json_moment(PartTransaction.created_at)),
    ("updated_at", json_moment(PartTransaction.updated_at)),
    ("created_by", json_author(Creator, PartTransaction.created_by_id)),
    ("updated_by", json_author(Editor, PartTransaction.updated_by_id)),
)  # fmt: skip
LEDGER_PAGE = (
    select(json_item("parts.ledger_item", LEDGER_ITEM).label("item"), PartTransaction.type, PartTransaction.quantity)
    .outerjoin(Creator, Creator.id == PartTransaction.created_by_id)
    .outerjoin(Editor, Editor.id == PartTransaction.updated_by_id)
)


class PartRepository(Repository[Part]):
    model = Part

    def readable(self) -> AnySelect:
        return self.scoped(READABLE)

    def read(self, part_id: int) -> AnyRow | None:
        return self.session.execute(self.readable().where(Part.id == part_id)).first()

    def assets(self, part_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        return self.linked_refs(part_assets, "part_id", "asset_id", Asset, part_ids)

    def vendors(self, part_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """`{part_id: [{id, name, is_preferred, vendor_part_number}]}` (the detail's vendors)."""
        grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in part_ids}
        if not part_ids:
            return grouped
        stmt = (
            select(VendorPart.part_id, Vendor.id, Vendor.name, VendorPart.is_preferred, VendorPart.vendor_part_number)
            .join(Vendor, Vendor.id == VendorPart.vendor_id)
            .where(VendorPart.part_id.in_(list(part_ids)))
            .order_by(VendorPart.part_id, Vendor.id)
        )
        for part_id, vendor_id, name, preferred, number in self.session.execute(stmt):
            ref = {"id": vendor_id, "name": name, "is_preferred": preferred, "vendor_part_number": number}
            grouped[part_id].append(ref)
        return grouped

    def vendor_rows(self, part_id: int) -> list[VendorPart]:
        return list(self.session.scalars(select(VendorPart).where(VendorPart.part_id == part_id)))

    def number_taken(self, number: str, except_id: int | None) -> bool:
        stmt = self.scoped(select(Part.id)).where(Part.number == number)
        if except_id is not None:
            stmt = stmt.where(Part.id != except_id)
        return self.session.scalar(stmt) is not None

    def usage(self, part_id: int) -> str | None:
        """What still points at a part, in words: work orders it is assigned to, PM schedules whose template
        has it (its ledger, vendor rows and asset links go with it)."""
        return self.still_referenced(part_id, REFERRERS)

    # ---- ledger ------------------------------------------------------------------------------------------------

    def ledger(self, part_id: int) -> AnySelect:
        """The part's transactions (columns, with their authors' names), in the caller's entity."""
        return self.in_entity_of(PartTransaction, LEDGER).where(PartTransaction.part_id == part_id)
