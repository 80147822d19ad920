"""Work order requests: what requesters submit; an approved request becomes a work order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin
from wrenchwork.models.catalog import link_table

REQUEST_STATUSES = ("pending", "approved", "declined", "on_hold")


class WorkOrderRequest(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "work_order_requests"
    __table_args__ = (
        Index("ix_work_order_requests_entity_created", "entity_id", "created_at", "id"),
        # The status filter, and the requests inbox's order (pending first, newest first: web/request_inbox.py).
        Index("ix_work_order_requests_entity_status", "entity_id", "status", "created_at", "id"),
        # A work order's request, the first by id (its detail's `work_order_request`): found, not walked to.
        Index("ix_work_order_requests_work_order_id", "work_order_id", "id"),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(20), default="none")
    due_date: Mapped[datetime | None] = mapped_column()
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    # The work order created on approval; deleting that work order clears the link.
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"))
    # The portal it was filed on (models/portals.py); deleting the portal clears the link.
    request_portal_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_portals.id", ondelete="SET NULL"), index=True
    )


# Link tables use the short name "request" so generated constraint names stay within PostgreSQL's 63 characters.
work_order_request_categories = link_table(
    "request_categories", ("work_order_requests", "request_id"), ("categories", "category_id")
)
work_order_request_technicians = link_table(
    "request_technicians", ("work_order_requests", "request_id"), ("users", "user_id")
)
work_order_request_vendors = link_table(
    "request_vendors", ("work_order_requests", "request_id"), ("vendors", "vendor_id")
)
