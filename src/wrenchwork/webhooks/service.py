"""Webhook subscriptions (admin only): create, list, change, delete, rotate the secret, the delivery log, a
manual retry and a test message. Delivery itself is webhooks/delivery.py."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.envelope import base_meta, dumps
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.events.outbox import last_seq
from wrenchwork.events.patterns import invalid
from wrenchwork.events.resources import resource_names
from wrenchwork.models import Webhook, WebhookDelivery
from wrenchwork.webhooks import addresses
from wrenchwork.webhooks.repository import DeliveryRepository, WebhookRepository
from wrenchwork.webhooks.schemas import WebhookCreate, WebhookUpdate, delivery_item, webhook_item
from wrenchwork.webhooks.signing import new_secret

# After a rotation the old secret keeps signing this long, so receivers can switch without losing a message.
ROTATION_GRACE = timedelta(hours=24)
PING = "webhook.ping"


def _check_url(url: str, allow_private: bool) -> None:
    try:
        addresses.check_url(url) if allow_private else addresses.checked_address(url)
    except addresses.Refused as refused:
        raise Unprocessable.field("webhook.url", str(refused)) from refused


def _check_types(patterns: list[str]) -> list[str]:
    bad = invalid(patterns)
    known = set(resource_names())
    bad += [p for p in patterns if p != "*" and not bad and p.split(".", 1)[0] not in known]
    if bad:
        raise Unprocessable.field("webhook.event_types", f"{bad[0]!r} is not an event type or pattern")
    return sorted(set(patterns))


def _get(repo: WebhookRepository, webhook_id: int) -> Webhook:
    hook = repo.get(webhook_id)
    if hook is None:
        raise NotFound.of("Webhook")
    return hook


def list_webhooks(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    hooks, total = WebhookRepository(session, scope).list(query)
    return [webhook_item(h) for h in hooks], base_meta(scope.entity, scope.customer) | query.meta(total)


def get_webhook(session: Session, scope: Scope, webhook_id: int) -> dict[str, Any]:
    return webhook_item(_get(WebhookRepository(session, scope), webhook_id))


def create_webhook(session: Session, scope: Scope, data: WebhookCreate, allow_private: bool) -> dict[str, Any]:
    """New webhooks receive the events committed from now on (the feed has the earlier ones)."""
    _check_url(data.url, allow_private)
    hook = Webhook(
        url=data.url, description=data.description, event_types=_check_types(data.event_types),
        enabled=data.enabled, secret=new_secret(), cursor=last_seq(session, scope.entity_id),
    )  # fmt: skip
    WebhookRepository(session, scope).add(hook)
    return webhook_item(hook) | {"secret": hook.secret}


def update_webhook(
    session: Session, scope: Scope, webhook_id: int, data: WebhookUpdate, allow_private: bool
) -> dict[str, Any]:
    repo = WebhookRepository(session, scope)
    hook = _get(repo, webhook_id)
    sent = data.model_fields_set
    for name in ("url", "event_types", "enabled"):
        if name in sent and getattr(data, name) is None:
            raise Unprocessable.field(f"webhook.{name}", "cannot be null")
    if data.url is not None:
        _check_url(data.url, allow_private)
        hook.url = data.url
    if data.event_types is not None:
        hook.event_types = _check_types(data.event_types)
    if "description" in sent:
        hook.description = data.description
    if data.enabled is not None:
        if data.enabled and not hook.enabled:
            hook.disabled_reason, hook.failing_since = None, None
        hook.enabled = data.enabled
    repo.touch(hook)
    return webhook_item(hook)


def delete_webhook(session: Session, scope: Scope, webhook_id: int) -> None:
    """Its deliveries go with it."""
    repo = WebhookRepository(session, scope)
    repo.delete(_get(repo, webhook_id))


def rotate_secret(session: Session, scope: Scope, webhook_id: int) -> dict[str, Any]:
    """A new secret; messages are signed with the old one too for 24 hours (both signatures in one header)."""
    repo = WebhookRepository(session, scope)
    hook = _get(repo, webhook_id)
    hook.previous_secret, hook.previous_secret_expires_at = hook.secret, clock.now() + ROTATION_GRACE
    hook.secret = new_secret()
    repo.touch(hook)
    return webhook_item(hook) | {"secret": hook.secret}


def list_deliveries(
    session: Session, scope: Scope, webhook_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    _get(WebhookRepository(session, scope), webhook_id)
    found, total = DeliveryRepository(session, scope).list_of(webhook_id, query)
    return [delivery_item(d) for d in found], base_meta(scope.entity, scope.customer) | query.meta(total)


def retry_delivery(session: Session, scope: Scope, webhook_id: int, delivery_id: int) -> dict[str, Any]:
    """Due again at once, whatever its state (a delivered message is sent again, with the same webhook-id)."""
    hook = _get(WebhookRepository(session, scope), webhook_id)
    delivery = DeliveryRepository(session, scope).of(webhook_id, delivery_id)
    if delivery is None:
        raise NotFound.of("Delivery")
    _require_enabled(hook)
    delivery.status, delivery.next_attempt_at, delivery.lease_until = "pending", clock.now(), None
    session.flush()
    return delivery_item(delivery)


def send_test(session: Session, scope: Scope, webhook_id: int) -> dict[str, Any]:
    """A `webhook.ping` message, delivered like any other."""
    hook = _get(WebhookRepository(session, scope), webhook_id)
    _require_enabled(hook)
    now = clock.now()
    payload = {"id": None, "seq": None, "type": PING, "created_at": now, "entity_id": scope.entity_id,
               "actor": {"type": "user", "id": scope.user_id}, "data": {"webhook_id": hook.id}}  # fmt: skip
    delivery = WebhookDelivery(
        webhook_id=hook.id, message_id=f"ping_{secrets.token_hex(12)}", event_type=PING,
        payload=dumps(payload).decode(), next_attempt_at=now,
    )  # fmt: skip
    DeliveryRepository(session, scope).add(delivery)
    return delivery_item(delivery)


def _require_enabled(hook: Webhook) -> None:
    if not hook.enabled:
        raise Conflict("Webhook is disabled: enable it first")
