from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.qr_api import add_qr_routes
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.parts import service, transactions
from wrenchwork.parts.listing import PART_LIST, TRANSACTION_LIST
from wrenchwork.parts.repository import PartRepository
from wrenchwork.parts.schemas import (
    CostChange,
    PartCreateBody,
    PartDetail,
    PartListItem,
    PartUpdateBody,
    Reconcile,
    Restock,
    TransactionItem,
)

router = api_router(tags=["parts"])
ListParams = Annotated[ListQuery, Depends(list_params(PART_LIST))]
TransactionParams = Annotated[ListQuery, Depends(list_params(TRANSACTION_LIST))]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 413, 415, 422, 429)


@router.post(
    "/parts",
    status_code=201,
    response_model=Envelope[PartDetail],
    summary="Create part",
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
)
async def create_part(session: DbSession, scope: ManagerScope, body: PartCreateBody) -> Response:
    return ok(service.create_part(session, scope, body.part), base_meta(scope.entity, scope.customer), 201)


@router.get(
    "/parts",
    response_model=ListEnvelope[PartListItem],
    summary="List parts",
    description="`filter[low_stock_eq]=true` lists the stocked parts at or below their `min_qty` (extension).",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(PART_LIST),
)
async def list_parts(session: DbSession, scope: AnyScope, query: ListParams) -> Response:
    data, total = service.list_parts(session, scope, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.get(
    "/parts/{id}",
    response_model=Envelope[PartDetail],
    summary="Get part",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_part(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
    return ok(service.get_part(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/parts/{id}",
    response_model=Envelope[PartDetail],
    summary="Update part",
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
async def update_part(session: DbSession, scope: ManagerScope, id: IdPath, body: PartUpdateBody) -> Response:
    return ok(service.update_part(session, scope, id, body.part), base_meta(scope.entity, scope.customer))


@router.delete(
    "/parts/{id}",
    status_code=204,
    summary="Delete part",
    description="409 while the part is assigned to work orders; otherwise its ledger goes with it.",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
)
async def delete_part(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
    service.delete_part(session, scope, id)
    return no_content()


@update_route(
    router,
    "/parts/{id}/restock",
    response_model=Envelope[PartDetail],
    summary="Restock part",
    description="Adds `quantity` at unit `cost`: one `restock` transaction; avg_unit_cost is re-weighted.",
    responses=WRITE_ERRORS,
)
async def restock_part(session: DbSession, scope: TechnicianScope, id: IdPath, body: Restock) -> Response:
    return ok(service.restock(session, scope, id, body), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/parts/{id}/reconcile",
    response_model=Envelope[PartDetail],
    summary="Reconcile part",
    description="A counted +/- correction with a required note: one `reconcile` transaction. on_hand_qty cannot "
    "become negative.",
    responses=WRITE_ERRORS,
)
async def reconcile_part(session: DbSession, scope: TechnicianScope, id: IdPath, body: Reconcile) -> Response:
    return ok(service.reconcile(session, scope, id, body), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/parts/{id}/unit_cost",
    response_model=Envelope[PartDetail],
    summary="Update part unit cost",
    description="Sets the new unit_cost for the Part by creating a cost_update transaction.",
    responses=WRITE_ERRORS,
)
async def update_unit_cost(session: DbSession, scope: ManagerScope, id: IdPath, body: CostChange) -> Response:
    return ok(service.set_unit_cost(session, scope, id, body), base_meta(scope.entity, scope.customer))


@update_route(
    router,
    "/parts/{id}/avg_unit_cost",
    response_model=Envelope[PartDetail],
    summary="Update part average cost",
    description="Sets the new avg_unit_cost for the Part by creating an avg_cost_update transaction.",
    responses=WRITE_ERRORS,
)
async def update_avg_unit_cost(session: DbSession, scope: ManagerScope, id: IdPath, body: CostChange) -> Response:
    return ok(service.set_avg_unit_cost(session, scope, id, body), base_meta(scope.entity, scope.customer))


@router.get(
    "/parts/{id}/transactions",
    response_model=ListEnvelope[TransactionItem],
    summary="List part transactions",
    description="`meta.total_used`: usage minus usage_return quantities over the whole filtered set.",
    responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=list_openapi(TRANSACTION_LIST, "filter[note_cont]=invoice"),
)
async def list_transactions(
    session: DbSession, scope: TechnicianScope, id: IdPath, query: TransactionParams
) -> Response:
    data, total, used = transactions.list_transactions(session, scope, id, query)
    meta = base_meta(scope.entity, scope.customer) | query.meta(total) | {"total_used": used}
    return ok(data, meta)


@router.get(
    "/parts/{id}/transactions/{transaction_id}",
    response_model=Envelope[TransactionItem],
    summary="Get part transaction",
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def get_transaction(session: DbSession, scope: TechnicianScope, id: IdPath, transaction_id: IdPath) -> Response:
    data = transactions.get_transaction(session, scope, id, transaction_id)
    return ok(data, base_meta(scope.entity, scope.customer))


add_qr_routes(router, "/parts", "Part", PartRepository)
