from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query
from starlette.responses import Response

from wrenchwork.core.auth import DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import Date, IdPath
from wrenchwork.pm_schedules import forecast, service
from wrenchwork.pm_schedules.generate_now import GenerateIn, generate_now
from wrenchwork.pm_schedules.listing import PM_SCHEDULE_LIST
from wrenchwork.pm_schedules.schemas import (
    CalendarEnvelope,
    ForecastEnvelope,
    PmScheduleCreateBody,
    PmScheduleDetail,
    PmScheduleListItem,
    PmScheduleUpdateBody,
)
from wrenchwork.work_orders.schemas import WorkOrderDetail

router = api_router(tags=["PM schedules"])
ListParams = Annotated[ListQuery, Depends(list_params(PM_SCHEDULE_LIST))]
READ = error_responses(400, 401, 403, 404, 422, 429)
WRITE = error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429)


@router.get(
    "/pm_schedules",
    response_model=ListEnvelope[PmScheduleListItem],
    summary="List PM schedules",
    description="Search, filters and sort cover the schedule and its template work order (`title`, `asset_id`, "
    "`technicians_id`, ...).",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(PM_SCHEDULE_LIST, "filter[title_cont]=building"),
)
async def list_pm_schedules(session: DbSession, scope: TechnicianScope, query: ListParams) -> Response:
    data, total = service.list_pm_schedules(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get("/pm_schedules/{id}", response_model=Envelope[PmScheduleDetail], summary="Get PM schedule", responses=READ)
async def get_pm_schedule(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(service.get_pm_schedule(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/pm_schedules",
    status_code=201,
    response_model=Envelope[PmScheduleDetail],
    summary="Create PM schedule",
    description="The smallest body: `type`, `start_date`, `time_to_complete`, `repeat_frequency` and "
    "`template_work_order_attributes.title` (every one unit from `start_date`). See docs/api.md for the meaning "
    "of every combination of the timing fields.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_pm_schedule(session: DbSession, scope: ManagerScope, body: PmScheduleCreateBody) -> Response:
    schedule = service.create_pm_schedule(session, scope, body.pm_schedule)
    return ok(service.get_pm_schedule(session, scope, schedule.id), base_meta(scope.entity, scope.customer), 201)


@update_route(
    router,
    "/pm_schedules/{id}",
    response_model=Envelope[PmScheduleDetail],
    summary="Update PM schedule",
    description="Only the fields sent change; a change of timing (or `status: planned` after a pause) plans the "
    "next order date again from now on.",
    tags=["extension"],
    responses=WRITE,
)
async def update_pm_schedule(
    session: DbSession, scope: ManagerScope, id: IdPath, body: PmScheduleUpdateBody
) -> Response:
    schedule = service.update_pm_schedule(session, scope, id, body.pm_schedule)
    return ok(service.get_pm_schedule(session, scope, schedule.id), base_meta(scope.entity, scope.customer))


@router.delete(
    "/pm_schedules/{id}",
    status_code=204,
    summary="Delete PM schedule",
    description="The work orders it generated are kept, with `pm_schedule_id: null`.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_pm_schedule(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_pm_schedule(session, scope, id)
    return no_content()


@router.get(
    "/pm_schedules/{id}/forecast",
    response_model=ForecastEnvelope,
    summary="Forecast a PM schedule",
    description="The coming occurrences `{order_date, due_date}` from `next_order_date` up to `until` (a day in "
    "the entity's time zone, default a year from today, at most 10 years ahead), at most 500 of them. Paused and "
    "completed schedules have none; a floating one shows only its next order date.",
    tags=["extension"],
    responses=READ,
)
async def forecast_pm_schedule(
    session: DbSession,
    scope: TechnicianScope,
    id: IdPath,
    until: Annotated[Date | None, Query(description="The last day included (YYYY-MM-DD)")] = None,
) -> Response:
    data, meta = forecast.schedule_forecast(session, scope, id, until)
    return ok(data, base_meta(scope.entity, scope.customer) | meta)


@router.get(
    "/pm_forecast",
    response_model=CalendarEnvelope,
    summary="Forecast every PM schedule",
    description="The entity's PM calendar: each planned schedule's coming occurrences `{pm_schedule_id, title, "
    "asset, order_date, due_date}` from `from` to `until` (days in the entity's time zone; default today and the "
    "30 days after it; at most 366 days), by order date, at most 500 of them.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 422, 429),
)
async def pm_calendar(
    session: DbSession,
    scope: TechnicianScope,
    first: Annotated[Date | None, Query(alias="from", description="The first day included (YYYY-MM-DD)")] = None,
    until: Annotated[Date | None, Query(description="The last day included (YYYY-MM-DD)")] = None,
) -> Response:
    data, meta = forecast.calendar(session, scope, first, until)
    return ok(data, base_meta(scope.entity, scope.customer) | meta)


@router.post(
    "/pm_schedules/{id}/generate",
    status_code=201,
    response_model=Envelope[WorkOrderDetail],
    summary="Generate the next work order now",
    description='Makes the work order of the pending `next_order_date` at once ("create now") and advances the '
    "schedule as the scheduler would; answers the work order. 409 for a paused or completed schedule, a floating "
    "one whose work order is still open, or when the optional `next_order_date` sent is no longer the pending one.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def generate_pm_work_order(
    session: DbSession, scope: ManagerScope, id: IdPath, body: Annotated[GenerateIn | None, Body()] = None
) -> Response:
    expected = body.next_order_date if body is not None else None
    return ok(generate_now(session, scope, id, expected), base_meta(scope.entity, scope.customer), 201)
