from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from wrenchwork.core.envelope import Meta


class Actor(BaseModel):
    type: Literal["user", "system"] = Field(description="user: a user's API key; system: the server itself")
    id: int | None = Field(description="The user's id (null for system)")


class EventItem(BaseModel):
    id: int = Field(description="The event's id; `evt_<id>` is its webhook-id")
    seq: int = Field(description="Its place in the entity's feed: consecutive, in commit order (the cursor)")
    type: str = Field(description="`<resource>.created|updated|deleted` or a domain event, e.g. work_order.completed")
    created_at: datetime
    entity_id: int = Field(description="The entity (site) the event belongs to")
    actor: Actor
    data: dict[str, Any] = Field(
        description="The resource's detail as `GET /<resource>/{id}` shows it after the change; updates add "
        "`changed_fields`; deletes carry only `id`; domain events add their own fields"
    )


class FeedMeta(Meta):
    next_cursor: int = Field(description="Pass as `after` to read on")
    has_more: bool = Field(description="True when more events are waiting after next_cursor")


class FeedEnvelope(BaseModel):
    status: Literal["success"] = Field(description="Always success on a 2xx response")
    data: list[EventItem]
    meta: FeedMeta
