from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from wrenchwork.core.presenters import UserRef
from wrenchwork.core.schemas import RecordId, WorkOrderId, WorkOrderRequestId

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Body


class CommentCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: CommentCreate


class CommentItem(BaseModel):
    id: RecordId
    body: str
    created_at: datetime
    updated_at: datetime
    created_by: UserRef | None


class CommentEventData(CommentItem):
    """A `comment.*` event's data: the comment as its list shows it, and the record it is on (one of the two)."""

    work_order_id: WorkOrderId | None
    work_order_request_id: WorkOrderRequestId | None
