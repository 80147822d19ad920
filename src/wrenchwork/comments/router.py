"""Extension endpoints: `/work_orders/{id}/comments` and `/work_order_requests/{id}/comments`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from starlette.responses import Response

from wrenchwork.comments import service
from wrenchwork.comments.listing import COMMENT_LIST
from wrenchwork.comments.schemas import CommentCreateBody, CommentItem
from wrenchwork.core.auth import AnyScope, DbSession, TechnicianScope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router
from wrenchwork.core.schemas import IdPath

router = api_router(tags=["extension"])
ListParams = Annotated[ListQuery, Depends(list_params(COMMENT_LIST))]
LIST: dict[str, Any] = {
    "response_model": ListEnvelope[CommentItem],
    "responses": error_responses(400, 401, 403, 404, 422, 429),
    "openapi_extra": list_openapi(COMMENT_LIST, "filter[body_cont]=leak"),
}
ADD: dict[str, Any] = {
    "status_code": 201,
    "response_model": Envelope[CommentItem],
    "responses": error_responses(400, 401, 403, 404, 413, 415, 422, 429),
}
DELETE: dict[str, Any] = {
    "status_code": 204,
    "description": "The author, an admin or a limited admin may delete a comment.",
    "responses": error_responses(400, 401, 403, 404, 422, 429),
}


@router.get("/work_orders/{id}/comments", summary="List a work order's comments", **LIST)
async def list_work_order_comments(
    session: DbSession, scope: TechnicianScope, id: IdPath, query: ListParams
) -> Response:
    data, total = service.list_comments(session, scope, "work_order", id, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.post("/work_orders/{id}/comments", summary="Comment on a work order", **ADD)
async def add_work_order_comment(
    session: DbSession, scope: TechnicianScope, id: IdPath, body: CommentCreateBody
) -> Response:
    data = service.add_comment(session, scope, "work_order", id, body.comment.body)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.delete("/work_orders/{id}/comments/{comment_id}", summary="Delete a work order comment", **DELETE)
async def delete_work_order_comment(
    session: DbSession, scope: TechnicianScope, id: IdPath, comment_id: IdPath
) -> Response:
    service.delete_comment(session, scope, "work_order", id, comment_id)
    return no_content()


@router.get("/work_order_requests/{id}/comments", summary="List a request's comments", **LIST)
async def list_request_comments(session: DbSession, scope: AnyScope, id: IdPath, query: ListParams) -> Response:
    data, total = service.list_comments(session, scope, "request", id, query)
    return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))


@router.post("/work_order_requests/{id}/comments", summary="Comment on a request", **ADD)
async def add_request_comment(session: DbSession, scope: AnyScope, id: IdPath, body: CommentCreateBody) -> Response:
    data = service.add_comment(session, scope, "request", id, body.comment.body)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.delete("/work_order_requests/{id}/comments/{comment_id}", summary="Delete a request comment", **DELETE)
async def delete_request_comment(session: DbSession, scope: AnyScope, id: IdPath, comment_id: IdPath) -> Response:
    service.delete_comment(session, scope, "request", id, comment_id)
    return no_content()
