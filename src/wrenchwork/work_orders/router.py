from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends
from starlette.responses import Response

from wrenchwork.core.auth import DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.work_orders import assignments, labor, service, statuses
from wrenchwork.work_orders.listing import COST_LIST, TIME_ENTRY_LIST, WORK_ORDER_LIST
from wrenchwork.work_orders.schemas import (
    ActiveTimer,
    CostBody,
    CostItem,
    PartAssignment,
    PartAssignmentIn,
    StatusCreateBody,
    StatusItem,
    StatusUpdateBody,
    TimeEntryBody,
    TimeEntryItem,
    TimerStopIn,
    WorkOrderCreateBody,
    WorkOrderDetail,
    WorkOrderListItem,
    WorkOrderUpdateBody,
)

router = api_router(tags=["work orders"])
ListParams = Annotated[ListQuery, Depends(list_params(WORK_ORDER_LIST))]
TimeEntryParams = Annotated[ListQuery, Depends(list_params(TIME_ENTRY_LIST))]
CostParams = Annotated[ListQuery, Depends(list_params(COST_LIST))]
StatusParams = Annotated[ListQuery, Depends(list_params(statuses.STATUS_LIST))]
READ = error_responses(400, 401, 403, 404, 422, 429)
WRITE = error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429)


@router.post(
    "/work_orders",
    status_code=201,
    response_model=Envelope[WorkOrderDetail],
    summary="Create work order",
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_work_order(session: DbSession, scope: TechnicianScope, body: WorkOrderCreateBody) -> Response:
    work_order = service.create_work_order(session, scope, body.work_order)
    return ok(service.get_work_order(session, scope, work_order.id), base_meta(scope.entity, scope.customer), 201)


@router.get(
    "/work_orders",
    response_model=ListEnvelope[WorkOrderListItem],
    summary="List work orders",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(WORK_ORDER_LIST, "filter[title_cont]=building"),
)
async def list_work_orders(session: DbSession, scope: TechnicianScope, query: ListParams) -> Response:
    data, total = service.list_work_orders(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get("/work_orders/{id}", response_model=Envelope[WorkOrderDetail], summary="Get work order", responses=READ)
async def get_work_order(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(service.get_work_order(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(
    router, "/work_orders/{id}", response_model=Envelope[WorkOrderDetail], summary="Update work order", responses=WRITE
)
async def update_work_order(
    session: DbSession, scope: TechnicianScope, id: IdPath, body: WorkOrderUpdateBody
) -> Response:
    data = service.update_work_order(session, scope, id, body.work_order)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/work_orders/{id}",
    status_code=204,
    summary="Delete work order",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_work_order(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_work_order(session, scope, id)
    return no_content()


# ---- part assignments (documented) -----------------------------------------------------------------------------


@router.post(
    "/work_orders/{id}/parts",
    response_model=Envelope[PartAssignment],
    summary="Add part to work order",
    description="Adds `quantity` to the part's assignment; reserved while the work order is open.",
    responses=WRITE,
)
async def add_part(session: DbSession, scope: TechnicianScope, id: IdPath, body: PartAssignmentIn) -> Response:
    return ok(assignments.add_part(session, scope, id, body), base_meta(scope.entity, scope.customer))


@router.patch(
    "/work_orders/{id}/parts",
    response_model=Envelope[PartAssignment],
    summary="Update work-order part quantity",
    description="Sets the quantity of an existing assignment (404 when the part is not assigned).",
    responses=WRITE,
)
async def set_part(session: DbSession, scope: TechnicianScope, id: IdPath, body: PartAssignmentIn) -> Response:
    return ok(assignments.set_part(session, scope, id, body), base_meta(scope.entity, scope.customer))


@router.delete(
    "/work_orders/{id}/parts/{part_id}",
    status_code=204,
    summary="Remove part from work order",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def remove_part(session: DbSession, scope: TechnicianScope, id: IdPath, part_id: IdPath) -> Response:
    assignments.remove_part(session, scope, id, part_id)
    return no_content()


# ---- labor and costs (extension) -------------------------------------------------------------------------------


@router.get(
    "/work_orders/{id}/time_entries",
    response_model=ListEnvelope[TimeEntryItem],
    summary="List time entries",
    tags=["extension"],
    responses=READ,
    openapi_extra=list_openapi(TIME_ENTRY_LIST, "filter[user_id_eq]=3"),
)
async def list_time_entries(session: DbSession, scope: TechnicianScope, id: IdPath, query: TimeEntryParams) -> Response:
    data, total = labor.list_time_entries(session, scope, id, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.post(
    "/work_orders/{id}/time_entries",
    status_code=201,
    response_model=Envelope[TimeEntryItem],
    summary="Add time entry",
    description="`ended_at` or `duration` (hours); priced with the user's rate of `rate_type`.",
    tags=["extension"],
    responses=WRITE,
)
async def add_time_entry(session: DbSession, scope: TechnicianScope, id: IdPath, body: TimeEntryBody) -> Response:
    data = labor.add_time_entry(session, scope, id, body.time_entry)
    return ok(data, base_meta(scope.entity, scope.customer), 201)


@router.delete(
    "/work_orders/{id}/time_entries/{entry_id}",
    status_code=204,
    summary="Delete time entry",
    tags=["extension"],
    responses=READ,
)
async def delete_time_entry(session: DbSession, scope: TechnicianScope, id: IdPath, entry_id: IdPath) -> Response:
    labor.delete_time_entry(session, scope, id, entry_id)
    return no_content()


@router.post(
    "/work_orders/{id}/timer/start",
    response_model=Envelope[ActiveTimer],
    summary="Start the caller's timer",
    tags=["extension"],
    responses=WRITE,
)
async def start_timer(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(labor.start_timer(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/work_orders/{id}/timer/stop",
    response_model=Envelope[TimeEntryItem],
    summary="Stop the caller's timer",
    description="Turns the running timer into a time entry (rate_type default regular).",
    tags=["extension"],
    responses=WRITE,
)
async def stop_timer(
    session: DbSession, scope: TechnicianScope, id: IdPath, body: Annotated[TimerStopIn | None, Body()] = None
) -> Response:
    rate_type = body.rate_type if body is not None else "regular"
    return ok(labor.stop_timer(session, scope, id, rate_type), base_meta(scope.entity, scope.customer))


@router.get(
    "/work_orders/{id}/costs",
    response_model=ListEnvelope[CostItem],
    summary="List additional costs",
    tags=["extension"],
    responses=READ,
    openapi_extra=list_openapi(COST_LIST, "filter[description_cont]=rental"),
)
async def list_costs(session: DbSession, scope: TechnicianScope, id: IdPath, query: CostParams) -> Response:
    data, total = labor.list_costs(session, scope, id, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.post(
    "/work_orders/{id}/costs",
    status_code=201,
    response_model=Envelope[CostItem],
    summary="Add additional cost",
    tags=["extension"],
    responses=WRITE,
)
async def add_cost(session: DbSession, scope: TechnicianScope, id: IdPath, body: CostBody) -> Response:
    return ok(labor.add_cost(session, scope, id, body.cost), base_meta(scope.entity, scope.customer), 201)


@router.delete(
    "/work_orders/{id}/costs/{cost_id}",
    status_code=204,
    summary="Delete additional cost",
    tags=["extension"],
    responses=READ,
)
async def delete_cost(session: DbSession, scope: TechnicianScope, id: IdPath, cost_id: IdPath) -> Response:
    labor.delete_cost(session, scope, id, cost_id)
    return no_content()


# ---- custom statuses (extension) -------------------------------------------------------------------------------


@router.get(
    "/work_order_statuses",
    response_model=ListEnvelope[StatusItem],
    summary="List work order statuses",
    description="The statuses a work order's `status_id` may take: the five built-in ones (`is_custom: false`, "
    "1 open, 2 in_progress, 3 on_hold, 4 cancelled, 5 completed; the same in every entity, first in the default "
    "order) and the entity's custom ones (`is_custom: true`, ids from 6, each behaving like its `base_status_id`).",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(statuses.STATUS_LIST),
)
async def list_statuses(session: DbSession, scope: TechnicianScope, query: StatusParams) -> Response:
    data, total = statuses.list_statuses(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/work_order_statuses/{id}",
    response_model=Envelope[StatusItem],
    summary="Get work order status",
    description="A built-in status (1..5) or a custom status of this entity.",
    tags=["extension"],
    responses=READ,
)
async def get_status(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(statuses.get_status(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/work_order_statuses",
    status_code=201,
    response_model=Envelope[StatusItem],
    summary="Create custom work order status",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_status(session: DbSession, scope: ManagerScope, body: StatusCreateBody) -> Response:
    data = statuses.create_status(session, scope, body.work_order_status)
    return ok(data, base_meta(scope.entity, scope.customer), 201)


@update_route(
    router,
    "/work_order_statuses/{id}",
    response_model=Envelope[StatusItem],
    summary="Update custom work order status",
    description="Built-in statuses (1..5) cannot be changed: 409.",
    tags=["extension"],
    responses=WRITE,
)
async def update_status(session: DbSession, scope: ManagerScope, id: IdPath, body: StatusUpdateBody) -> Response:
    data = statuses.update_status(session, scope, id, body.work_order_status)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/work_order_statuses/{id}",
    status_code=204,
    summary="Delete custom work order status",
    description="Built-in statuses (1..5) cannot be deleted, nor a custom status while work orders use it: 409.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
)
async def delete_status(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    statuses.delete_status(session, scope, id)
    return no_content()
