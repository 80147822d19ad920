from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Repository
from wrenchwork.models import Comment, WorkOrder


class CommentRepository(Repository[Comment]):
    model = Comment

    def on(self, column: Any, owner_id: int) -> AnySelect:
        """The comments of one work order or request (`column` is `Comment.work_order_id` or the request's)."""
        return self.scoped().where(column == owner_id)

    def one(self, column: Any, owner_id: int, comment_id: int) -> Comment | None:
        found: Comment | None = self.session.scalars(self.on(column, owner_id).where(Comment.id == comment_id)).first()
        return found


class WorkOrderLookup(Repository[WorkOrder]):
    model = WorkOrder

    def exists(self, work_order_id: int) -> bool:
        return self.session.scalar(self.scoped(select(WorkOrder.id)).where(WorkOrder.id == work_order_id)) is not None
