"""Inventory: parts, where they are kept, who sells them, their stock ledger and their use on work orders.

`Part.on_hand_qty`, `unit_cost` and `avg_unit_cost` are a cache of the part's ledger (`part_transactions`):
they are only ever changed by `wrenchwork.parts.stock`, together with the one transaction that explains the
change, so replaying the ledger in id order always gives them back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, Computed, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, ExactDecimal, IdMixin, Money, Quantity
from wrenchwork.models.catalog import link_table

# Ledger transaction types (DESIGN §6). `usage`/`usage_return` carry the work order.
TRANSACTION_TYPES = ("initial", "restock", "reconcile", "cost_update", "avg_cost_update", "usage", "usage_return")


class Storeroom(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "storerooms"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))


class PartType(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "part_types"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))


class MeasurementUnit(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "measurement_units"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(20))


class Part(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "parts"
    __table_args__ = (
        UniqueConstraint("entity_id", "number"),
        UniqueConstraint("entity_id", "qr_code"),
        Index("ix_parts_entity_name", "entity_id", "name", "id"),
        Index("ix_parts_entity_created", "entity_id", "created_at", "id"),
        Index("ix_parts_entity_low_stock", "entity_id", "low_stock", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_non_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    number: Mapped[str | None] = mapped_column(String(100))
    area: Mapped[str | None] = mapped_column(String(200))
    lead_time: Mapped[int | None] = mapped_column(Integer)
    # The ledger's cache (see the module docstring): never written outside parts/stock.py.
    on_hand_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    unit_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    avg_unit_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # Usage minus usage returns, to date: the unfiltered ledger's `total_used`, whatever the ledger's length.
    used_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    min_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    desired_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    # Stocked, with a reorder point, and at or below it. The database keeps it as stock and settings change, and
    # it is indexed, so the purchasing list (`filter[low_stock_eq]=true`) reads just those parts. (Both stock
    # columns are whole numbers of thousandths on SQLite, so the comparison is exact on either database.)
    low_stock: Mapped[bool] = mapped_column(
        Boolean, Computed("NOT is_non_stock AND min_qty IS NOT NULL AND on_hand_qty <= min_qty", persisted=True)
    )
    part_type_id: Mapped[int | None] = mapped_column(ForeignKey("part_types.id"), index=True)
    storeroom_id: Mapped[int | None] = mapped_column(ForeignKey("storerooms.id"), index=True)
    measurement_unit_id: Mapped[int | None] = mapped_column(ForeignKey("measurement_units.id"), index=True)
    qr_code: Mapped[str | None] = mapped_column(String(200))


class VendorPart(IdMixin, Base):
    """A vendor that sells a part, under its own part number; at most one vendor per part is preferred."""

    __tablename__ = "vendor_parts"
    __table_args__ = (UniqueConstraint("part_id", "vendor_id"),)

    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    vendor_part_number: Mapped[str | None] = mapped_column(String(100))
    is_preferred: Mapped[bool] = mapped_column(Boolean, default=False)


part_assets = link_table("part_assets", ("parts", "part_id"), ("assets", "asset_id"))


class PartTransaction(IdMixin, EntityScopedMixin, Base):
    """One line of a part's stock ledger. Rows are written once and never changed.

    `quantity` is signed as the change it records for `restock`/`reconcile`/`initial` (the initial stock),
    and is the (positive) amount used or returned for `usage`/`usage_return`; 0 for the two cost updates.
    `cost` is the unit cost the line is valued at; `total_cost` = `cost` x `quantity`, rounded to cents.
    """

    __tablename__ = "part_transactions"
    __table_args__ = (
        Index("ix_part_transactions_part_updated", "part_id", "updated_at", "id"),
        Index("ix_part_transactions_part_type", "part_id", "type"),
    )
    # Listed per part: the ledger list's total is a counter per part, so it stays O(1) on a long ledger.
    __counted_by__: ClassVar[str | None] = "part_id"

    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    cost: Mapped[Decimal] = mapped_column(Money())
    # Quantities stay below 1e9 and unit costs below 1e7 (parts/schemas.py), so a total fits 18 digits.
    total_cost: Mapped[Decimal] = mapped_column(ExactDecimal(scale=2, precision=18))
    note: Mapped[str | None] = mapped_column(Text)
    # Kept when the work order is deleted: the ledger is the accounting record.
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"), index=True)


class WorkOrderPart(IdMixin, EntityScopedMixin, Base):
    """A part assigned to a work order. Reserved while the work order is open; consumed when it completes.

    `consumed_unit_cost` is set (the part's avg_unit_cost at that moment) while the assignment is consumed,
    i.e. while its work order is completed, and cleared when it is reopened.
    """

    __tablename__ = "work_order_parts"
    __table_args__ = (UniqueConstraint("work_order_id", "part_id"),)
    __counted_by__: ClassVar[str | None] = None

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    consumed_unit_cost: Mapped[Decimal | None] = mapped_column(Money())
