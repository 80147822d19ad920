"""The event outbox (events/): one row per committed change, written in the same transaction as the change, and
the webhook subscriptions and deliveries that carry them to receivers (webhooks/).

`Event.seq` is the feed's cursor: per entity, consecutive, and taken at commit under the entity's row of
`event_counters` (a row lock on PostgreSQL, the write lock on SQLite), so seq order is commit order and a reader
that has seen seq N has seen every event up to N (events/outbox.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin, utcnow

# BIGINT on PostgreSQL; SQLite's rowid alias must be spelled INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class EventCounter(Base):
    """The last `seq` given out in an entity; its row is locked from the moment a transaction numbers its events
    until it commits."""

    __tablename__ = "event_counters"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("entity_id", "seq"),
        Index("ix_events_entity_type_seq", "entity_id", "type", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    # The record the event is about ("work_order", 12); the payload's `data` says the rest.
    resource: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # The payload's `data` as JSON text, exactly as it is delivered.
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Webhook(IdMixin, EntityScopedMixin, Base):
    """A subscription: the entity's events whose type matches `event_types` go to `url`."""

    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    # Exact types or prefixes ending in ".*" ("work_order.*"); ["*"] takes every event.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret signs too, until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column()
    # The last event seq of the entity that has been turned into deliveries (events/ fan-out).
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Since when every attempt has failed (null while deliveries succeed); 3 days of it disable the webhook.
    failing_since: Mapped[datetime | None] = mapped_column()


class WebhookDelivery(Base):
    """One message to one webhook, retried until it succeeds or gives up; repeats keep `message_id`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )
    __counted_by__: ClassVar[str | None] = None

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # The webhook-id header: `evt_<event id>`, or `ping_<random>` for a test message.
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    event_seq: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    # pending (due at next_attempt_at) | succeeded | failed (gave up)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Claimed by a sender until then; a sender that dies leaves it to be claimed again once this has passed.
    lease_until: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"WebhookDelivery({self.id}, {self.message_id}, {self.status})"
