from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.qr_api import add_qr_routes
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.locations import service
from wrenchwork.locations.listing import LOCATION_LIST
from wrenchwork.locations.repository import LocationRepository
from wrenchwork.locations.schemas import LocationCreateBody, LocationDetail, LocationListItem, LocationUpdateBody

router = api_router(tags=["locations"])
ListParams = Annotated[ListQuery, Depends(list_params(LOCATION_LIST))]


@router.post(
    "/locations",
    status_code=201,
    response_model=Envelope[LocationDetail],
    summary="Create location",
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_location(session: DbSession, scope: ManagerScope, body: LocationCreateBody) -> Response:
    data = service.create_location(session, scope, body.location)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.get(
    "/locations",
    response_model=ListEnvelope[LocationListItem],
    summary="List locations",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(LOCATION_LIST),
)
async def list_locations(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, total = service.list_locations(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/locations/{id}",
    response_model=Envelope[LocationDetail],
    summary="Get location",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_location(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_location(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/locations/{id}",
    response_model=Envelope[LocationDetail],
    summary="Update location",
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_location(session: DbSession, scope: ManagerScope, id: IdPath, body: LocationUpdateBody) -> Response:
    data = service.update_location(session, scope, id, body.location)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/locations/{id}",
    status_code=204,
    summary="Delete location",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
)
async def delete_location(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_location(session, scope, id)
    return no_content()


add_qr_routes(router, "/locations", "Location", LocationRepository)
