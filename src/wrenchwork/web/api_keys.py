"""API keys (admins, as the API): the entity's keys without their tokens, a new key (its token shown once, as
`POST /api_keys` answers it) and revoking one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.api_keys import service
from wrenchwork.api_keys.listing import API_KEY_LIST
from wrenchwork.api_keys.schemas import ApiKeyCreate
from wrenchwork.core.auth import ADMIN_ROLES, Scope
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.users import service as users
from wrenchwork.users.listing import USER_LIST
from wrenchwork.web.listing import searched_page, with_total
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, note
from wrenchwork.web.templates import render

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
LIST = "/api_keys"
# The new key's owner is picked from the entity's active users, the first this many by name.
OWNERS = 100


def _users(request: Request, scope: Scope, params: list[tuple[str, str]]) -> dict[int, str]:
    """Names of the entity's users (`GET /users` with `params`), by id."""
    found, _ = users.list_users(request.state.session, scope, parse_list_query(USER_LIST, params))
    return {u["id"]: u["full_name"] for u in found}


@router.get("/api_keys")
async def key_list(
    request: Request,
    viewer: CurrentViewer,
    search: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    context = searched_page(
        request.state.session, scope, API_KEY_LIST, with_total(service.list_keys), search, page,
        sort="created_at desc",
    )  # fmt: skip
    owners = sorted({k["user_id"] for k in context["found"]})
    names = (
        _users(request, scope, [("filter[id_in]", ",".join(map(str, owners))), ("per_page", "100")]) if owners else {}
    )
    return render(
        request, "api_keys.html", context | {"title": "API keys", "names": names, "tz": scope.entity.timezone}
    )


@router.get("/api_keys/new")
async def new_key(request: Request, viewer: CurrentViewer) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    owners = _users(request, scope, [("filter[status_eq]", "active"), ("sort", "name asc,surname asc"),
                                     ("per_page", str(OWNERS))])  # fmt: skip
    return render(request, "api_key_new.html", {"title": "New API key", "owners": owners, "me": scope.user_id})


@router.post("/api_keys")
async def create(
    request: Request,
    viewer: CurrentViewer,
    name: Annotated[str, Form(max_length=300)],
    user_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """`POST /api_keys`; the page that answers shows the token, once."""
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, "/api_keys/new")
    made = service.create_key(request.state.session, scope, validated(ApiKeyCreate, {"name": name, "user_id": user_id}))
    names = _users(request, scope, [("filter[id_eq]", str(made["user_id"]))])
    context = {"title": "New API key", "key": made, "owner": names.get(made["user_id"], f"user #{made['user_id']}")}
    return render(request, "api_key_created.html", context)


@router.post("/api_keys/{id}/revoke")
async def revoke(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    service.revoke_key(request.state.session, scope, id)
    note(request, f"API key {id} revoked: requests with it are refused from now on")
    return go(LIST)
