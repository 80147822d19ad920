from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, CurrentPrincipal, DbSession
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.entities import service
from wrenchwork.entities.listing import ENTITY_LIST
from wrenchwork.entities.schemas import EntityCreateBody, EntityItem, EntityUpdateBody, entity_item

router = api_router(tags=["entities"])
ListParams = Annotated[ListQuery, Depends(list_params(ENTITY_LIST))]


@router.get(
    "/entities",
    response_model=ListEnvelope[EntityItem],
    summary="List entities",
    description="The entities the API key's user holds a role in. No X-Entity-Id header; `meta.entity` is null.",
    responses=error_responses(401, 422, 429),
    openapi_extra=list_openapi(ENTITY_LIST),
)
async def list_entities(session: DbSession, principal: CurrentPrincipal, query: ListParams) -> Response:
    data, meta = service.list_entities(session, principal, query)
    return ok(data, meta)


@router.post(
    "/entities",
    status_code=201,
    response_model=Envelope[EntityItem],
    summary="Create entity",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_entity(session: DbSession, scope: AdminScope, body: EntityCreateBody) -> Response:
    entity = service.create_entity(session, scope, body.entity)
    return ok(entity_item(entity), base_meta(scope.entity, scope.customer), status_code=201)


@update_route(
    router,
    "/entities/{id}",
    response_model=Envelope[EntityItem],
    summary="Update entity",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 429),
)
async def update_entity(session: DbSession, scope: AdminScope, id: IdPath, body: EntityUpdateBody) -> Response:
    entity = service.update_entity(session, scope, id, body.entity)
    return ok(entity_item(entity), base_meta(scope.entity, scope.customer))
