from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.schemas import RecordId
from wrenchwork.models import Webhook, WebhookDelivery

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Pattern = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
TYPES_HELP = "Event types or patterns: `work_order.completed`, `work_order.*`, or `*` for every event"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="Where messages are POSTed (http or https)")
    event_types: list[Pattern] = Field(min_length=1, max_length=100, description=TYPES_HELP)
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    enabled: bool = True


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    event_types: list[Pattern] | None = Field(default=None, min_length=1, max_length=100, description=TYPES_HELP)
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    enabled: bool | None = Field(default=None, description="true also re-enables a webhook the server disabled")


class WebhookCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhook: WebhookCreate


class WebhookUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhook: WebhookUpdate


class WebhookItem(BaseModel):
    id: RecordId
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why the server disabled it (deliveries failing for 3 days)")
    failing_since: datetime | None = Field(description="Since when every attempt has failed; null while it works")
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, until when the old secret still signs too"
    )
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookItem):
    secret: str = Field(description="`whsec_...`, shown in this response only")


class DeliveryItem(BaseModel):
    id: int = Field(description="The delivery (one message to one webhook)")
    webhook_id: int = Field(description="The webhook it goes to")
    message_id: str = Field(description="The webhook-id header, the same on every attempt")
    event_type: str
    event_seq: int | None
    status: str = Field(description="pending (waiting for its next attempt), succeeded or failed (gave up)")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_duration_ms: int | None
    last_error: str | None
    response_excerpt: str | None = Field(description="The start of the receiver's last answer")
    delivered_at: datetime | None
    created_at: datetime


def webhook_item(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "description": hook.description,
        "event_types": list(hook.event_types),
        "enabled": hook.enabled,
        "disabled_reason": hook.disabled_reason,
        "failing_since": hook.failing_since,
        "previous_secret_expires_at": hook.previous_secret_expires_at,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


def delivery_item(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "message_id": delivery.message_id,
        "event_type": delivery.event_type,
        "event_seq": delivery.event_seq,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        "last_attempt_at": delivery.last_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_duration_ms": delivery.last_duration_ms,
        "last_error": delivery.last_error,
        "response_excerpt": delivery.response_excerpt,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }
