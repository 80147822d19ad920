"""The web app's part of create_app(): its pages at `/`, its static files, the sign-in throttle."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from wrenchwork.web import (
    api_keys,
    assets,
    my_work,
    parts,
    pm,
    portal,
    portal_admin,
    request_inbox,
    sign_in,
    users,
    work_order,
)
from wrenchwork.web.throttle import LoginThrottle

STATIC = Path(__file__).parent / "static"
# Pages link static files with `?v=<version>`: a new release is a new address, so browsers may keep them a day.
STATIC_MAX_AGE = 86400


class CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = f"public, max-age={STATIC_MAX_AGE}"
        return response


def install(app: FastAPI) -> None:
    app.state.login_throttle = LoginThrottle(app.state.settings)
    app.mount("/static", CachedStatic(directory=STATIC), name="static")
    pages = (sign_in, my_work, work_order, assets, parts, request_inbox, users, api_keys, pm, portal, portal_admin)
    for module in pages:
        app.include_router(module.router)
