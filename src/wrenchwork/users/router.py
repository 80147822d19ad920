from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, AnyScope, DbSession
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.users import service
from wrenchwork.users.invitations import public_address
from wrenchwork.users.listing import USER_LIST
from wrenchwork.users.schemas import UserCreateBody, UserCreated, UserItem, UserUpdateBody

router = api_router(tags=["users"])
ListParams = Annotated[ListQuery, Depends(list_params(USER_LIST))]


@router.get(
    "/users",
    response_model=ListEnvelope[UserItem],
    summary="List users",
    description="Users holding a role in the entity of the request.",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(USER_LIST, "filter[can_be_assigned_to_wo_eq]=true"),
)
async def list_users(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, meta = service.list_users(session, scope, query)
    return ok(data, meta)


@router.get(
    "/users/{id}",
    response_model=Envelope[UserItem],
    summary="Get user",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_user(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_user(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/users",
    status_code=201,
    response_model=Envelope[UserCreated],
    summary="Create user",
    description="The answer carries `invitation_url` once: the link that lets the user set a password.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_user(request: Request, session: DbSession, scope: AdminScope, body: UserCreateBody) -> Response:
    invite = (public_address(request), request.app.state.settings.sign_in_link_hours)
    data = service.create_user(session, scope, body.user, invite)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@update_route(
    router,
    "/users/{id}",
    response_model=Envelope[UserItem],
    summary="Update user and set their permissions",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_user(session: DbSession, scope: AdminScope, id: IdPath, body: UserUpdateBody) -> Response:
    data = service.update_user(session, scope, id, body.user)
    return ok(data, base_meta(scope.entity, scope.customer))
