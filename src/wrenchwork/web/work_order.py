"""The work order page and its actions. Each action is the API operation of the same name, through the same
service function; a refusal comes back to the page with the API's message (web/routing.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.comments import service as comments
from wrenchwork.comments.listing import COMMENT_LIST
from wrenchwork.comments.schemas import CommentCreate
from wrenchwork.core.auth import TECHNICIAN_ROLES
from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.files import service as files
from wrenchwork.parts import service as parts
from wrenchwork.parts.listing import PART_LIST
from wrenchwork.procedures import service as procedures
from wrenchwork.procedures.items import ATTACHMENT_TYPES
from wrenchwork.procedures.schemas import AnswersIn
from wrenchwork.web.my_work import items
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CSRF_FIELD, CurrentViewer, note
from wrenchwork.web.templates import render
from wrenchwork.work_orders import assignments, labor, service, statuses
from wrenchwork.work_orders.schemas import ChecklistItem, PartAssignmentIn, WorkOrderUpdate

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=5000)]
Search = Annotated[str, Query(max_length=200)]
# Parts the picker lists (by name; a search finds the others).
PICKER_PARTS = 50


def page_of(work_order_id: int) -> str:
    return f"/work_orders/{work_order_id}"


@router.get("/work_orders/{id}")
async def work_order_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    session = request.state.session
    work_order = service.read_work_order(session, scope, id)
    found, _ = statuses.list_statuses(session, scope, parse_list_query(statuses.STATUS_LIST, [("per_page", "100")]))
    thread, _ = comments.list_comments(
        session, scope, "work_order", id, parse_list_query(COMMENT_LIST, [("per_page", "100")])
    )
    # The detail names its procedures; their items come from the procedure read (`GET .../procedures/{id}`).
    filled = [procedures.get_procedure(session, scope, id, p["id"]) for p in work_order["procedures"]]
    context = {
        "title": work_order["title"],
        "wo": work_order,
        "procedures": filled,
        "statuses": found,
        "comments": thread,
        "attachment_types": ATTACHMENT_TYPES,
    }
    return render(request, "work_order.html", context)


@router.post("/work_orders/{id}/timer")
async def timer(request: Request, viewer: CurrentViewer, id: Id, action: Annotated[str, Form()]) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    if action == "start":
        labor.start_timer(request.state.session, scope, id)
        note(request, "Timer started")
    else:
        entry = labor.stop_timer(request.state.session, scope, id, "regular")
        note(request, f"Timer stopped: {entry['duration']} h recorded")
    return go(page_of(id))


@router.post("/work_orders/{id}/checklist")
async def checklist(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    """The ticked boxes of the form become the list's `checked` values (`checklist` replaces the list)."""
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    session = request.state.session
    form = await request.form()
    ticked = {str(v) for v in form.getlist("checked")}
    current = service.read_work_order(session, scope, id)["checklist"]
    changed = [validated(ChecklistItem, item | {"checked": str(n) in ticked}) for n, item in enumerate(current)]
    service.update_work_order(session, scope, id, WorkOrderUpdate(checklist=changed))
    return go(page_of(id))


@router.post("/work_orders/{id}/status")
async def change_status(
    request: Request, viewer: CurrentViewer, id: Id, status_id: Annotated[int, Form(ge=1, le=MAX_ID)]
) -> Response:
    """Also "complete": the API's status change, with its stock rule (422 naming the short parts)."""
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    service.update_work_order(request.state.session, scope, id, WorkOrderUpdate(status_id=status_id))
    done = service.read_work_order(request.state.session, scope, id)
    note(request, f"Status is now {done['status']['name']}")
    return go(page_of(id))


@router.get("/work_orders/{id}/parts/new")
async def part_picker(request: Request, viewer: CurrentViewer, id: Id, search: Search = "") -> Response:
    """The parts to add, with their available stock: a page of its own that the work order page links to, so
    the work order page does not read 50 parts (and their stock) on every view for an action it rarely takes."""
    scope = viewer.require(TECHNICIAN_ROLES)
    session = request.state.session
    work_order = service.read_work_order(session, scope, id)
    params = [("per_page", str(PICKER_PARTS)), ("sort", "name asc")] + ([("search", search)] if search else [])
    stock, total = parts.list_parts(session, scope, parse_list_query(PART_LIST, params))
    context = {"title": f"Add a part to #{id}", "wo": work_order, "parts": items(stock), "total": total,
               "search": search}  # fmt: skip
    return render(request, "part_picker.html", context)


@router.post("/work_orders/{id}/parts")
async def add_part(
    request: Request,
    viewer: CurrentViewer,
    id: Id,
    part_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    quantity: Annotated[str, Form(max_length=40)],
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    data = validated(PartAssignmentIn, {"part_id": part_id, "quantity": _decimal(quantity, "quantity")})
    added = assignments.add_part(request.state.session, scope, id, data)
    note(request, f"{added['part_name']} added")
    return go(page_of(id))


@router.post("/work_orders/{id}/comments")
async def add_comment(request: Request, viewer: CurrentViewer, id: Id, body: Text) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    comments.add_comment(request.state.session, scope, "work_order", id, validated(CommentCreate, {"body": body}).body)
    return go(page_of(id) + "#comments")


@router.post("/work_orders/{id}/photos")
async def add_photo(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    """The files API's upload of a work order attachment (sniffed, size-limited, image variants)."""
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id))
    await files.upload(request, request.state.session, scope, "work_orders", id, (CSRF_FIELD,))
    note(request, "Photo added")
    return go(page_of(id))


@router.post("/work_orders/{id}/procedures/{procedure_id}/items/{item_id}")
async def answer(request: Request, viewer: CurrentViewer, id: Id, procedure_id: Id, item_id: Id) -> Response:
    """One procedure item's answer. Photos and signatures are uploaded first (the files API's unlinked upload),
    then answered with the attachment id, as an API client does."""
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, page_of(id) + f"#procedure-{procedure_id}")
    session = request.state.session
    procedure = procedures.get_procedure(session, scope, id, procedure_id)
    item = next((i for i in procedure["items"] if i["id"] == item_id), None)
    if item is None:
        raise Unprocessable.field("item_id", "is not an item of this procedure")
    kind = item["item_type"]
    value: Any
    if kind in ATTACHMENT_TYPES:
        uploaded = await files.upload(request, session, scope, None, None, (CSRF_FIELD,))
        value = uploaded["id"]
    else:
        form = await request.form()
        raw = form.get("value")
        text = raw.strip() if isinstance(raw, str) else ""
        if kind == "checkbox":
            value = text == "true"
        elif not text:
            value = None  # an empty answer clears it, as null does in the API
        else:
            value = text  # numbers too: the API takes them as text and checks them (procedures/items.py)
    data = validated(AnswersIn, {"answers": [{"item_id": item_id, "value": value}]})
    procedures.record_answers(session, scope, id, procedure_id, data)
    return go(page_of(id) + f"#procedure-{procedure_id}")


def _decimal(raw: str, field: str) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise Unprocessable.field(field, "must be a number") from None
    if not value.is_finite():
        raise Unprocessable.field(field, "must be a number")
    return value
