"""The requests inbox (admins and limited admins, who decide on requests in the API): pending requests first,
the request's page, and its decisions through the API's update service (approving creates the work order)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.comments import service as comments
from wrenchwork.comments.listing import COMMENT_LIST
from wrenchwork.comments.schemas import CommentCreate
from wrenchwork.core.auth import MANAGER_ROLES
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.models.requests import REQUEST_STATUSES
from wrenchwork.request_portals.submissions import submitter
from wrenchwork.web.listing import searched_page
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, note
from wrenchwork.web.templates import render
from wrenchwork.work_order_requests import service
from wrenchwork.work_order_requests.listing import REQUEST_LIST
from wrenchwork.work_order_requests.schemas import RequestUpdate

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(max_length=200)]
# The statuses sort pending, on_hold, declined, approved when descending: the requests waiting for a decision
# come first, newest first within each.
INBOX_SORT = "status desc,created_at desc"
STATUS_CHOICES = {"": "All", "pending": "Pending", "on_hold": "On hold", "declined": "Declined", "approved": "Approved"}
DECISIONS = {"approved": "Approve", "on_hold": "Put on hold", "declined": "Decline", "pending": "Back to pending"}
DONE = {"approved": "Approved", "on_hold": "Put on hold", "declined": "Declined", "pending": "Back to pending"}


def page_of(request_id: int) -> str:
    return f"/requests/{request_id}"


@router.get("/requests")
async def inbox(
    request: Request,
    viewer: CurrentViewer,
    search: Search = "",
    status: Search = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    chosen = status if status in REQUEST_STATUSES else ""
    context = searched_page(
        request.state.session, scope, REQUEST_LIST, service.list_requests, search, page,
        sort=INBOX_SORT, filters=[("status", "filter[status_eq]", chosen)],
    )  # fmt: skip
    context |= {
        "title": "Requests",
        "requests": context["found"],
        "status": chosen,
        "status_choices": STATUS_CHOICES,
        "tz": scope.entity.timezone,
    }
    return render(request, "requests.html", context)


@router.get("/requests/{id}")
async def request_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(MANAGER_ROLES)
    session = request.state.session
    found = service.read_request(session, scope, id)
    thread, _ = comments.list_comments(
        session, scope, "work_order_request", id, parse_list_query(COMMENT_LIST, [("per_page", "100")])
    )
    context = {
        "title": found["title"],
        "req": found,
        "comments": thread,
        # Who filed it on a portal (the same as `GET /work_order_requests/{id}/portal_submission`).
        "submitter": submitter(session, scope, id),
        # The buttons offered; the service decides (service.TRANSITIONS is its own rule, shown here).
        "decisions": {s: DECISIONS[s] for s in service.TRANSITIONS[found["status"]]},
        "tz": scope.entity.timezone,
    }
    return render(request, "request.html", context)


@router.post("/requests/{id}/decision")
async def decide(
    request: Request,
    viewer: CurrentViewer,
    id: Id,
    status: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """`PATCH /work_order_requests/{id}` with the status. The API takes no reason for declining: a reason given
    is added as a comment on the request (the comments API), in the same transaction."""
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, page_of(id))
    session = request.state.session
    changed = service.update_request(session, scope, id, validated(RequestUpdate, {"status": status}))
    if reason.strip():
        body = validated(CommentCreate, {"body": reason}).body
        comments.add_comment(session, scope, "work_order_request", id, body)
    if changed["work_order_id"] is not None and status == "approved":
        note(request, f"Approved: work order #{changed['work_order_id']} created")
    else:
        note(request, DONE.get(status, "Saved"))
    return go(page_of(id))
