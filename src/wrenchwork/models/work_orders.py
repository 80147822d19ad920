"""Work orders: the jobs technicians carry out. The part assignments live with the inventory models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin

# The built-in statuses (ids 1..5, DESIGN §7). A custom status maps onto one of them; `base_status` on the
# work order is always one of these names, so stock and reporting rules never need to resolve custom ones.
BUILT_IN_STATUSES = {1: "open", 2: "in_progress", 3: "on_hold", 4: "cancelled", 5: "completed"}
CLOSED_STATUSES = ("completed", "cancelled")


class WorkOrder(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_entity_created", "entity_id", "created_at", "id"),
        Index("ix_work_orders_entity_base_status", "entity_id", "base_status"),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20), default="reactive")
    priority: Mapped[str] = mapped_column(String(20), default="none")
    status_id: Mapped[int] = mapped_column(Integer, default=1)
    base_status: Mapped[str] = mapped_column(String(20), default="open")
    due_date: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
