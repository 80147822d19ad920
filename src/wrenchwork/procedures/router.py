from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.procedures import service
from wrenchwork.procedures.listing import TEMPLATE_LIST
from wrenchwork.procedures.schemas import (
    AnswersBody,
    ProcedureDetail,
    TemplateCreateBody,
    TemplateDetail,
    TemplateListItem,
    TemplateUpdateBody,
)

router = api_router(tags=["procedure templates"])
ListParams = Annotated[ListQuery, Depends(list_params(TEMPLATE_LIST))]


@router.get(
    "/procedure_templates",
    response_model=ListEnvelope[TemplateListItem],
    summary="List procedure templates",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(TEMPLATE_LIST),
)
async def list_templates(session: DbSession, scope: TechnicianScope, query: ListParams) -> Response:
    data, total = service.list_templates(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/procedure_templates/{id}",
    response_model=Envelope[TemplateDetail],
    summary="Get procedure template",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_template(session: DbSession, scope: TechnicianScope, id: IdPath) -> Response:
    return ok(service.get_template(session, scope, id), base_meta(scope.entity, scope.customer))


@router.post(
    "/procedure_templates",
    status_code=201,
    response_model=Envelope[TemplateDetail],
    summary="Create procedure template",
    description="Items are given as `items_attributes`; each item's `options` are checked against its `item_type`.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_template(session: DbSession, scope: ManagerScope, body: TemplateCreateBody) -> Response:
    data = service.create_template(session, scope, body.procedure_template)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@update_route(
    router,
    "/procedure_templates/{id}",
    response_model=Envelope[TemplateDetail],
    summary="Update procedure template",
    description="`items_attributes` entries with `id` change (or `_destroy`) that item; without `id` they add one. "
    "Procedures already on work orders keep their own copy of the items.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 429),
)
async def update_template(session: DbSession, scope: ManagerScope, id: IdPath, body: TemplateUpdateBody) -> Response:
    data = service.update_template(session, scope, id, body.procedure_template)
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete(
    "/procedure_templates/{id}",
    status_code=204,
    summary="Delete procedure template",
    description="Work orders keep the procedures made from it; their `procedure_template_id` becomes null.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_template(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_template(session, scope, id)
    return no_content()


@router.get(
    "/work_orders/{id}/procedures/{procedure_id}",
    response_model=Envelope[ProcedureDetail],
    summary="Get a work order's procedure with its answers",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_procedure(session: DbSession, scope: TechnicianScope, id: IdPath, procedure_id: IdPath) -> Response:
    return ok(service.get_procedure(session, scope, id, procedure_id), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/work_orders/{id}/procedures/{procedure_id}",
    response_model=Envelope[ProcedureDetail],
    summary="Record answers on a work order's procedure",
    description='`{"procedure": {"answers": [{"item_id", "value"}]}}`. Each value is checked against its '
    "item's type (null clears it). `completed_at` is set once every required item is answered.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 429),
)
async def record_answers(
    session: DbSession, scope: TechnicianScope, id: IdPath, procedure_id: IdPath, body: AnswersBody
) -> Response:
    data = service.record_answers(session, scope, id, procedure_id, body.procedure)
    return ok(data, base_meta(scope.entity, scope.customer))
