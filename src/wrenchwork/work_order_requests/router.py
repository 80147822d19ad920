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
from wrenchwork.work_order_requests import service
from wrenchwork.work_order_requests.listing import REQUEST_LIST
from wrenchwork.work_order_requests.schemas import (
    RequestCreateBody,
    RequestDetail,
    RequestListItem,
    RequestUpdateBody,
)

router = api_router(tags=["work order requests"])
ListParams = Annotated[ListQuery, Depends(list_params(REQUEST_LIST))]


@router.post(
    "/work_order_requests",
    status_code=201,
    response_model=Envelope[RequestDetail],
    summary="Create request",
    description="Any role may ask for work. Only admins and limited admins may set a status other than pending; "
    "`approved` creates the work order at once.",
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_request(session: DbSession, scope: AnyScope, body: RequestCreateBody) -> Response:
    data = service.create_request(session, scope, body.work_order_request)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.get(
    "/work_order_requests",
    response_model=ListEnvelope[RequestListItem],
    summary="List requests",
    description="A requester sees only the requests it created.",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(REQUEST_LIST, "filter[title_cont]=building"),
)
async def list_requests(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, total = service.list_requests(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/work_order_requests/{id}",
    response_model=Envelope[RequestDetail],
    summary="Get request",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_request(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_request(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/work_order_requests/{id}",
    response_model=Envelope[RequestDetail],
    summary="Update request",
    description="Status: pending -> approved | declined | on_hold (admins and limited admins). Approving creates "
    "the work order and sets `work_order_id`; an approved request's status is final; a declined one cannot return "
    "to pending. Other roles may change only their own requests, and only while they are pending.",
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_request(session: DbSession, scope: AnyScope, id: IdPath, body: RequestUpdateBody) -> Response:
    data = service.update_request(session, scope, id, body.work_order_request)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/work_order_requests/{id}",
    status_code=204,
    summary="Delete request",
    description="Its comments go with it; a work order created from it stays.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_request(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_request(session, scope, id)
    return no_content()
