from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.api_keys import service
from wrenchwork.api_keys.listing import API_KEY_LIST
from wrenchwork.api_keys.schemas import ApiKeyCreateBody, ApiKeyCreated, ApiKeyItem
from wrenchwork.core.auth import AdminScope, DbSession
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router
from wrenchwork.core.schemas import IdPath

router = api_router(tags=["extension"])
ListParams = Annotated[ListQuery, Depends(list_params(API_KEY_LIST))]


@router.get(
    "/api_keys",
    response_model=ListEnvelope[ApiKeyItem],
    summary="List API keys",
    description="Keys of the users of this entity (admin only). Tokens are never shown again.",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(API_KEY_LIST, "filter[revoked_at_null]=true"),
)
async def list_api_keys(session: DbSession, scope: AdminScope, query: ListParams) -> Response:
    data, meta = service.list_keys(session, scope, query)
    return ok(data, meta)


@router.post(
    "/api_keys",
    status_code=201,
    response_model=Envelope[ApiKeyCreated],
    summary="Create API key",
    description="`data.token` is the key itself, shown in this response only.",
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_api_key(session: DbSession, scope: AdminScope, body: ApiKeyCreateBody) -> Response:
    return ok(service.create_key(session, scope, body.api_key), base_meta(scope.entity, scope.customer), 201)


@router.delete(
    "/api_keys/{id}",
    status_code=204,
    summary="Revoke API key",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def revoke_api_key(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    service.revoke_key(session, scope, id)
    return no_content()
