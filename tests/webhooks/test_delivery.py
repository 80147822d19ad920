"""Delivery to a receiver on 127.0.0.1: signed (checked by the `standardwebhooks` library), retried through
timeouts, 500 and 429 with Retry-After until the receiver recovers, always with the same webhook-id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from standardwebhooks import Webhook as Verifier

from tests.events.support import events
from tests.helpers import Api
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import deliver, deliveries, module_receiver, receiver, subscribe
from wrenchwork.core import clock

__all__ = ["module_receiver", "receiver"]


@pytest.fixture
def moving_clock() -> Iterator[list[datetime]]:
    now = [datetime.now(UTC)]
    clock.set_now(now[0])
    yield now
    clock.set_now(None)


def _later(now: list[datetime], **delta: float) -> None:
    now[0] += timedelta(**delta)
    clock.set_now(now[0])


def test_signed_payload_equals_the_feed(app: FastAPI, api: Api, receiver: Receiver) -> None:
    hook = subscribe(api, receiver.url, ["work_order.*"])
    api.post("/locations", json={"location": {"name": "not subscribed"}})
    order = api.post("/work_orders", json={"work_order": {"title": "Pump"}}).json()["data"]
    assert deliver(app).sent == 1
    (message,) = receiver.received
    payload = Verifier(hook["secret"]).verify(message.body, message.headers)
    (event,) = events(api, types="work_order.*")
    assert payload == event and payload["data"] == order
    assert message.headers["webhook-id"] == f"evt_{event['id']}"
    (logged,) = deliveries(api, hook["id"])
    assert logged["status"] == "succeeded" and logged["last_status_code"] == 200 and logged["attempts"] == 1
    assert logged["response_excerpt"] == '{"received": true}'


def test_failures_are_retried_until_the_receiver_recovers(
    app: FastAPI, api: Api, receiver: Receiver, moving_clock: list[datetime]
) -> None:
    hook = subscribe(api, receiver.url)
    api.post("/locations", json={"location": {"name": "A"}})
    receiver.answer(("status", 500), ("retry_after", 120), ("hang", 1.0), ("ok",))
    deliver(app)
    (logged,) = deliveries(api, hook["id"])
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("pending", 1, 500)
    assert deliver(app).sent == 0  # not due yet: backing off
    _later(moving_clock, seconds=6)
    deliver(app)
    (logged,) = deliveries(api, hook["id"])
    assert (logged["attempts"], logged["last_status_code"]) == (2, 429)
    due = datetime.fromisoformat(logged["next_attempt_at"])
    assert due == (moving_clock[0] + timedelta(seconds=120)).replace(microsecond=0)  # Retry-After honoured
    _later(moving_clock, seconds=121)
    deliver(app, timeout=0.3)
    (logged,) = deliveries(api, hook["id"])
    assert (logged["attempts"], logged["last_error"], logged["status"]) == (3, "timeout", "pending")
    _later(moving_clock, seconds=30)
    assert deliver(app).sent == 1
    (logged,) = deliveries(api, hook["id"])
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("succeeded", 4, 200)
    assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == 4  # one message, four attempts
    for message in receiver.received:
        Verifier(hook["secret"]).verify(message.body, message.headers)


def test_order_is_kept_while_a_message_waits(
    app: FastAPI, api: Api, receiver: Receiver, moving_clock: list[datetime]
) -> None:
    subscribe(api, receiver.url)
    for name in ("A", "B", "C"):
        api.post("/locations", json={"location": {"name": name}})
    receiver.answer(("ok",), ("status", 503))
    deliver(app)
    _later(moving_clock, minutes=5)
    deliver(app)
    names = [json.loads(m.body)["data"]["name"] for m in receiver.received]
    assert names == ["A", "B", "B", "C"]


def test_rotation_signs_with_both_secrets(app: FastAPI, api: Api, receiver: Receiver) -> None:
    hook = subscribe(api, receiver.url)
    new = api.post(f"/webhooks/{hook['id']}/rotate_secret").json()["data"]["secret"]
    api.post("/locations", json={"location": {"name": "A"}})
    deliver(app)
    (message,) = receiver.received
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    Verifier(hook["secret"]).verify(message.body, message.headers)
    Verifier(new).verify(message.body, message.headers)


def test_three_days_of_failure_disable_the_webhook(
    app: FastAPI, api: Api, receiver: Receiver, moving_clock: list[datetime]
) -> None:
    hook = subscribe(api, receiver.url)
    api.post("/locations", json={"location": {"name": "A"}})
    for _ in range(30):
        receiver.answer(("status", 500))
        deliver(app)
        shown = api.get(f"/webhooks/{hook['id']}").json()["data"]
        if not shown["enabled"]:
            break
        _later(moving_clock, hours=3)
    assert shown["enabled"] is False
    assert "every delivery failed since" in shown["disabled_reason"] and "HTTP 500" in shown["disabled_reason"]
    # Re-enabled by its admin, it delivers what waited (the message itself gave up after 3 days: retried by hand).
    api.patch(f"/webhooks/{hook['id']}", json={"webhook": {"enabled": True}})
    (logged,) = deliveries(api, hook["id"])
    assert logged["status"] == "failed"
    retried = api.post(f"/webhooks/{hook['id']}/deliveries/{logged['id']}/retry")
    assert retried.status_code == 200 and retried.json()["data"]["status"] == "pending"
    assert deliver(app).sent == 1
    assert api.get(f"/webhooks/{hook['id']}").json()["data"]["failing_since"] is None


def test_ping(app: FastAPI, api: Api, receiver: Receiver) -> None:
    hook = subscribe(api, receiver.url, ["part.low_stock"])
    response = api.post(f"/webhooks/{hook['id']}/test")
    assert response.status_code == 201
    deliver(app)
    (message,) = receiver.received
    payload = Verifier(hook["secret"]).verify(message.body, message.headers)
    assert payload["type"] == "webhook.ping" and payload["data"] == {"webhook_id": hook["id"]}
    assert message.headers["webhook-id"].startswith("ping_")
    api.patch(f"/webhooks/{hook['id']}", json={"webhook": {"enabled": False}})
    assert api.post(f"/webhooks/{hook['id']}/test").status_code == 409
    assert api.post(f"/webhooks/{hook['id']}/deliveries/999/retry").status_code == 404


def test_delivery_refuses_private_addresses_unless_allowed(app: FastAPI, api: Api, receiver: Receiver) -> None:
    from wrenchwork.webhooks.delivery import run_pass

    hook = subscribe(api, receiver.url)
    api.post("/locations", json={"location": {"name": "A"}})
    run_pass(app.state.sessionmaker, False, 60)  # as a server without WRENCHWORK_WEBHOOK_ALLOW_PRIVATE
    assert receiver.received == []
    (logged,) = deliveries(api, hook["id"])
    assert logged["last_error"].startswith("refused: the URL resolves to a loopback")
