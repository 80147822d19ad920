"""Comments: free-text notes people leave on a work order or on a request."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin


class Comment(IdMixin, EntityScopedMixin, Base):
    """Belongs to exactly one of a work order or a request; deleting that record deletes its comments."""

    __tablename__ = "comments"

    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    work_order_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_order_requests.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
