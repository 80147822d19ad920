"""Attachment routes of every record of files/owners.py, made from that table (one route set, not one per resource).

This module does not use postponed annotations: the routes are made in a loop, and the framework reads each
endpoint's scope dependency from its annotations, which are the loop's values.
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from wrenchwork.core.auth import AdminScope, AnyScope, DbSession, ManagerScope, TechnicianScope
from wrenchwork.core.envelope import Envelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.routing import api_router
from wrenchwork.core.schemas import IdPath
from wrenchwork.files import service
from wrenchwork.files.owners import OWNERS
from wrenchwork.files.schemas import MULTIPART_BODY, AttachmentShown, Usage
from wrenchwork.files.serving import STORE_ROUTE

router: APIRouter = api_router(tags=["attachments"])

# Who may add and remove files of a record: whoever may change the record.
_SCOPES: dict[str, Any] = {
    "assets": ManagerScope,
    "locations": ManagerScope,
    "parts": ManagerScope,
    "vendors": ManagerScope,
    "pm_schedules": ManagerScope,
    "work_orders": TechnicianScope,
    "work_order_requests": AnyScope,
    "users": AdminScope,
}
_UPLOAD_ERRORS = error_responses(400, 401, 403, 404, 413, 415, 422, 429)


def _routes(owner_type: str, path: str, label: str, scope_type: Any) -> None:
    noun = "avatar" if owner_type == "users" else "file"

    async def upload(request: Request, session: DbSession, scope: scope_type, id: IdPath) -> Response:
        data = await service.upload(request, session, scope, owner_type, id)
        return ok(data, base_meta(scope.entity, scope.customer), status_code=201)

    async def delete(session: DbSession, scope: scope_type, id: IdPath, attachment_id: IdPath) -> Response:
        service.delete(session, scope, owner_type, id, attachment_id)
        return no_content()

    router.post(
        f"{path}/{{id}}/attachments",
        status_code=201,
        response_model=Envelope[AttachmentShown],
        summary=f"Upload a {noun} of a {label.lower()}",
        description="`multipart/form-data` with one `file` part and an optional `name` (docs/api.md, Files).",
        tags=["extension"],
        name=f"upload_{owner_type}_attachment",
        operation_id=f"upload_{owner_type}_attachment",
        responses=_UPLOAD_ERRORS,
        openapi_extra=MULTIPART_BODY,
    )(upload)
    router.delete(
        f"{path}/{{id}}/attachments/{{attachment_id}}",
        status_code=204,
        summary=f"Delete a {noun} of a {label.lower()}",
        tags=["extension"],
        name=f"delete_{owner_type}_attachment",
        operation_id=f"delete_{owner_type}_attachment",
        responses=error_responses(400, 401, 403, 404, 422, 429),
    )(delete)


@router.post(
    "/procedure_templates/{id}/items/{item_id}/attachments",
    status_code=201,
    response_model=Envelope[AttachmentShown],
    summary="Upload a file of a procedure template's item",
    description="`multipart/form-data` with one `file` part and an optional `name` (docs/api.md, Files).",
    tags=["extension"],
    responses=_UPLOAD_ERRORS,
    openapi_extra=MULTIPART_BODY,
)
async def upload_procedure_item_attachment(
    request: Request, session: DbSession, scope: ManagerScope, id: IdPath, item_id: IdPath
) -> Response:
    service.check_template_item(session, scope, id, item_id)
    data = await service.upload(request, session, scope, "procedure_items", item_id)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.delete(
    "/procedure_templates/{id}/items/{item_id}/attachments/{attachment_id}",
    status_code=204,
    summary="Delete a file of a procedure template's item",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def delete_procedure_item_attachment(
    session: DbSession, scope: ManagerScope, id: IdPath, item_id: IdPath, attachment_id: IdPath
) -> Response:
    service.check_template_item(session, scope, id, item_id)
    service.delete(session, scope, "procedure_items", item_id, attachment_id)
    return no_content()


for _owner in OWNERS.values():
    if _owner.path is not None:
        _routes(_owner.owner_type, _owner.path, _owner.label, _SCOPES[_owner.owner_type])


@router.post(
    "/attachments",
    status_code=201,
    response_model=Envelope[AttachmentShown],
    summary="Upload a file to link later",
    description="For the part actions' and procedure answers' `attachment_ids`; removed after a day unless linked.",
    tags=["extension"],
    responses=_UPLOAD_ERRORS,
    openapi_extra=MULTIPART_BODY,
)
async def upload_unlinked(request: Request, session: DbSession, scope: TechnicianScope) -> Response:
    data = await service.upload(request, session, scope, None, None)
    return ok(data, base_meta(scope.entity, scope.customer), status_code=201)


@router.get(
    "/attachments/usage",
    response_model=Envelope[Usage],
    summary="Storage used by the entity's files",
    tags=["extension"],
    responses=error_responses(400, 401, 403, 429),
)
async def attachment_usage(session: DbSession, scope: AdminScope) -> Response:
    return ok(service.usage(session, scope), base_meta(scope.entity, scope.customer))


router.routes.append(STORE_ROUTE)
