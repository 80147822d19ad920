"""PM schedules: the list, a schedule's page (its template, next dates, work orders; pause, resume and "create
now" for those the API lets change schedules) and the month calendar of the `/pm_forecast` service."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.core import clock
from wrenchwork.core.auth import MANAGER_ROLES, TECHNICIAN_ROLES
from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.models.pm import PM_STATUSES
from wrenchwork.pm_schedules import forecast, service
from wrenchwork.pm_schedules.generate_now import GenerateIn, make_now
from wrenchwork.pm_schedules.listing import PM_SCHEDULE_LIST
from wrenchwork.pm_schedules.schemas import PmScheduleUpdate
from wrenchwork.web.listing import searched_page
from wrenchwork.web.my_work import MY_WORK_LIST, page_of_work
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, note
from wrenchwork.web.templates import render

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(max_length=200)]
STATUS_CHOICES = {"": "All"} | {s: s.capitalize() for s in PM_STATUSES}
WORK_ORDERS = 10
COMING = 10


def page_of(schedule_id: int) -> str:
    return f"/pm_schedules/{schedule_id}"


@router.get("/pm_schedules")
async def schedule_list(
    request: Request,
    viewer: CurrentViewer,
    search: Search = "",
    status: Search = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    chosen = status if status in PM_STATUSES else ""
    context = searched_page(
        request.state.session, scope, PM_SCHEDULE_LIST, service.list_pm_schedules, search, page,
        sort="next_order_date asc,id asc", filters=[("status", "filter[status_eq]", chosen)],
    )  # fmt: skip
    context |= {"title": "PM schedules", "status": chosen, "status_choices": STATUS_CHOICES,
                "tz": scope.entity.timezone}  # fmt: skip
    return render(request, "pm_schedules.html", context)


@router.get("/pm_schedules/{id}")
async def schedule_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    session = request.state.session
    schedule = service.read_pm_schedule(session, scope, id)
    coming, _ = forecast.schedule_forecast(session, scope, id, None)
    params = [("filter[pm_schedule_id_eq]", str(id)), ("sort", "created_at desc"), ("per_page", str(WORK_ORDERS))]
    query = parse_list_query(MY_WORK_LIST, params)
    work_orders, total = page_of_work(request, scope, query)
    context = {
        "title": schedule["template_work_order"]["title"],
        "pm": schedule,
        "coming": coming[:COMING],
        "work_orders": work_orders,
        "work_orders_total": total,
        "may_change": viewer.may(MANAGER_ROLES),
        "tz": scope.entity.timezone,
    }
    return render(request, "pm_schedule.html", context)


@router.post("/pm_schedules/{id}/status")
async def change_status(
    request: Request, viewer: CurrentViewer, id: Id, status: Annotated[str, Form(max_length=40)]
) -> Response:
    """Pause (`paused`) or resume (`planned`, which plans the next order date again from now on)."""
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, page_of(id))
    service.update_pm_schedule(request.state.session, scope, id, validated(PmScheduleUpdate, {"status": status}))
    note(request, "Schedule paused" if status == "paused" else "Schedule resumed")
    return go(page_of(id))


@router.post("/pm_schedules/{id}/generate")
async def create_now(
    request: Request,
    viewer: CurrentViewer,
    id: Id,
    next_order_date: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """`POST /pm_schedules/{id}/generate` with the next order date the page showed: a second click (or a reload)
    makes nothing and says so (409)."""
    scope = viewer.require(MANAGER_ROLES)
    back_to(request, page_of(id))
    shown = validated(GenerateIn, {"next_order_date": next_order_date or None}).next_order_date
    made = make_now(request.state.session, scope, id, shown)
    note(request, f"Work order #{made} created from the schedule")
    return go(f"/work_orders/{made}")


@router.get("/pm_calendar")
async def month_calendar(
    request: Request, viewer: CurrentViewer, month: Annotated[str, Query(max_length=7)] = ""
) -> Response:
    """A month of `/pm_forecast`: each planned schedule's order dates, by day of the entity's time zone."""
    scope = viewer.require(TECHNICIAN_ROLES)
    zone = ZoneInfo(scope.entity.timezone)
    first = _month(month) if month else clock.now().astimezone(zone).date().replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    entries, meta = forecast.calendar(request.state.session, scope, first, last)
    by_day: dict[date, list[dict[str, Any]]] = {}
    for entry in entries:
        local = datetime.fromisoformat(entry["order_date"].replace("Z", "+00:00")).astimezone(zone)
        by_day.setdefault(local.date(), []).append(entry | {"time": f"{local:%H:%M}"})
    weeks = [
        [{"day": d, "in_month": d.month == first.month, "entries": by_day.get(d, [])} for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    context = {
        "title": f"PM calendar, {first:%B %Y}",
        "month": first,
        "weeks": weeks,
        "count": len(entries),
        "truncated": meta["truncated"],
        "previous": f"{previous:%Y-%m}",
        "next": f"{last + timedelta(days=1):%Y-%m}",
        "today": clock.now().astimezone(zone).date(),
        "tz": scope.entity.timezone,
    }
    return render(request, "pm_calendar.html", context)


def _month(value: str) -> date:
    try:
        parsed = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC).date()
    except ValueError:
        raise Unprocessable.field("month", "must be a month as YYYY-MM") from None
    if not 1 <= parsed.year <= 9998:
        raise Unprocessable.field("month", "must be a month as YYYY-MM")
    return parsed
