"""The physical catalog: lookups (categories, asset types), vendors, locations, assets and their downtime."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin, Money


class Category(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))


class AssetType(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "asset_types"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))


class Vendor(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "vendors"
    __table_args__ = (Index("ix_vendors_entity_name", "entity_id", "name", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    assign_to_work_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    parts_supplier: Mapped[bool] = mapped_column(Boolean, default=False)
    tax_id: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money())


class VendorContact(IdMixin, Base):
    __tablename__ = "vendor_contacts"

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    extension: Mapped[str | None] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Location(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("entity_id", "qr_code"),
        Index("ix_locations_entity_name", "entity_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # Kept in step with the tree on every rename or move: ancestor names joined by " > ", ending with this one.
    path: Mapped[str] = mapped_column(Text)
    root_id: Mapped[int | None] = mapped_column(Integer, index=True)
    qr_code: Mapped[str | None] = mapped_column(String(200))


class Asset(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("entity_id", "asset_code"),
        UniqueConstraint("entity_id", "qr_code"),
        Index("ix_assets_entity_name", "entity_id", "name", "id"),
        Index("ix_assets_entity_created", "entity_id", "created_at", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    asset_code: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))
    manufacturer: Mapped[str | None] = mapped_column(String(200))
    serial_number: Mapped[str | None] = mapped_column(String(200))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    warranty_exp_date: Mapped[date | None] = mapped_column(Date)
    warranty_expiration_notification: Mapped[int | None] = mapped_column(Integer)
    life_expectancy: Mapped[int | None] = mapped_column(Integer)
    purchase_cost: Mapped[Decimal | None] = mapped_column(Money())
    replacement_cost: Mapped[Decimal | None] = mapped_column(Money())
    salvage_value: Mapped[Decimal | None] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(20), default="online")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    root_id: Mapped[int | None] = mapped_column(Integer, index=True)
    qr_code: Mapped[str | None] = mapped_column(String(200))


class Downtime(IdMixin, EntityScopedMixin, Base):
    """One offline period of an asset: opened when it goes offline, closed when it comes back online."""

    __tablename__ = "downtimes"
    __table_args__ = (
        Index("ix_downtimes_asset_started", "asset_id", "started_at"),
        # A work order shows its latest downtime: read from the end of this index, no sort per work order.
        Index("ix_downtimes_work_order_started", "work_order_id", "started_at", "id"),
    )

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    work_order_id: Mapped[int | None] = mapped_column(Integer)


def link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A to-many link between two tables, e.g. `("assets", "asset_id")` to `("users", "user_id")`.

    Deleting either side removes the link rows. It is indexed both ways, each side's links in the other side's
    id order: list items read their reference lists in that order (core/json_sql.py `json_array`).
    """
    return Table(
        name,
        Base.metadata,
        Column(left[1], ForeignKey(f"{left[0]}.id", ondelete="CASCADE"), primary_key=True),
        Column(right[1], ForeignKey(f"{right[0]}.id", ondelete="CASCADE"), primary_key=True),
        Index(f"ix_{name}_{right[1]}", right[1], left[1]),
    )


asset_technicians = link_table("asset_technicians", ("assets", "asset_id"), ("users", "user_id"))
asset_asset_types = link_table("asset_asset_types", ("assets", "asset_id"), ("asset_types", "asset_type_id"))
asset_vendors = link_table("asset_vendors", ("assets", "asset_id"), ("vendors", "vendor_id"))
vendor_categories = link_table("vendor_categories", ("vendors", "vendor_id"), ("categories", "category_id"))
vendor_locations = link_table("vendor_locations", ("vendors", "vendor_id"), ("locations", "location_id"))
