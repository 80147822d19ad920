"""Serving attachments at their documented URLs, without an API key: browsers load them from `<img src>`.

The URL's random token is the credential (each file and each variant has its own; compared in constant time).
A plain Starlette route, not an API operation: no envelope, no entity header, no session or transaction, just one
primary-key read on a driver connection (files/repository.py `served` says why) and the file, streamed by the
storage (files/storage.py: local files through `FileResponse`, S3 objects through the server), ranges included.
"""

from __future__ import annotations

import hmac

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from wrenchwork.config import Settings
from wrenchwork.core import clock
from wrenchwork.core.envelope import error
from wrenchwork.core.routing import API_PREFIX
from wrenchwork.files import lifecycle
from wrenchwork.files.repository import served, unlinked_expired
from wrenchwork.files.storage import Storage, content_disposition, storage_for
from wrenchwork.files.urls import VARIANTS

# A multipart body carries its file and a few hundred bytes of part headers and boundaries around it.
UPLOAD_OVERHEAD_BYTES = 64 * 1024
_MAX_ID = 2_147_483_647
# Revalidated on every use (a 304 costs little), so a deleted file stops being shown at once, caches included.
CACHE_CONTROL = "private, no-cache"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": CACHE_CONTROL,
}


def files_storage(engine: Engine, settings: Settings) -> Storage:
    """The app's file store, known to its sessions (files/lifecycle.py)."""
    storage = storage_for(settings.data_dir, settings.storage_url)
    lifecycle.register(engine, storage)
    return storage


def _not_found() -> Response:
    return error(404, "Attachment not found")


async def serve(request: Request) -> Response:
    kind = request.path_params["kind"]
    raw_id = request.path_params["id"]
    stem, dot, extension = request.path_params["filename"].rpartition(".")
    if kind not in ("image", "document") or not (raw_id.isascii() and raw_id.isdigit()) or not dot:
        return _not_found()
    if int(raw_id) > _MAX_ID:
        return _not_found()
    row = served(request.app.state.engine, int(raw_id))
    if row is None or row.kind != kind or row.extension != extension:
        return _not_found()
    if not row.linked:
        with request.app.state.sessionmaker() as session:
            if unlinked_expired(session, row.id, clock.now()):
                return _not_found()
    variant = _variant(row, stem)
    if variant is None:
        return _not_found()
    etag = f'"{row.storage_key}-{variant}"'
    headers = {**SECURITY_HEADERS, "etag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    download = kind == "document" or request.query_params.get("download") == "1"
    headers["content-disposition"] = content_disposition("attachment" if download else "inline", row.name)
    storage: Storage = request.app.state.storage
    response = await storage.response(row.storage_key, f"{variant}.{extension}", row.content_type, headers, request)
    return response or _not_found()


def _variant(row: object, stem: str) -> str | None:
    """Which file of the attachment `stem` names with the right token: `original`, a variant, or none."""
    if hmac.compare_digest(stem.encode(), getattr(row, "token").encode()):  # noqa: B009
        return "original"
    for variant in VARIANTS:
        token = getattr(row, f"{variant}_token")
        prefix = f"{variant}-"
        if token and stem.startswith(prefix) and hmac.compare_digest(stem[len(prefix) :].encode(), token.encode()):
            return variant
    return None


class _StoreRoute(Route):
    """Puts itself in the scope as FastAPI's routes do, which the route groups rely on (core/routing.py)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE:
            child["route"] = self
        return match, child


STORE_ROUTE = _StoreRoute(
    f"{API_PREFIX}/store/attachments/{{kind}}/{{id}}/upload/{{filename}}",
    serve,
    methods=["GET", "HEAD"],
    name="serve_attachment",
)
