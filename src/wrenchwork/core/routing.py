"""The request owns the transaction: one session per request, committed once before the response is sent.

Handlers are `async def` and use the synchronous session directly. A request's database work therefore runs
to completion without yielding to the event loop, so two requests of one process never interleave inside a
transaction; several processes are kept apart by the database (row locks on PostgreSQL, BEGIN IMMEDIATE on
SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from wrenchwork.core.errors import UnsupportedMediaType

# Every resource route lives under this prefix.
API_PREFIX = "/api/v1"

# Set in the ASGI scope state by an atomic batch: every op then works in this one session, and the batch
# commits or rolls back at the end.
SHARED_SESSION = "wrenchwork.shared_session"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None

        async def run(request: Request) -> Response:
            if takes_json and request.method in ("POST", "PUT", "PATCH"):
                content_type = request.headers.get("content-type")
                if content_type is not None and not _is_json(content_type):
                    raise UnsupportedMediaType()
            shared = request.scope.get("state", {}).get(SHARED_SESSION)
            session = shared if shared is not None else request.app.state.sessionmaker()
            request.state.session = session
            if shared is not None:
                return await handler(request)
            try:
                response = await handler(request)
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
                return response
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

        return run


def api_router(**kwargs: Any) -> APIRouter:
    """A resource's router: its paths carry the API prefix already, so the app takes its routes as they are
    (see wrenchwork.api) instead of nesting routers, which FastAPI re-walks on every request."""
    return APIRouter(prefix=API_PREFIX, route_class=TransactionalRoute, **kwargs)


def update_route(router: APIRouter, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """PATCH, with PUT accepted as the same update (documented once, under PATCH)."""

    def decorate(endpoint: Callable[..., Any]) -> Any:
        router.put(path, include_in_schema=False, **kwargs)(endpoint)
        return router.patch(path, **kwargs)(endpoint)

    return decorate
