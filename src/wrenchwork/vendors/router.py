from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.vendors import service
from wrenchwork.vendors.listing import VENDOR_LIST
from wrenchwork.vendors.schemas import VendorCreateBody, VendorDetail, VendorListItem, VendorUpdateBody

router = api_router(tags=["vendors"])
ListParams = Annotated[ListQuery, Depends(list_params(VENDOR_LIST))]


@router.get(
    "/vendors",
    response_model=ListEnvelope[VendorListItem],
    summary="List vendors",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(VENDOR_LIST, "filter[assign_to_work_orders_eq]=true"),
)
async def list_vendors(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, total = service.list_vendors(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/vendors/{id}",
    response_model=Envelope[VendorDetail],
    summary="Get vendor",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_vendor(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_vendor(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/vendors",
    status_code=201,
    response_model=Envelope[VendorDetail],
    summary="Create vendor",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_vendor(session: DbSession, scope: ManagerScope, body: VendorCreateBody) -> Response:
    data = service.create_vendor(session, scope, body.vendor)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@update_route(
    router,
    "/vendors/{id}",
    response_model=Envelope[VendorDetail],
    summary="Update vendor",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_vendor(session: DbSession, scope: ManagerScope, id: IdPath, body: VendorUpdateBody) -> Response:
    return ok(service.update_vendor(session, scope, id, body.vendor), base_meta(scope.entity, scope.customer))


@router.delete(
    "/vendors/{id}",
    status_code=204,
    summary="Delete vendor",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
)
async def delete_vendor(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_vendor(session, scope, id)
    return no_content()
