from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import ARRAY, String, Table, any_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import aliased

from wrenchwork.assets.schemas import COSTS, SCALARS
from wrenchwork.core.json_sql import (
    Detail,
    json_author,
    json_bool,
    json_decimal,
    json_item,
    json_moment,
    json_object,
    json_ref,
    json_refs,
)
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    Asset,
    AssetType,
    Downtime,
    Location,
    Part,
    PmTemplateWorkOrder,
    User,
    Vendor,
    WorkOrder,
    WorkOrderRequest,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    part_assets,
)
from wrenchwork.vendors.repository import json_vendors_with_contact

# What may point at an asset, by (singular, plural) name.
REFERRERS = {
    ("sub-asset", "sub-assets"): Asset.parent_id,
    ("work order", "work orders"): WorkOrder.asset_id,
    ("request", "requests"): WorkOrderRequest.asset_id,
    ("PM schedule", "PM schedules"): PmTemplateWorkOrder.asset_id,
}
ParentAsset = aliased(Asset, name="parent_asset")
Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")


def _linked(field: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"assets.{field}", link, "asset_id", value, target, Asset.id, *extra)


# The documented list item (assets/schemas.py `AssetListItem`), rendered by the database.
LIST_ITEM_PAIRS = (
    *((name, getattr(Asset, name)) for name in SCALARS),
    *((name, getattr(Asset, name)) for name in ("asset_code", "status")),
    *((name, json_decimal(getattr(Asset, name))) for name in ("purchase_cost", "replacement_cost", "salvage_value")),
    ("parent", json_ref(Asset.parent_id, ("id", Asset.parent_id), ("name", ParentAsset.name))),
    ("location", json_ref(Asset.location_id, ("id", Asset.location_id), ("name", Location.name),
                          ("path", Location.path))),
    ("technicians", _linked("technicians", asset_technicians, "user_id", User, ("surname", User.surname),
                            ("avatar", first_image_url("users", User.id, "small", newest=True)))),
    ("asset_types", _linked("asset_types", asset_asset_types, "asset_type_id", AssetType)),
    ("parts", _linked("parts", part_assets, "part_id", Part)),
    ("vendors", _linked("vendors", asset_vendors, "vendor_id", Vendor)),
    ("purchase_date", Asset.purchase_date),
    ("warranty_exp_date", Asset.warranty_exp_date),
    ("qr_code", Asset.qr_code),
    ("image", json_object(("small", first_image_url("assets", Asset.id, "small")),
                          ("medium", first_image_url("assets", Asset.id, "medium")))),
    ("created_at", json_moment(Asset.created_at)),
    ("updated_at", json_moment(Asset.updated_at)),
    ("created_by", json_author(Creator, Asset.created_by_id)),
    ("updated_by", json_author(Editor, Asset.updated_by_id)),
)  # fmt: skip
LIST_ITEM = json_object(*LIST_ITEM_PAIRS)
LIST_PAGE = (
    select(json_item("assets.list_item", LIST_ITEM).label("item"))
    .outerjoin(ParentAsset, ParentAsset.id == Asset.parent_id)
    .outerjoin(Location, Location.id == Asset.location_id)
    .outerjoin(Creator, Creator.id == Asset.created_by_id)
    .outerjoin(Editor, Editor.id == Asset.updated_by_id)
)


def _joined(stmt: AnySelect) -> AnySelect:
    return (
        stmt.outerjoin(ParentAsset, ParentAsset.id == Asset.parent_id)
        .outerjoin(Location, Location.id == Asset.location_id)
        .outerjoin(Creator, Creator.id == Asset.created_by_id)
        .outerjoin(Editor, Editor.id == Asset.updated_by_id)
    )


# The documented detail (assets/schemas.py `AssetDetail`), rendered by the database for one or many.
_SHOWN = dict(LIST_ITEM_PAIRS)
ChildAsset = aliased(Asset, name="child_asset")
DETAIL = Detail("assets.detail", json_object(
    *((name, _SHOWN[name]) for name in SCALARS),
    ("root_id", Asset.root_id),
    *((name, _SHOWN[name]) for name in COSTS),
    *((name, _SHOWN[name]) for name in ("parent", "location", "technicians", "asset_types", "parts")),
    ("vendors", json_vendors_with_contact(asset_vendors, "asset_id", Asset)),
    ("has_children", json_bool(exists().where(ChildAsset.parent_id == Asset.id))),
    *((name, _SHOWN[name]) for name in ("purchase_date", "warranty_exp_date", "qr_code")),
    ("images", json_files("assets", Asset.id, "image")),
    ("documents", json_files("assets", Asset.id, "document")),
    *((name, _SHOWN[name]) for name in ("created_at", "updated_at", "created_by", "updated_by")),
), _joined)  # fmt: skip


# The table's own INSERT (not the ORM's bulk insert of the class, which spends a third more per row on SQLite).
_ASSETS = cast(Table, Asset.__table__)
_INSERT = insert(_ASSETS)


class AssetRepository(Repository[Asset]):
    model = Asset

    def usage(self, asset_id: int) -> str | None:
        """What still points at an asset, in words (an asset in use cannot be deleted; its downtimes and links
        go with it)."""
        return self.still_referenced(asset_id, REFERRERS)

    def code_taken(self, code: str, except_id: int | None) -> bool:
        return bool(self.codes_taken([code], except_id))

    def codes_taken(self, codes: Iterable[str], except_id: int | None) -> set[str]:
        """Which of these asset codes another asset of the entity has."""
        wanted = list(set(codes))
        if not wanted:
            return set()
        # On PostgreSQL one array parameter: an `IN` of a thousand parameters (an import's batch) becomes, once the
        # statement is prepared, a generic plan that compares every asset of the entity with each of them (a
        # parameter list is never hashed); `= ANY(array)` probes the unique index once per code.
        if self.session.get_bind().dialect.name == "postgresql":
            codes = bindparam("codes", wanted, type_=ARRAY(String()))
            stmt = self.scoped(select(Asset.asset_code)).where(Asset.asset_code == any_(codes))
        else:
            stmt = self.scoped(select(Asset.asset_code)).where(Asset.asset_code.in_(wanted))
        if except_id is not None:
            stmt = stmt.where(Asset.id != except_id)
        return set(self.session.scalars(stmt))

    def roots_of(self, asset_ids: Iterable[int]) -> dict[int, int | None]:
        """`{id: root id}` of those of `asset_ids` that are assets of the entity."""
        wanted = list(set(asset_ids))
        if not wanted:
            return {}
        stmt = self.scoped(select(Asset.id, Asset.root_id)).where(Asset.id.in_(wanted))
        return {id_: root for id_, root in self.session.execute(stmt)}

    def insert_many(self, rows: list[dict[str, Any]]) -> list[int]:
        """New assets (their `assets` columns) in one multi-row INSERT; the new ids in the rows' order. Assets
        without a parent become their own tree's root (core/tree.py `place`)."""
        audit = {"entity_id": self.scope_id, "created_by_id": self.user_id, "updated_by_id": self.user_id}
        if len(rows) > 1 and self.session.get_bind().dialect.name == "sqlite":
            # SQLite answers an INSERT ... RETURNING of many rows one row at a time (in the rows' order only so).
            # Its transaction holds the write lock from BEGIN IMMEDIATE (core/db.py), so nobody inserts meanwhile
            # and the ids SQLite would give are the next ones after the largest: they are given here instead.
            start = (self.session.scalar(select(func.max(Asset.id))) or 0) + 1
            ids = list(range(start, start + len(rows)))
            self.session.execute(_INSERT, [row | audit | {"id": id_} for row, id_ in zip(rows, ids, strict=True)])
        else:
            stmt = _INSERT.returning(_ASSETS.c.id, sort_by_parameter_order=True)
            ids = list(self.session.scalars(stmt, [row | audit for row in rows]))
        roots = [id_ for id_, row in zip(ids, rows, strict=True) if row.get("parent_id") is None]
        if roots:
            self.session.execute(
                update(Asset)
                .where(Asset.id.in_(roots))
                .values(root_id=Asset.id)
                .execution_options(synchronize_session=False)
            )
        return ids

    def insert_links(self, link: Table, rows: list[dict[str, int]]) -> None:
        if rows:
            self.session.execute(insert(link), rows)

    def open_downtime(self, asset_id: int) -> Downtime | None:
        stmt = select(Downtime).where(Downtime.asset_id == asset_id, Downtime.ended_at.is_(None))
        found: Downtime | None = self.session.scalars(stmt.order_by(Downtime.started_at.desc())).first()
        return found

    def downtimes(self, asset_id: int) -> AnySelect:
        return select(Downtime).where(Downtime.asset_id == asset_id)

    def latest_downtimes(self, asset_id: int, count: int) -> Sequence[Downtime]:
        """The asset's `count` latest downtimes in the caller's entity, newest first, in one statement (none for
        an asset elsewhere): for a page that has read the asset already."""
        stmt = (
            self.downtimes(asset_id)
            .where(Downtime.entity_id == self.scope_id)
            .order_by(Downtime.started_at.desc(), Downtime.id.desc())
            .limit(count)
        )
        return self.session.scalars(stmt).all()

    def downtimes_between(self, asset_id: int, start: Any, end: Any) -> Iterable[Downtime]:
        return self.session.scalars(
            select(Downtime).where(
                Downtime.asset_id == asset_id,
                Downtime.started_at < end,
                (Downtime.ended_at.is_(None)) | (Downtime.ended_at > start),
            )
        )
