"""An event as the feed lists it and a webhook delivers it:
`{id, seq, type, created_at, entity_id, actor: {type, id}, data}`. `data` is stored as the JSON text it is sent
as, and spliced in unparsed."""

from __future__ import annotations

from typing import Any

import orjson

from wrenchwork.core.envelope import dumps


def event_item(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "seq": event.seq,
        "type": event.type,
        "created_at": event.created_at,
        "entity_id": event.entity_id,
        "actor": {"type": event.actor_type, "id": event.actor_id},
        "data": orjson.Fragment(event.data),
    }


def event_body(event: Any) -> str:
    return dumps(event_item(event)).decode()


def message_id(event_id: int) -> str:
    """The `webhook-id` of an event's messages: the same on every attempt and for every webhook."""
    return f"evt_{event_id}"
