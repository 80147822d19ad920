"""`GET /<list>` with `Accept: text/csv` (or the XLSX media type) is answered as `GET /<list>.csv` (`.xlsx`).

The path is rewritten before routing, so the export route answers with its own scope, parameters and errors:
there is no second way to export. JSON stays the default: an Accept naming JSON (or `*/*`) before a spreadsheet
type, or naming none of them, leaves the request alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from wrenchwork.core.routing import API_PREFIX
from wrenchwork.exports.columns import EXPORTS
from wrenchwork.exports.router import FORMATS

# media type -> file extension; JSON's own types end the search
_BY_MEDIA = {media.split(";")[0]: extension for extension, (media, _chunks) in FORMATS.items()}
_JSON = frozenset({"application/json", "*/*", "application/*"})
_LISTS = frozenset(f"{API_PREFIX}/{resource}" for resource in EXPORTS)


def wanted_extension(accept: str) -> str | None:
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _JSON:
            return None
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
    return None


class ExportByAccept:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].rstrip("/") in _LISTS:
            accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")
            extension = wanted_extension(accept) if accept else None
            if extension is not None:
                path = f"{scope['path'].rstrip('/')}.{extension}"
                scope = dict(scope, path=path, raw_path=path.encode())
        await self.app(scope, receive, send)
