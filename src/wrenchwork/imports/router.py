from __future__ import annotations

from typing import get_args

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, DbSession
from wrenchwork.core.envelope import Envelope, base_meta, error_responses, ok
from wrenchwork.core.routing import api_router
from wrenchwork.core.schemas import IdPath
from wrenchwork.imports import service
from wrenchwork.imports.runner import wake_runner
from wrenchwork.imports.schemas import ImportJobShown, ImportResource

router = api_router(tags=["imports", "extension"])

MULTIPART_IMPORT = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "resource"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CSV or XLSX"},
                        "resource": {"type": "string", "enum": list(get_args(ImportResource))},
                        "mode": {
                            "type": "string",
                            "enum": ["all_or_nothing", "partial", "validate"],
                            "default": "all_or_nothing",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/imports",
    status_code=202,
    response_model=Envelope[ImportJobShown],
    summary="Import a CSV or XLSX file",
    description="Runs in the background: follow it with `GET /imports/{id}` (docs/import.md).",
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
    openapi_extra=MULTIPART_IMPORT,
)
async def create_import(request: Request, session: DbSession, scope: AdminScope) -> Response:
    data = await service.create_import(request, session, scope)
    response = ok(data, base_meta(scope.entity, scope.customer), status_code=202)
    response.background = BackgroundTask(wake_runner, request.app)  # once the job is committed
    return response


@router.get(
    "/imports/{id}",
    response_model=Envelope[ImportJobShown],
    summary="Follow an import",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_import(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    return ok(service.get_import(session, scope, id), base_meta(scope.entity, scope.customer))
