"""`GET /<resource>/{id}/qr_code.svg|png` for every resource that carries a QR code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from wrenchwork.core import qr
from wrenchwork.core.auth import AnyScope, DbSession, Scope
from wrenchwork.core.envelope import error_responses
from wrenchwork.core.errors import NotFound
from wrenchwork.core.repository import Repository
from wrenchwork.core.schemas import IdPath


def scan_url(request: Request, app_page: str, value: str) -> str:
    """The web app's page for a scanned code: the `public_url` setting (else this request's address) + path."""
    base: str = request.app.state.settings.public_url or str(request.base_url)
    return base.rstrip("/") + app_page + quote(value, safe="")


FORMATS = {"svg": ("image/svg+xml", qr.svg), "png": ("image/png", qr.png)}


def add_qr_routes(
    router: APIRouter,
    path: str,
    title: str,
    repository: Callable[[Session, Scope], Repository[Any]],
    app_page: str | None = None,
) -> None:
    """With `app_page` (a path of the web app, e.g. `/assets/qr/`), the image encodes the address of that page
    followed by the code, so a phone's camera opens the record in the web app; the record's `qr_code` stays the
    value itself."""
    for extension, (media_type, render) in FORMATS.items():

        def endpoint_for(media_type: str = media_type, render: Callable[[str], bytes] = render) -> Any:
            async def qr_image(request: Request, session: DbSession, scope: AnyScope, id: IdPath) -> Response:
                record = repository(session, scope).get(id)
                if record is None:
                    raise NotFound.of(title)
                if not record.qr_code:
                    raise NotFound(f"{title} has no QR code")
                content = record.qr_code if app_page is None else scan_url(request, app_page, record.qr_code)
                return Response(render(content), media_type=media_type)

            return qr_image

        router.add_api_route(
            f"{path}/{{id}}/qr_code.{extension}",
            endpoint_for(),
            methods=["GET"],
            summary=f"{title} QR code as {extension.upper()}",
            tags=["extension"],
            operation_id=f"{title.lower().replace(' ', '_')}_qr_code_{extension}",
            responses={200: {"content": {media_type: {}}}, **error_responses(400, 401, 403, 404, 422, 429)},
            response_class=Response,
        )
