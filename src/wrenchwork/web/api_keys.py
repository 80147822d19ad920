"""API keys (admins, as the API): the entity's keys without their tokens, a new key (its token shown once, as
`POST /api_keys` answers it) and revoking one."""

from __future__ import annotations

from typing import Annotated, Any

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
# The key's owner is picked from the entity's active users, the first this many by name.
OWNERS = 100


def _owners(request: Request, scope: Scope) -> list[dict[str, Any]]:
    query = parse_list_query(
        USER_LIST, [("filter[status_eq]", "active"), ("sort", "name asc,surname asc"), ("per_page", str(OWNERS))]
    )
    found, _ = users.list_users(request.state.session, scope, query)
    return [{"id": u["id"], "full_name": u["full_name"]} for u in found]


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
    return render(request, "api_keys.html", context | _page(request, scope))


def _page(request: Request, scope: Scope) -> dict[str, Any]:
    owners = _owners(request, scope)
    return {"title": "API keys", "owners": owners, "names": {o["id"]: o["full_name"] for o in owners},
            "me": scope.user_id, "tz": scope.entity.timezone}  # fmt: skip


@router.post("/api_keys")
async def create(
    request: Request,
    viewer: CurrentViewer,
    name: Annotated[str, Form(max_length=300)],
    user_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """`POST /api_keys`; the page that answers shows the token, once."""
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    made = service.create_key(request.state.session, scope, validated(ApiKeyCreate, {"name": name, "user_id": user_id}))
    context = _page(request, scope) | {"title": "New API key", "key": made}
    return render(request, "api_key_created.html", context)


@router.post("/api_keys/{id}/revoke")
async def revoke(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    service.revoke_key(request.state.session, scope, id)
    note(request, f"API key {id} revoked: requests with it are refused from now on")
    return go(LIST)
