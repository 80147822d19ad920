from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from wrenchwork.batch import service
from wrenchwork.batch.schemas import BatchRequest, BatchResponse
from wrenchwork.core.auth import AnyScope, DbSession
from wrenchwork.core.envelope import JSONBytes, error_responses
from wrenchwork.core.group_commit import commits_alone
from wrenchwork.core.routing import api_router

router = api_router(tags=["batch"])


@router.post(
    "/batch",
    response_model=BatchResponse,
    summary="Batch operations",
    description=(
        "Runs 1 to 100 operations in order with the caller's key and X-Entity-Id. Each op commits on its own and "
        "a failing op does not stop the rest. With `atomic: true` (extension) all ops share one transaction: the "
        "first failing op rolls everything back, the ops after it are not run (status 424) and `rolled_back` is "
        "true. Each op counts as one request against the rate limit."
    ),
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
@commits_alone  # its ops commit one by one (or all at once, atomic), not in a group with other writes
async def batch(request: Request, session: DbSession, _scope: AnyScope, body: BatchRequest) -> Response:
    service.check_urls(body.ops)
    results: list[dict[str, Any]] = []
    if not body.atomic:
        # Release the authentication transaction: every op opens and commits its own.
        session.commit()
        for index, op in enumerate(body.ops):
            status, raw = await service.run_op(request.app, request.scope, op, index, None)
            results.append(service.result(status, raw))
        return JSONBytes({"results": results})

    for index, op in enumerate(body.ops):
        status, raw = await service.run_op(request.app, request.scope, op, index, session)
        results.append(service.result(status, raw))
        if status >= 400:
            session.rollback()
            results += [service.skipped(index) for _ in body.ops[index + 1 :]]
            return JSONBytes({"results": results, "rolled_back": True})
    return JSONBytes({"results": results, "rolled_back": False})
