"""Liveness and readiness, without authentication, outside the rate limit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import Response

from wrenchwork.core.envelope import JSONBytes

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> Response:
    return JSONBytes({"status": "ok"})


@router.get("/readyz", summary="Readiness: the database answers")
async def readyz(request: Request) -> Response:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return JSONBytes({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONBytes({"status": "ok", "database": "ok"})
