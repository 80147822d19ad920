"""Users and invitations (admins, as the users API's writes): the entity's users with their role, inviting a
user (the invitation link is shown once, as `POST /users` answers it), changing a role, removing a user from the
entity, deactivating and activating, and a new invitation link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.core.auth import ADMIN_ROLES, ROLES
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.users import service
from wrenchwork.users.invitations import public_address
from wrenchwork.users.listing import USER_LIST
from wrenchwork.users.schemas import UserCreate, UserUpdate
from wrenchwork.web.listing import searched_page, with_total
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, Viewer, note
from wrenchwork.web.templates import render

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(max_length=200)]
Text = Annotated[str, Form(max_length=300)]
ROLE_NAMES = {"admin": "Admin", "limited_admin": "Limited admin", "technician": "Technician", "requester": "Requester"}
STATUS_CHOICES = {"": "All", "active": "Active", "inactive": "Inactive"}
LIST = "/users"


@router.get("/users")
async def user_list(
    request: Request,
    viewer: CurrentViewer,
    search: Search = "",
    status: Search = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    chosen = status if status in STATUS_CHOICES else ""
    context = searched_page(
        request.state.session, scope, USER_LIST, with_total(service.list_users), search, page,
        sort="name asc,surname asc", filters=[("status", "filter[status_eq]", chosen)],
    )  # fmt: skip
    for user in context["found"]:
        user["role"] = next((p["role"] for p in user["permissions"] if p["entity_id"] == scope.entity_id), None)
    return render(request, "users.html", _context(viewer) | context | {"status": chosen})


def _context(viewer: Viewer) -> dict[str, Any]:
    return {
        "title": "Users",
        "roles": ROLE_NAMES,
        "status_choices": STATUS_CHOICES,
        "tz": viewer.scope.entity.timezone if viewer.scope else "UTC",
        "me": viewer.user_id,
    }


@router.post("/users")
async def invite(
    request: Request, viewer: CurrentViewer, name: Text, email: Text, role: Text, surname: Text = ""
) -> Response:
    """`POST /users` with the role in this entity; the page that answers shows the invitation link, once."""
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    permissions = [{"entity_id": scope.entity_id, "role": role}]
    body = validated(UserCreate, {"name": name, "surname": surname, "email": email, "permissions": permissions})
    settings = request.app.state.settings
    made = service.create_user(
        request.state.session, scope, body, (public_address(request), settings.sign_in_link_hours)
    )
    return _invitation(request, viewer, made, "invited")


def _invitation(request: Request, viewer: Viewer, user: dict[str, Any], action: str) -> Response:
    context = _context(viewer) | {"title": "Invitation", "invited": user, "action": action}
    return render(request, "invitation.html", context)


@router.post("/users/{id}/invitation")
async def reinvite(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    settings = request.app.state.settings
    invite = (public_address(request), settings.sign_in_link_hours)
    return _invitation(request, viewer, service.resend_invitation(request.state.session, scope, id, invite), "resent")


@router.post("/users/{id}/role")
async def change_role(request: Request, viewer: CurrentViewer, id: Id, role: Text) -> Response:
    """The user's roles are replaced in the entities the viewer administers (the API's rule): the others they
    hold there are sent back unchanged, this entity's with the new role ("remove": none)."""
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    session = request.state.session
    if role != "remove" and role not in ROLES:
        validated(UserUpdate, {"permissions": [{"entity_id": scope.entity_id, "role": role}]})
    user = service.read_user(session, scope, id)
    administered = {m.entity_id for m in viewer.memberships if m.role == "admin"}
    kept = [
        {"entity_id": p["entity_id"], "role": p["role"]}
        for p in user["permissions"]
        if p["entity_id"] in administered and p["entity_id"] != scope.entity_id
    ]
    wanted = kept if role == "remove" else [*kept, {"entity_id": scope.entity_id, "role": role}]
    service.update_user(session, scope, id, validated(UserUpdate, {"permissions": wanted}))
    who = user["full_name"]
    removed = f"{who} no longer works in {scope.entity.name}"
    note(request, removed if role == "remove" else f"{who} is now {ROLE_NAMES[role].lower()}")
    return go(LIST)


@router.post("/users/{id}/status")
async def change_status(request: Request, viewer: CurrentViewer, id: Id, status: Text) -> Response:
    scope = viewer.require(ADMIN_ROLES)
    back_to(request, LIST)
    done = service.update_user(request.state.session, scope, id, validated(UserUpdate, {"status": status}))
    note(request, f"{done['full_name']} is now {done['status']}")
    return go(LIST)
