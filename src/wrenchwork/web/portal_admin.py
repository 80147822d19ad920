"""The admin page of request portals (admins and limited admins): list, create and edit with the field settings,
enable/disable, and a printable QR poster of a portal's public address. Every change is the API's operation
(request_portals/service.py); a refusal comes back to the page with the API's message."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import Path, Request
from starlette.responses import Response

from wrenchwork.core.auth import MANAGER_ROLES
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.models.portals import FIELD_MODES, PORTAL_FIELDS
from wrenchwork.request_portals import service
from wrenchwork.request_portals.listing import PORTAL_LIST
from wrenchwork.request_portals.schemas import PortalCreate, PortalUpdate
from wrenchwork.users.invitations import public_address
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CSRF_FIELD, CurrentViewer, note
from wrenchwork.web.templates import render

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PAGE = "/admin/portals"


@router.get(PAGE)
async def portals_page(request: Request, viewer: CurrentViewer) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    session = request.state.session
    found, _ = service.list_portals(session, scope, parse_list_query(PORTAL_LIST, [("per_page", "100")]))
    context = {"title": "Request portals", "nav": "portals", "portals": found, "base": public_address(request)}
    return render(request, "portals_admin.html", context)


@router.get(PAGE + "/new")
async def new_portal_page(request: Request, viewer: CurrentViewer) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    return _form(request, scope, None)


@router.get(PAGE + "/{id}")
async def edit_portal_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    return _form(request, scope, service.get_portal(request.state.session, scope, id))


def _form(request: Request, scope: Any, portal: dict[str, Any] | None) -> Response:
    context = {
        "title": portal["title"] if portal else "New request portal",
        "nav": "portals",
        "portal": portal,
        "modes": FIELD_MODES,
        "field_names": PORTAL_FIELDS,
        "choices": service.choices(request.state.session, scope),
    }
    return render(request, "portal_form.html", context)


async def _body(request: Request) -> dict[str, Any]:
    """The form as the API's body: field modes, the ticked offered records, defaults ("" for none)."""
    form = await request.form()
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
    body: dict[str, Any] = {
        "title": text.get("title", ""),
        "description": text.get("description") or None,
        "enabled": text.get("enabled") == "true",
        "fields": {name: text.get(f"field_{name}", "hidden") for name in PORTAL_FIELDS},
        "locations_ids": [int(v) for v in form.getlist("locations_ids") if isinstance(v, str) and v.isdigit()],
        "assets_ids": [int(v) for v in form.getlist("assets_ids") if isinstance(v, str) and v.isdigit()],
    }
    for name in ("default_location_id", "default_asset_id"):
        body[name] = int(text[name]) if text.get(name, "").isdigit() else None
    return body


@router.post(PAGE)
async def create_portal(request: Request, viewer: CurrentViewer) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, PAGE + "/new")
    made = service.create_portal(request.state.session, scope, validated(PortalCreate, await _body(request)))
    note(request, f"Portal {made['title']} created")
    return go(PAGE)


@router.post(PAGE + "/{id}")
async def update_portal(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, f"{PAGE}/{id}")
    changed = service.update_portal(request.state.session, scope, id, validated(PortalUpdate, await _body(request)))
    note(request, f"Portal {changed['title']} saved")
    return go(PAGE)


@router.post(PAGE + "/{id}/enabled")
async def switch_portal(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, PAGE)
    form = await request.form()
    enabled = form.get("enabled") == "true"
    changed = service.update_portal(request.state.session, scope, id, PortalUpdate(enabled=enabled))
    note(request, f"Portal {changed['title']} {'opened' if enabled else 'closed'}")
    return go(PAGE)


@router.get(PAGE + "/{id}/poster")
async def poster(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    """A page to print: the portal's title, its QR code (an inline SVG of the public address) and the address."""
    scope = viewer.require(MANAGER_ROLES)
    portal = service.get_portal(request.state.session, scope, id)
    url = public_address(request) + portal["url"]
    qr = segno.make(url, error="m").svg_inline(scale=10, border=2, title=f"QR code of {url}")
    context = {"title": f"Poster: {portal['title']}", "portal": portal, "url": url, "qr": qr, "poster": True}
    return render(request, "portal_poster.html", context)
