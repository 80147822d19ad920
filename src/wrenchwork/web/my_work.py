"""Home: "My work" (the open work orders assigned to me) and, for admins and limited admins, the board.

Both are the API's work order list (`GET /work_orders`: its spec, filters, search and statement), with the
filters a person would type into the API's query string."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson
from fastapi import Query, Request
from sqlalchemy import case
from starlette.responses import Response

from wrenchwork.core.auth import MANAGER_ROLES, TECHNICIAN_ROLES, Scope
from wrenchwork.core.envelope import dumps
from wrenchwork.core.listing import ListQuery, parse_list_query
from wrenchwork.models import WorkOrder
from wrenchwork.web.routing import web_router
from wrenchwork.web.sessions import CurrentViewer
from wrenchwork.web.templates import render
from wrenchwork.work_orders.listing import WORK_ORDER_LIST
from wrenchwork.work_orders.repository import LIST_PAGE, WorkOrderRepository

router = web_router()
PER_PAGE = 20
OPEN = ("open", "in_progress", "on_hold")
STATUS_CHOICES = {"": "All open", "open": "Open", "in_progress": "In progress", "on_hold": "On hold"}
# The API's list with one more sort key: work without a due date after the dated work on both databases
# (SQLite would sort NULL first), so overdue comes first, then due today, then the rest.
MY_WORK_LIST = replace(
    WORK_ORDER_LIST,
    sortable={**WORK_ORDER_LIST.sortable, "undated": case((WorkOrder.due_date.is_(None), 1), else_=0)},
)
BOARD_COLUMNS = (("open", "Open"), ("in_progress", "In progress"), ("on_hold", "On hold"))
BOARD_SIZE = 25


def items(fragments: list[Any]) -> list[dict[str, Any]]:
    """The list items the API answers (rendered by the database, or plain values), as Python values for a
    template: what a client of the API would read."""
    parsed: list[dict[str, Any]] = orjson.loads(dumps(fragments))
    return parsed


def mark_due(work_orders: list[dict[str, Any]], timezone: str) -> list[dict[str, Any]]:
    """`due_state`: overdue (past due), today (due later today in the entity's time zone) or empty."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    for wo in work_orders:
        due = wo.get("due_date")
        state = ""
        if due:
            moment = datetime.fromisoformat(due.replace("Z", "+00:00"))
            state = "overdue" if moment < now else "today" if moment.astimezone(zone).date() == today else ""
        wo["due_state"] = state
    return work_orders


Search = Annotated[str, Query(max_length=200)]


@router.api_route("/", methods=["GET", "HEAD"])
async def my_work(
    request: Request,
    viewer: CurrentViewer,
    search: Search = "",
    status: Search = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    params = [
        ("filter[technicians_id_eq]", str(scope.user_id)),
        ("filter[base_status_in]", status if status in OPEN else ",".join(OPEN)),
        ("sort", "undated asc,due_date asc"),
        ("page", str(page)),
        ("per_page", str(PER_PAGE)),
    ]
    if search.strip():
        params.append(("search", search.strip()))
    query = parse_list_query(MY_WORK_LIST, params)
    repo_items, total = page_of_work(request, scope, query)
    context = {
        "title": "My work",
        "work_orders": mark_due(repo_items, scope.entity.timezone),
        "tz": scope.entity.timezone,
        "pager_query": urlencode({"search": search, "status": status}) + "&",
        "search": search,
        "status": status if status in OPEN else "",
        "status_choices": STATUS_CHOICES,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "total": total,
        "may_board": viewer.may(MANAGER_ROLES),
    }
    return render(request, "my_work.html", context)


def page_of_work(request: Request, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    """One page of the API's list items (work_orders/service.py `list_work_orders`, with this page's spec)."""
    repo = WorkOrderRepository(request.state.session, scope)
    fragments, total = repo.json_page(MY_WORK_LIST, query, LIST_PAGE, repo.caller)
    return items(fragments), total


@router.get("/board")
async def board(request: Request, viewer: CurrentViewer, search: Search = "") -> Response:
    """Every open work order of the entity, a column per status (the first `BOARD_SIZE` of each, soonest due)."""
    scope = viewer.require(MANAGER_ROLES)
    columns = []
    for base, label in BOARD_COLUMNS:
        params = [
            ("filter[base_status_eq]", base),
            ("sort", "undated asc,due_date asc"),
            ("per_page", str(BOARD_SIZE)),
        ]
        if search.strip():
            params.append(("search", search.strip()))
        found, total = page_of_work(request, scope, parse_list_query(MY_WORK_LIST, params))
        found = mark_due(found, scope.entity.timezone)
        columns.append({"status": base, "label": label, "work_orders": found, "total": total})
    context = {"title": "Board", "columns": columns, "search": search, "tz": scope.entity.timezone}
    return render(request, "board.html", context)
