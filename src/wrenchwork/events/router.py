from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, DbSession
from wrenchwork.core.envelope import error_responses, ok
from wrenchwork.core.routing import api_router
from wrenchwork.events import service
from wrenchwork.events.schemas import FeedEnvelope

router = api_router(tags=["extension"])


@router.get(
    "/events",
    response_model=FeedEnvelope,
    summary="Event feed",
    description=(
        "The entity's events in commit order (admin only). Start with `after=0` (or a stored cursor), then pass "
        "`meta.next_cursor` as `after`: no event is skipped or repeated. `types` filters by comma-separated "
        "types or patterns (`work_order.*,part.low_stock`). Events older than the retention "
        "(WRENCHWORK_EVENT_RETENTION_DAYS) are gone."
    ),
    responses=error_responses(400, 401, 403, 422, 429),
)
async def list_events(
    session: DbSession,
    scope: AdminScope,
    after: Annotated[int, Query(ge=0, le=2**62, description="Cursor: the seq read last (0: from the start)")] = 0,
    types: Annotated[str | None, Query(description="Comma-separated types or patterns, e.g. work_order.*")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many events (default 100)")] = 100,
) -> Response:
    data, meta = service.feed(session, scope, after, types, limit)
    return ok(data, meta)
