"""Assets: the list, the page a QR sticker opens, and its forms (status, new work order, report a problem),
each through the API's service and role rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.assets import service
from wrenchwork.assets.listing import ASSET_LIST
from wrenchwork.assets.schemas import AssetStatusChange
from wrenchwork.core.auth import ROLES, TECHNICIAN_ROLES
from wrenchwork.core.errors import NotFound
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.web.listing import searched_page
from wrenchwork.web.my_work import MY_WORK_LIST, OPEN, items, mark_due, page_of_work
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, note
from wrenchwork.web.templates import render
from wrenchwork.work_order_requests import service as requests
from wrenchwork.work_order_requests.schemas import RequestCreate
from wrenchwork.work_orders import service as work_orders
from wrenchwork.work_orders.schemas import WorkOrderCreate

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Short = Annotated[str, Form(max_length=5000)]
HISTORY = 10


@router.get("/assets")
async def asset_list(
    request: Request,
    viewer: CurrentViewer,
    search: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(ROLES)
    context = searched_page(request.state.session, scope, ASSET_LIST, service.list_assets, search, page)
    return render(request, "assets.html", {**context, "title": "Assets", "assets": context["found"]})


@router.get("/assets/qr/{value:path}")
async def scanned(request: Request, viewer: CurrentViewer, value: str) -> Response:
    """What an asset's QR sticker encodes (core/qr_api.py): the asset with that code in the viewer's entity."""
    scope = viewer.require(ROLES)
    query = parse_list_query(ASSET_LIST, [("filter[qr_code_eq]", value), ("per_page", "1")])
    found, _ = service.list_assets(request.state.session, scope, query)
    if not found:
        raise NotFound(f"No asset of {scope.entity.name} has the QR code {value}")
    return go(f"/assets/{items(found)[0]['id']}")


@router.get("/assets/{id}")
async def asset_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    """The asset (404 elsewhere), its open work orders with their number, the latest closed ones and downtimes
    (neither counted: the page shows no total of them)."""
    scope = viewer.require(ROLES)
    session = request.state.session
    asset = service.read_asset(session, scope, id)
    context = {"title": asset["name"], "asset": asset, "may_work": viewer.may(TECHNICIAN_ROLES)}
    if viewer.may(TECHNICIAN_ROLES):  # work orders are the API's technicians' business
        open_query = [("filter[asset_id_eq]", str(id)), ("filter[base_status_in]", ",".join(OPEN))]
        history_query = [("filter[asset_id_eq]", str(id)), ("filter[base_status_in]", "completed,cancelled")]
        opened, open_total = page_of_work(
            request, scope, parse_list_query(MY_WORK_LIST, [*open_query, ("sort", "undated asc,due_date asc")])
        )
        latest = parse_list_query(
            MY_WORK_LIST, [*history_query, ("sort", "updated_at desc"), ("per_page", str(HISTORY))]
        )
        closed, _ = page_of_work(request, scope, replace(latest, counted=False))
        context |= {"open": mark_due(opened, scope.entity.timezone), "open_total": open_total, "history": closed}
    downtimes = service.latest_downtimes(session, scope, id, HISTORY)
    context |= {"downtimes": downtimes, "tz": scope.entity.timezone}
    return render(request, "asset.html", context)


@router.post("/assets/{id}/status")
async def set_status(
    request: Request, viewer: CurrentViewer, id: Id, status: Annotated[str, Form(max_length=20)], reason: Short = ""
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, f"/assets/{id}")
    change = validated(AssetStatusChange, {"status": status, "reason": reason.strip() or None})
    done = service.set_status(request.state.session, scope, id, change)
    note(request, f"{done['name']} is {done['status']}")
    return go(f"/assets/{id}")


@router.post("/assets/{id}/work_orders")
async def new_work_order(
    request: Request,
    viewer: CurrentViewer,
    id: Id,
    title: Short = "",
    description: Short = "",
    priority: Annotated[str, Form(max_length=20)] = "none",
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, f"/assets/{id}")
    fields = {"title": title, "description": description.strip() or None, "priority": priority, "asset_id": id}
    created = work_orders.create_work_order(request.state.session, scope, validated(WorkOrderCreate, fields))
    note(request, f"Work order #{created.id} created")
    return go(f"/work_orders/{created.id}")


@router.post("/assets/{id}/requests")
async def report_problem(
    request: Request, viewer: CurrentViewer, id: Id, title: Short, description: Short = ""
) -> Response:
    """ "Report a problem": a work order request about the asset, as `POST /work_order_requests` makes one."""
    scope = viewer.require(ROLES)
    back_to(request, f"/assets/{id}")
    service.get_asset(request.state.session, scope, id)  # 404 for an asset elsewhere, before anything else
    fields = {"title": title, "description": description.strip() or None, "asset_id": id}
    made = requests.create_request(request.state.session, scope, validated(RequestCreate, fields))
    note(request, f"Thank you: request #{made['id']} is waiting for an admin")
    return go(f"/assets/{id}")
