from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.request_portals import service, submissions
from wrenchwork.request_portals.listing import PORTAL_LIST
from wrenchwork.request_portals.schemas import PortalCreateBody, PortalOut, PortalSubmissionOut, PortalUpdateBody

router = api_router(tags=["request portals", "extension"])
ListParams = Annotated[ListQuery, Depends(list_params(PORTAL_LIST))]


@router.get(
    "/request_portals",
    response_model=ListEnvelope[PortalOut],
    summary="List request portals",
    description="Admins, limited admins and technicians; requesters are refused (403).",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(PORTAL_LIST, "filter[enabled_eq]=true"),
)
async def list_portals(session: DbSession, scope: TechnicianScope, query: ListParams) -> Response:
    data, total = service.list_portals(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/request_portals/{id}",
    response_model=Envelope[PortalOut],
    summary="Get request portal",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_portal(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(service.get_portal(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/request_portals",
    status_code=201,
    response_model=Envelope[PortalOut],
    summary="Create request portal",
    description="Its public page is `/portal/{uuid}` (uuid generated, never changes). A location or asset field "
    "offers only `locations_ids` / `assets_ids`.",
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_portal(session: DbSession, scope: ManagerScope, body: PortalCreateBody) -> Response:
    data = service.create_portal(session, scope, body.request_portal)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@update_route(
    router,
    "/request_portals/{id}",
    response_model=Envelope[PortalOut],
    summary="Update request portal",
    description="`enabled: false` closes the public page (it then says so); `fields` replaces all modes.",
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 429),
)
async def update_portal(session: DbSession, scope: ManagerScope, id: IdPath, body: PortalUpdateBody) -> Response:
    data = service.update_portal(session, scope, id, body.request_portal)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/request_portals/{id}",
    status_code=204,
    summary="Delete request portal",
    description="Requests filed on it stay; their `request_portal` becomes null, their status links keep working.",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_portal(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_portal(session, scope, id)
    return no_content()


@router.get(
    "/work_order_requests/{id}/portal_submission",
    response_model=Envelope[PortalSubmissionOut | None],
    summary="Get a request's portal submitter",
    description="The name, e-mail and phone the visitor gave when filing the request on a portal. Anyone who may "
    "read the request may read this (a requester only its own requests, never a portal's); `data` is null when "
    "the request was not filed on a portal.",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_portal_submission(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(submissions.submitter(session, scope, id), base_meta(scope.entity, scope.customer))
