from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import aliased

from wrenchwork.core.listing import AnyRow, AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.models import (
    Asset,
    MeasurementUnit,
    Part,
    PartTransaction,
    PartType,
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
        reserved_quantity(Part.id).label("reserved"),
    )
    .outerjoin(PartType, PartType.id == Part.part_type_id)
    .outerjoin(Storeroom, Storeroom.id == Part.storeroom_id)
    .outerjoin(MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id)
    .outerjoin(Creator, Creator.id == Part.created_by_id)
    .outerjoin(Editor, Editor.id == Part.updated_by_id)
)
LIST_LINKS = (
    Link("assets", part_assets, "part_id", "asset_id", Asset),
    Link("vendors", cast(Table, VendorPart.__table__), "part_id", "vendor_id", Vendor),
)


class PartRepository(Repository[Part]):
    model = Part

    def readable(self) -> AnySelect:
        return self.scoped(READABLE)

    def read(self, part_id: int) -> AnyRow | None:
        return self.session.execute(self.readable().where(Part.id == part_id)).first()

    def list_references(self, part_ids: Sequence[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """The assets and vendors (`{id, name}`) of a page of parts, in one query."""
        return self.refs_through(LIST_LINKS, part_ids)

    def assets(self, part_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        return self.linked_refs(part_assets, "part_id", "asset_id", Asset, part_ids)

    def vendors(self, part_ids: Sequence[int], detail: bool) -> dict[int, list[dict[str, Any]]]:
        """`{part_id: [{id, name}]}`, or with `is_preferred` and `vendor_part_number` for the detail."""
        grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in part_ids}
        if not part_ids:
            return grouped
        stmt = (
            select(VendorPart.part_id, Vendor.id, Vendor.name, VendorPart.is_preferred, VendorPart.vendor_part_number)
            .join(Vendor, Vendor.id == VendorPart.vendor_id)
            .where(VendorPart.part_id.in_(list(part_ids)))
            .order_by(VendorPart.part_id, Vendor.name, Vendor.id)
        )
        for part_id, vendor_id, name, preferred, number in self.session.execute(stmt):
            ref: dict[str, Any] = {"id": vendor_id, "name": name}
            if detail:
                ref |= {"is_preferred": preferred, "vendor_part_number": number}
            grouped[part_id].append(ref)
        return grouped

    def vendor_rows(self, part_id: int) -> list[VendorPart]:
        return list(self.session.scalars(select(VendorPart).where(VendorPart.part_id == part_id)))

    def number_taken(self, number: str, except_id: int | None) -> bool:
        stmt = self.scoped(select(Part.id)).where(Part.number == number)
        if except_id is not None:
            stmt = stmt.where(Part.id != except_id)
        return self.session.scalar(stmt) is not None

    def assignment_count(self, part_id: int) -> int:
        return self.session.scalar(select(func.count()).where(WorkOrderPart.part_id == part_id)) or 0

    # ---- ledger ------------------------------------------------------------------------------------------------

    def transactions(self, part_id: int) -> AnySelect:
        return select(PartTransaction).where(PartTransaction.part_id == part_id)

    def transaction(self, part_id: int, transaction_id: int) -> PartTransaction | None:
        stmt = self.transactions(part_id).where(PartTransaction.id == transaction_id)
        found: PartTransaction | None = self.session.scalars(stmt).first()
        return found
