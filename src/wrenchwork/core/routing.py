"""Routes: each request owns its transaction, and the app matches a request against its resource's routes only.

The request owns the transaction: one session per request, committed once before the response is sent.

Handlers are `async def` and use the synchronous session directly. A request's database work therefore runs
to completion without yielding to the event loop, so two requests of one process never interleave inside a
transaction; several processes are kept apart by the database (row locks on PostgreSQL, BEGIN IMMEDIATE on
SQLite). A GET changes nothing and gets a read session (core/db.py): on SQLite a snapshot that waits for no
writer.

A write commits in a thread (`_commit_off_loop`), not on the event loop: a synced commit takes milliseconds, and
the process answers other requests meanwhile, so reads do not queue behind the writes' fsyncs. Its response is
sent only once the commit has returned. The handler itself still runs on the loop from start to end; the next
write's first statement may wait there for a commit under way (SQLite's write lock, or a row lock on
PostgreSQL), which ends without the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from wrenchwork.core.errors import Unprocessable, UnsupportedMediaType

# Every resource route lives under this prefix.
API_PREFIX = "/api/v1"

# Set in the ASGI scope state by an atomic batch: every op then works in this one session, and the batch
# commits or rolls back at the end.
SHARED_SESSION = "wrenchwork.shared_session"
# Put in `session.info` just before the commit: (route path, response). What a request answered, for whatever
# runs at commit and may reuse it (the event outbox, events/outbox.py, takes a record's detail from it).
ANSWER = "wrenchwork.answer"


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def _require_json(request: Request) -> None:
    """415 for a body that is not declared JSON. A body without any Content-Type is refused too (the framework
    would otherwise not parse it and answer a puzzling 422); no body and no Content-Type is left to the route
    (a required body is then 422 `body is required`, an optional one is simply absent)."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        if await request.body():  # buffered by the RequestBody middleware, cached for the handler
            raise UnsupportedMediaType()
    elif not is_json(content_type):
        raise UnsupportedMediaType()


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _refuse_unknown_query(request: Request, known: frozenset[str]) -> None:
    unknown = sorted({key for key in request.query_params if key not in known})
    if unknown:
        raise Unprocessable(
            f"{unknown[0]} is not a known parameter", {key: ["is not a known parameter"] for key in unknown}
        )


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None
        # An operation that declares its query parameters refuses any other, as lists do (they check their own).
        known = frozenset(_query_names(self.dependant))

        async def run(request: Request) -> Response:
            if known:
                _refuse_unknown_query(request, known)
            if takes_json and request.method in ("POST", "PUT", "PATCH"):
                await _require_json(request)
            shared = request.scope.get("state", {}).get(SHARED_SESSION)
            if shared is not None:
                session = shared
            elif request.method == "GET":  # changes nothing: a read transaction, which waits for no writer
                session = request.app.state.read_sessionmaker()
            else:
                session = request.app.state.sessionmaker()
            request.state.session = session
            if shared is not None:
                return await handler(request)
            writes = not session.info.get("read")
            try:
                response = await handler(request)
                if response.status_code < 400:
                    session.info[ANSWER] = (self.path, response)
                    if writes:
                        await _commit_off_loop(session)
                    else:
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


# The threads writes commit in. A commit is handed over at once (`executor.submit`): a thread pool reached
# through an await (anyio's) would let the loop run another write's handler first, which would then wait, on
# the loop, for the write lock this commit is about to release.
_COMMITS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="wrenchwork-commit")


async def _commit_off_loop(session: Session) -> None:
    """Commit in a thread while the loop answers other requests; return once it is durable. A request cancelled
    meanwhile (its client went away) still lets the commit finish before the session is touched again."""
    committed = _COMMITS.submit(session.commit)
    try:
        await asyncio.shield(asyncio.wrap_future(committed))
    except asyncio.CancelledError:
        committed.result()
        raise


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


class RouteGroup(BaseRoute):
    """The routes under one path prefix (`/api/v1/work_orders`), tried only for paths under it.

    The app's router tries each route's pattern in turn until one matches: with every resource's routes side by
    side that was a fifth of a small request's time. Grouped by resource, a request tests one prefix per resource
    and then only its own resource's routes, in their order. Matching is otherwise unchanged: a group answers
    with its first full match, else its first partial one (wrong method: 405)."""

    def __init__(self, prefix: str, routes: list[BaseRoute]) -> None:
        self.prefix = prefix
        self.routes = routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if not path.startswith(self.prefix) or path[len(self.prefix) : len(self.prefix) + 1] not in ("", "/"):
            return Match.NONE, {}
        partial: Scope | None = None
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, child_scope
            if match is Match.PARTIAL and partial is None:
                partial = child_scope
        return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["route"].handle(scope, receive, send)  # the matched route put itself in the scope

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


def grouped(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """`routes` with those of each resource (the first path segment under the API prefix) in one `RouteGroup`,
    groups in the order their first route came."""
    groups: dict[str, list[BaseRoute]] = {}
    for route in routes:
        path = getattr(route, "path", "")
        segment = path.removeprefix(f"{API_PREFIX}/").split("/", 1)[0]
        if not path.startswith(f"{API_PREFIX}/") or "{" in segment:
            raise ValueError(f"{path!r} is not under a fixed resource segment of {API_PREFIX}")
        groups.setdefault(segment, []).append(route)
    return [RouteGroup(f"{API_PREFIX}/{segment}", members) for segment, members in groups.items()]


def flat_routes(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """Every route, with each group's routes in its place (as the OpenAPI document lists them)."""
    return [member for route in routes for member in (route.routes if isinstance(route, RouteGroup) else [route])]
