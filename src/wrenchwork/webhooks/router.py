from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, DbSession
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath
from wrenchwork.webhooks import service
from wrenchwork.webhooks.listing import DELIVERY_LIST, WEBHOOK_LIST
from wrenchwork.webhooks.schemas import (
    DeliveryItem,
    WebhookCreateBody,
    WebhookItem,
    WebhookUpdateBody,
    WebhookWithSecret,
)

router = api_router(tags=["extension"])
ListParams = Annotated[ListQuery, Depends(list_params(WEBHOOK_LIST))]
DeliveryParams = Annotated[ListQuery, Depends(list_params(DELIVERY_LIST))]
READ = error_responses(400, 401, 403, 404, 422, 429)
WRITE = error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429)


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhook_allow_private)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=Envelope[WebhookWithSecret],
    summary="Create webhook",
    description="Admin only. `data.secret` signs the messages and is shown in this response only. The URL must "
    "not resolve to a loopback, private, link-local or metadata address (unless WRENCHWORK_WEBHOOK_ALLOW_PRIVATE).",
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
)
async def create_webhook(request: Request, session: DbSession, scope: AdminScope, body: WebhookCreateBody) -> Response:
    data = service.create_webhook(session, scope, body.webhook, _allow_private(request))
    return ok(data, base_meta(scope.entity, scope.customer), 201)


@router.get(
    "/webhooks",
    response_model=ListEnvelope[WebhookItem],
    summary="List webhooks",
    responses=error_responses(400, 401, 403, 422, 429),
    openapi_extra=list_openapi(WEBHOOK_LIST, "filter[enabled_eq]=true"),
)
async def list_webhooks(session: DbSession, scope: AdminScope, query: ListParams) -> Response:
    data, meta = service.list_webhooks(session, scope, query)
    return ok(data, meta)


@router.get("/webhooks/{id}", response_model=Envelope[WebhookItem], summary="Get webhook", responses=READ)
async def get_webhook(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    return ok(service.get_webhook(session, scope, id), base_meta(scope.entity, scope.customer))


@update_route(router, "/webhooks/{id}", response_model=Envelope[WebhookItem], summary="Update webhook", responses=WRITE)
async def update_webhook(
    request: Request, session: DbSession, scope: AdminScope, id: IdPath, body: WebhookUpdateBody
) -> Response:
    data = service.update_webhook(session, scope, id, body.webhook, _allow_private(request))
    return ok(data, base_meta(scope.entity, scope.customer))


@router.delete("/webhooks/{id}", status_code=204, summary="Delete webhook", responses=READ)
async def delete_webhook(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    service.delete_webhook(session, scope, id)
    return no_content()


@router.post(
    "/webhooks/{id}/rotate_secret",
    response_model=Envelope[WebhookWithSecret],
    summary="Rotate webhook secret",
    description="A new secret, shown once; for 24 hours messages carry signatures by both the old and the new one.",
    responses=READ,
)
async def rotate_secret(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    return ok(service.rotate_secret(session, scope, id), base_meta(scope.entity, scope.customer))


@router.get(
    "/webhooks/{id}/deliveries",
    response_model=ListEnvelope[DeliveryItem],
    summary="List webhook deliveries",
    description="The delivery log, newest first: each message's state, attempts, last status code, duration, "
    "error and the start of the receiver's answer.",
    responses=READ,
    openapi_extra=list_openapi(DELIVERY_LIST, "filter[status_eq]=failed"),
)
async def list_deliveries(session: DbSession, scope: AdminScope, id: IdPath, query: DeliveryParams) -> Response:
    data, meta = service.list_deliveries(session, scope, id, query)
    return ok(data, meta)


@router.post(
    "/webhooks/{id}/deliveries/{delivery_id}/retry",
    response_model=Envelope[DeliveryItem],
    summary="Retry webhook delivery",
    description="Due again at once (same webhook-id). 409 while the webhook is disabled.",
    responses=WRITE,
)
async def retry_delivery(session: DbSession, scope: AdminScope, id: IdPath, delivery_id: IdPath) -> Response:
    return ok(service.retry_delivery(session, scope, id, delivery_id), base_meta(scope.entity, scope.customer))


@router.post(
    "/webhooks/{id}/test",
    status_code=201,
    response_model=Envelope[DeliveryItem],
    summary="Send a test message",
    description="Queues a `webhook.ping` message; its delivery shows in the log. 409 while the webhook is disabled.",
    responses=WRITE,
)
async def send_test(session: DbSession, scope: AdminScope, id: IdPath) -> Response:
    return ok(service.send_test(session, scope, id), base_meta(scope.entity, scope.customer), 201)
