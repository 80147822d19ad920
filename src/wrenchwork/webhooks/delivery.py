"""Delivering webhook messages: at least once, per webhook in event order where possible, retried with backoff.

A pass (any number of server processes and `wrenchwork worker`s may run passes at once):
1. fan-out: each enabled webhook's new events (after its `cursor`, up to the entity's newest committed seq)
   become delivery rows, and the cursor moves on, in one transaction: an event is queued exactly once per
   webhook;
2. claim: due messages get a lease (`lease_until`) in a short transaction (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL, so senders never wait for each other; SQLite's write lock serializes the claim);
3. send, outside any transaction (no lock is held while a receiver answers), the messages of each webhook in
   order; once one fails, the rest of that webhook's batch waits with it;
4. record the outcomes in one transaction.
A sender killed between 2 and 4 loses nothing: its lease runs out and another sender sends the messages again,
with the same webhook-id (receivers deduplicate on it).

Retries: timeouts, network errors and any answer but 2xx (429 and 5xx included) are retried with exponential
backoff and jitter (5 s doubling up to 1 h; a 429's or 503's Retry-After is honoured) for 3 days, then the message
is given up (`failed`). A webhook whose every attempt has failed for 3 days is disabled, with the reason.
"""

from __future__ import annotations

import http.client
import logging
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core import clock
from wrenchwork.events.outbox import last_seq
from wrenchwork.events.patterns import matches, where
from wrenchwork.events.payload import event_body, message_id
from wrenchwork.models import Event, Webhook, WebhookDelivery
from wrenchwork.webhooks import addresses
from wrenchwork.webhooks.signing import signature
from wrenchwork.webhooks.transport import Client

log = logging.getLogger("wrenchwork.webhooks")

TIMEOUT_S = 10
RESPONSE_CAP = 2048  # bytes of a receiver's answer that are read and kept
FAN_OUT = 2000  # events turned into deliveries per webhook and pass
CLAIM = 500  # messages claimed at once
FIRST_DELAY_S = 5
MAX_DELAY_S = 3600
GIVE_UP = timedelta(days=3)
DISABLE_AFTER = timedelta(days=3)
SENDERS = 8  # webhooks served side by side


@dataclass
class Claimed:
    id: int
    webhook_id: int
    message_id: str
    payload: str
    attempts: int
    created_at: datetime
    url: str
    secrets: list[str]


@dataclass
class Outcome:
    delivery: Claimed
    ok: bool
    status_code: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    excerpt: str | None = None
    retry_after: float | None = None
    attempted: bool = True


@dataclass
class PassResult:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def fan_out(sessions: sessionmaker[Session]) -> int:
    """New events of every enabled webhook's entity become its deliveries; returns how many were queued."""
    queued = 0
    with sessions.begin() as session:
        hooks = session.scalars(
            select(Webhook).where(Webhook.enabled.is_(True)).order_by(Webhook.id).with_for_update(skip_locked=True)
        ).all()
        newest: dict[int, int] = {}
        for hook in hooks:
            if hook.entity_id not in newest:
                newest[hook.entity_id] = last_seq(session, hook.entity_id)
            up_to = newest[hook.entity_id]
            if up_to <= hook.cursor:
                continue
            # Rows, not ORM objects: a pass fans out thousands of events and needs only these columns.
            ev = Event
            stmt = select(ev.id, ev.seq, ev.type, ev.created_at, ev.entity_id, ev.actor_type, ev.actor_id, ev.data)
            stmt = stmt.where(ev.entity_id == hook.entity_id, ev.seq > hook.cursor, ev.seq <= up_to)
            condition = where(Event.type, list(hook.event_types))
            if condition is not None:
                stmt = stmt.where(condition)
            events = session.execute(stmt.order_by(Event.seq).limit(FAN_OUT)).all()
            now = clock.now()
            rows = [
                {"entity_id": hook.entity_id, "webhook_id": hook.id, "message_id": message_id(e.id),
                 "event_type": e.type, "event_seq": e.seq, "payload": event_body(e), "status": "pending",
                 "attempts": 0, "next_attempt_at": now, "created_at": now}
                for e in events if matches(hook.event_types, e.type)
            ]  # fmt: skip
            if rows:
                session.execute(insert(WebhookDelivery), rows)
            queued += len(rows)
            hook.cursor = events[-1].seq if len(events) == FAN_OUT else up_to
    return queued


def claim(sessions: sessionmaker[Session], lease_s: float, limit: int = CLAIM) -> list[Claimed]:
    now = clock.now()
    with sessions.begin() as session:
        d = WebhookDelivery
        rows = session.execute(
            select(d.id, d.webhook_id, d.message_id, d.payload, d.attempts, d.created_at, Webhook.url,
                   Webhook.secret, Webhook.previous_secret, Webhook.previous_secret_expires_at)
            .join(Webhook, Webhook.id == d.webhook_id)
            .where(d.status == "pending", d.next_attempt_at <= now, or_(d.lease_until.is_(None), d.lease_until < now),
                   Webhook.enabled.is_(True))
            .order_by(d.id)
            .limit(limit)
            .with_for_update(of=d, skip_locked=True)
        ).all()  # fmt: skip
        if not rows:
            return []
        lease = now + timedelta(seconds=lease_s)
        session.execute(update(d).where(d.id.in_([r.id for r in rows])).values(lease_until=lease))
    claimed = []
    for r in rows:
        keys = [r.secret]
        if r.previous_secret and r.previous_secret_expires_at and r.previous_secret_expires_at > now:
            keys.append(r.previous_secret)
        claimed.append(Claimed(r.id, r.webhook_id, r.message_id, r.payload, r.attempts, r.created_at, r.url, keys))
    return claimed


def send(client: Client, message: Claimed, allow_private: bool, checked: addresses.Target | None = None) -> Outcome:
    """One attempt. Redirects are not followed (a 3xx is a failure); at most RESPONSE_CAP bytes are read. `checked`:
    the message's URL checked and resolved already (once per webhook and batch), else it is here."""
    started = time.monotonic()
    try:
        target = checked or addresses.target(message.url, allow_private)
    except addresses.Refused as refused:
        return Outcome(message, False, error=f"refused: the URL {refused}", duration_ms=0)
    timestamp = int(time.time())  # real time: receivers compare it with their clocks
    headers = {
        "content-type": "application/json",
        "user-agent": "wrenchwork-webhooks",
        "webhook-id": message.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(message.secrets, message.message_id, timestamp, message.payload),
    }
    try:
        answer = client.post(target, message.payload.encode(), headers, RESPONSE_CAP)
    except TimeoutError:
        return Outcome(message, False, error="timeout", duration_ms=_ms(started))
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(
            message, False, error=f"network error: {type(exc).__name__}: {exc}"[:500], duration_ms=_ms(started)
        )
    code = answer.status
    excerpt = answer.excerpt.decode("utf-8", errors="replace")
    ok = 200 <= code < 300
    outcome = Outcome(message, ok, code, _ms(started), None if ok else f"HTTP {code}", excerpt)
    if code in (429, 503):
        outcome.retry_after = _retry_after(answer.headers.get("retry-after"))
    return outcome


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - clock.now()).total_seconds())


def backoff(attempts: int) -> float:
    """Seconds until the next attempt after `attempts` failed ones: exponential with jitter (half to full)."""
    delay: float = min(FIRST_DELAY_S * 2 ** min(attempts - 1, 30), MAX_DELAY_S)
    return delay * random.uniform(0.5, 1.0)


def send_batch(claimed: Sequence[Claimed], allow_private: bool, client: Client) -> list[Outcome]:
    """Each webhook's messages in order, webhooks side by side; after a webhook's first failure the rest of its
    batch is not sent now and waits with it."""
    by_hook: dict[int, list[Claimed]] = {}
    for message in claimed:
        by_hook.setdefault(message.webhook_id, []).append(message)

    def one_webhook(messages: list[Claimed]) -> list[Outcome]:
        outcomes = []
        # The webhook's URL (one for all its messages of a claim) is checked and resolved once per batch (so a
        # DNS rebinding is still caught at delivery time), not per message. Refused: the first message says why.
        try:
            checked: addresses.Target | None = addresses.target(messages[0].url, allow_private)
        except addresses.Refused:
            checked = None
        for index, message in enumerate(messages):
            outcome = send(client, message, allow_private, checked)
            outcomes.append(outcome)
            if not outcome.ok:
                outcomes += [Outcome(m, False, attempted=False) for m in messages[index + 1 :]]
                break
        return outcomes

    if len(by_hook) == 1:
        return one_webhook(next(iter(by_hook.values())))
    with ThreadPoolExecutor(min(SENDERS, len(by_hook))) as pool:
        return [o for outcomes in pool.map(one_webhook, by_hook.values()) for o in outcomes]


_RECORD = (
    update(WebhookDelivery)
    .where(WebhookDelivery.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"), attempts=bindparam("b_attempts"), next_attempt_at=bindparam("b_next"),
        lease_until=None, last_status_code=bindparam("b_code"), last_duration_ms=bindparam("b_ms"),
        last_error=bindparam("b_error"), response_excerpt=bindparam("b_excerpt"),
        last_attempt_at=bindparam("b_at"), delivered_at=bindparam("b_delivered"),
    )
)  # fmt: skip
_POSTPONE = (
    update(WebhookDelivery)
    .where(WebhookDelivery.id == bindparam("b_id"))
    .values(next_attempt_at=bindparam("b_next"), lease_until=None)
)


def record(sessions: sessionmaker[Session], outcomes: Sequence[Outcome]) -> None:
    now = clock.now()
    attempted, postponed = [], []
    hook_next: dict[int, datetime] = {}
    hook_state: dict[int, tuple[bool, str | None]] = {}  # webhook -> (any success, last error)
    for o in outcomes:
        d = o.delivery
        if not o.attempted:
            postponed.append(o)
            continue
        attempts = d.attempts + 1
        if o.ok:
            status, next_at = "succeeded", now
        else:
            delay = o.retry_after if o.retry_after is not None else backoff(attempts)
            next_at = now + timedelta(seconds=min(max(delay, 1.0), 86400))
            status = "failed" if next_at - d.created_at > GIVE_UP else "pending"
            hook_next[d.webhook_id] = next_at
        success, _ = hook_state.get(d.webhook_id, (False, None))
        hook_state[d.webhook_id] = (success or o.ok, o.error if not o.ok else None)
        attempted.append({
            "b_id": d.id, "b_status": status, "b_attempts": attempts, "b_next": next_at, "b_code": o.status_code,
            "b_ms": o.duration_ms, "b_error": o.error, "b_excerpt": o.excerpt, "b_at": now,
            "b_delivered": now if o.ok else None,
        })  # fmt: skip
    with sessions.begin() as session:
        connection = session.connection()
        if attempted:
            connection.execute(_RECORD, attempted)
        if postponed:
            rows = [{"b_id": o.delivery.id, "b_next": hook_next.get(o.delivery.webhook_id, now)} for o in postponed]
            connection.execute(_POSTPONE, rows)
        _note_health(session, hook_state, now)


def _note_health(session: Session, state: dict[int, tuple[bool, str | None]], now: datetime) -> None:
    for hook_id, (success, error) in sorted(state.items()):
        hook = session.get(Webhook, hook_id)
        if hook is None:
            continue
        if success:
            hook.failing_since = None
            continue
        hook.failing_since = hook.failing_since or now
        if hook.enabled and now - hook.failing_since >= DISABLE_AFTER:
            hook.enabled = False
            hook.disabled_reason = (
                f"Disabled on {now:%Y-%m-%d %H:%M}Z: every delivery failed since {hook.failing_since:%Y-%m-%d %H:%M}Z "
                f"(last error: {error})"
            )
            log.warning("webhook disabled", extra={"fields": {"webhook_id": hook_id, "error": error}})


def run_pass(
    sessions: sessionmaker[Session],
    allow_private: bool,
    lease_s: float,
    client: Client | None = None,
    stop: threading.Event | None = None,
) -> PassResult:
    """Fan out, then claim, send and record until nothing is due (or `stop` is set)."""
    result = PassResult(queued=fan_out(sessions))
    own = client is None
    client = client or make_client()
    try:
        while not (stop is not None and stop.is_set()):
            claimed = claim(sessions, lease_s)
            if not claimed:
                break
            outcomes = send_batch(claimed, allow_private, client)
            record(sessions, outcomes)
            result.outcomes += outcomes
            result.sent += sum(o.ok for o in outcomes)
            result.failed += sum(not o.ok and o.attempted for o in outcomes)
            if any(not o.ok for o in outcomes):
                break  # what failed is due later; the next pass takes what came meanwhile
    finally:
        if own:
            client.close()
    return result


def make_client(timeout: float = TIMEOUT_S) -> Client:
    """Keep-alive connections, no proxies from the environment, no redirects (webhooks/transport.py)."""
    return Client(timeout)
