"""Work orders: the jobs technicians carry out, their statuses, links, labor and extra costs.

The part assignments live with the inventory models (`WorkOrderPart`), the procedures with theirs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Identity, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin, Money, Quantity
from wrenchwork.models.catalog import link_table

# The built-in statuses (ids 1..5, DESIGN §7). A custom status maps onto one of them; `base_status` on the
# work order is always one of these names, so stock and reporting rules never need to resolve custom ones.
BUILT_IN_STATUSES = {1: "open", 2: "in_progress", 3: "on_hold", 4: "cancelled", 5: "completed"}
CLOSED_STATUSES = ("completed", "cancelled")
# Custom status ids start above the built-in ones, so `status.id` names exactly one status.
FIRST_CUSTOM_STATUS_ID = 6
PRIORITIES = ("none", "low", "medium", "high")
TYPES = ("reactive", "preventive")
RATE_TYPES = ("regular", "overtime1", "overtime2")


class WorkOrder(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_entity_created", "entity_id", "created_at", "id"),
        Index("ix_work_orders_entity_base_status", "entity_id", "base_status"),
        Index("ix_work_orders_entity_status_created", "entity_id", "status_id", "created_at", "id"),
        Index("ix_work_orders_entity_due", "entity_id", "due_date"),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20), default="reactive")
    priority: Mapped[str] = mapped_column(String(20), default="none")
    # A built-in id (1..5) or the id of one of the entity's custom statuses; `base_status` is the built-in
    # status behind it, kept in step on every change.
    status_id: Mapped[int] = mapped_column(Integer, default=1)
    base_status: Mapped[str] = mapped_column(String(20), default="open")
    due_date: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    # Set when a PM schedule generated the work order; cleared when the schedule is deleted.
    pm_schedule_id: Mapped[int | None] = mapped_column(ForeignKey("pm_schedules.id", ondelete="SET NULL"), index=True)
    notify_vendors_on_create: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_vendors_on_update: Mapped[bool] = mapped_column(Boolean, default=False)
    # `[{text, order, checked}]`, replaced as a whole when a client sends it.
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class WorkOrderStatus(EntityScopedMixin, Base):
    """An entity's own status, behaving like the built-in status `base_status_id` names."""

    __tablename__ = "work_order_statuses"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    # Numbered above the built-in ids (SQLite has no identity start: the repository gives the first id there).
    id: Mapped[int] = mapped_column(Integer, Identity(start=FIRST_CUSTOM_STATUS_ID), primary_key=True)

    name: Mapped[str] = mapped_column(String(100))
    base_status_id: Mapped[int] = mapped_column(Integer)


class AccountCode(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "account_codes"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))


work_order_categories = link_table(
    "work_order_categories", ("work_orders", "work_order_id"), ("categories", "category_id")
)
work_order_account_codes = link_table(
    "work_order_account_codes", ("work_orders", "work_order_id"), ("account_codes", "account_code_id")
)
work_order_technicians = link_table("work_order_technicians", ("work_orders", "work_order_id"), ("users", "user_id"))
work_order_vendors = link_table("work_order_vendors", ("work_orders", "work_order_id"), ("vendors", "vendor_id"))


class TimeEntry(IdMixin, EntityScopedMixin, Base):
    """Labor on a work order. `rate` is the user's rate of `rate_type` when the entry was made, so later rate
    changes never rewrite past costs; `cost` = rate x hours, rounded half-up to cents."""

    __tablename__ = "time_entries"
    __table_args__ = (Index("ix_time_entries_work_order_started", "work_order_id", "started_at"),)
    __counted_by__: ClassVar[str | None] = None

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    hours: Mapped[Decimal] = mapped_column(Quantity())
    rate_type: Mapped[str] = mapped_column(String(20), default="regular")
    rate: Mapped[Decimal] = mapped_column(Money())
    cost: Mapped[Decimal] = mapped_column(Money())


class WorkTimer(IdMixin, EntityScopedMixin, Base):
    """A user's running labor timer on a work order; stopping it turns it into a time entry."""

    __tablename__ = "work_timers"
    __table_args__ = (UniqueConstraint("work_order_id", "user_id"),)
    __counted_by__: ClassVar[str | None] = None

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column()


class WorkOrderCost(IdMixin, EntityScopedMixin, Base):
    """An additional cost line (anything that is neither labor nor parts): `total_costs.other`."""

    __tablename__ = "work_order_costs"
    __counted_by__: ClassVar[str | None] = None

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Money())
