"""The plain static-file server the attachment serving is compared with: Starlette's FileResponse of one file
(`STATIC_FILE`), nothing else. Served by uvicorn like the API (bench/files.py)."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

PATH = os.environ.get("STATIC_FILE", "")


async def static(request: Request) -> FileResponse:
    return FileResponse(PATH, media_type="image/jpeg")


app = Starlette(routes=[Route("/file.jpg", static)])
