from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from starlette.responses import Response

from wrenchwork.assets import service
from wrenchwork.assets.listing import ASSET_LIST, DOWNTIME_LIST
from wrenchwork.assets.repository import AssetRepository
from wrenchwork.assets.schemas import (
    AssetCreateBody,
    AssetDetail,
    AssetListItem,
    AssetStatusChange,
    AssetUpdateBody,
    Availability,
    DowntimeItem,
)
from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.qr_api import add_qr_routes
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import DateTime, IdPath

router = api_router(tags=["assets"])
ListParams = Annotated[ListQuery, Depends(list_params(ASSET_LIST))]
DowntimeParams = Annotated[ListQuery, Depends(list_params(DOWNTIME_LIST))]


@router.post(
    "/assets",
    status_code=201,
    response_model=Envelope[AssetDetail],
    summary="Create new asset",
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_asset(session: DbSession, scope: ManagerScope, body: AssetCreateBody) -> Response:
    return ok(service.create_asset(session, scope, body.asset), base_meta(scope.entity, scope.customer), 201)


@router.get(
    "/assets",
    response_model=ListEnvelope[AssetListItem],
    summary="List assets",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(ASSET_LIST),
)
async def list_assets(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, total = service.list_assets(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/assets/{id}",
    response_model=Envelope[AssetDetail],
    summary="Get asset",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_asset(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_asset(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/assets/{id}",
    response_model=Envelope[AssetDetail],
    summary="Update asset",
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_asset(session: DbSession, scope: ManagerScope, id: IdPath, body: AssetUpdateBody) -> Response:
    return ok(service.update_asset(session, scope, id, body.asset), base_meta(scope.entity, scope.customer))


@router.delete(
    "/assets/{id}",
    status_code=204,
    summary="Delete asset",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
)
async def delete_asset(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_asset(session, scope, id)
    return no_content()


@router.patch(
    "/assets/{id}/status",
    response_model=Envelope[AssetDetail],
    summary="Set asset status (online/offline)",
    description="Going offline opens a downtime record (optionally linked to a work order); online closes it.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 429),
)
async def set_status(session: DbSession, scope: TechnicianScope, id: IdPath, body: AssetStatusChange) -> Response:
    return ok(service.set_status(session, scope, id, body), base_meta(scope.entity, scope.customer))


@router.get(
    "/assets/{id}/downtimes",
    response_model=ListEnvelope[DowntimeItem],
    summary="List an asset's downtime records",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=list_openapi(DOWNTIME_LIST, "filter[ended_at_null]=true"),
)
async def list_downtimes(session: DbSession, scope: AnyScope, id: IdPath, query: DowntimeParams) -> Response:
    data, total = service.list_downtimes(session, scope, id, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/assets/{id}/availability",
    response_model=Envelope[Availability],
    summary="Asset availability over a period",
    description="Percent of [from, to) the asset was online. Defaults: the 30 days up to now.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def availability(
    session: DbSession,
    scope: AnyScope,
    id: IdPath,
    start: Annotated[DateTime | None, Query(alias="from")] = None,
    end: Annotated[DateTime | None, Query(alias="to")] = None,
) -> Response:
    return ok(service.availability(session, scope, id, start, end), base_meta(scope.entity, scope.customer))


# A sticker's code opens the asset's page in the web app (web/assets.py).
add_qr_routes(router, "/assets", "Asset", AssetRepository, app_page="/assets/qr/")
