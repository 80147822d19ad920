"""The event feed: an entity's events in commit order, read with a cursor (events/outbox.py says why `seq` is
commit order)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.envelope import base_meta
from wrenchwork.core.errors import Unprocessable
from wrenchwork.events.outbox import last_seq
from wrenchwork.events.patterns import invalid
from wrenchwork.events.payload import event_item
from wrenchwork.events.repository import EventRepository


def parse_types(types: str | None, field: str) -> list[str]:
    patterns = [p.strip() for p in (types or "").split(",") if p.strip()]
    bad = invalid(patterns)
    if bad:
        raise Unprocessable.field(field, f"{bad[0]!r} is not an event type or pattern (e.g. work_order.* or *)")
    return patterns


def feed(session: Session, scope: Scope, after: int, types: str | None, limit: int) -> tuple[list[Any], dict[str, Any]]:
    """Up to `limit` events after the cursor `after`. `next_cursor` is where to read on from: the last event's
    seq on a full page; else the newest seq there was when reading (every event up to it has been seen, those
    of other types included), so a filtered poll does not re-scan what it skipped."""
    patterns = parse_types(types, "types")
    newest = last_seq(session, scope.entity_id)  # read first: every event up to it is committed and visible
    events = EventRepository(session, scope).after(after, newest, patterns, limit)
    more = len(events) == limit and events[-1].seq < newest
    next_cursor = events[-1].seq if more else max(after, newest)
    meta = base_meta(scope.entity, scope.customer) | {"next_cursor": next_cursor, "has_more": more}
    return [event_item(e) for e in events], meta
