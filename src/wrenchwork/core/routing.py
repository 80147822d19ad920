"""Routes: each request owns its transaction, and the app matches a request against its resource's routes only.

The request owns the transaction: one session per request, committed once before the response is sent.

Handlers are `async def` and use the synchronous session directly. A request's database work therefore runs
to completion without yielding to the event loop, so two requests of one process never interleave inside a
transaction; several processes are kept apart by the database (row locks on PostgreSQL, BEGIN IMMEDIATE on
SQLite). A GET changes nothing and gets a read session (core/db.py): on SQLite a snapshot that waits for no
writer.

A write runs, handler and commit, on a writer loop: an event loop of its own thread (`Loops`). The server's
loop keeps answering reads meanwhile, so a GET waits for no write's Python work nor its fsync, only for its share
of the interpreter. SQLite has one writer loop per process (its writes are serialized by the database anyway);
PostgreSQL a few, so that one write's commit does not hold up the next. On SQLite the writes that queue up meanwhile
share one commit (core/group_commit.py). A write whose body is streamed (a multipart upload) stays on the server's
loop, where its body arrives, and commits there; every op of a batch runs where its batch runs. A read runs on the
server's loop; on PostgreSQL in a way that lets the loop run other requests while the read waits for the database
(`read`, core/loop_reads.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import os
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.util.concurrency import in_greenlet
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from wrenchwork.core import loop_reads
from wrenchwork.core.direct import direct_call
from wrenchwork.core.errors import Unprocessable, UnsupportedMediaType
from wrenchwork.core.group_commit import CommitGroup

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
        # A body is taken directly only where `_require_json` below has seen it declared JSON.
        json_checked = set(self.methods or ()) <= {"POST", "PUT", "PATCH"}
        direct = direct_call(self.dependant) if not takes_json or json_checked else None
        alone = getattr(self.endpoint, "commits_alone", False)

        async def run(request: Request) -> Response:
            async def answer(_session: Session) -> Response:
                if direct is not None and (response := await direct(request)) is not None:
                    return response
                return await handler(request)

            if known:
                _refuse_unknown_query(request, known)
            if takes_json and request.method in ("POST", "PUT", "PATCH"):
                await _require_json(request)
            shared = request.scope.get("state", {}).get(SHARED_SESSION)
            if shared is not None:
                request.state.session = shared
                return await handler(request)
            if request.method == "GET":  # changes nothing: a read transaction, which waits for no writer
                reads = request.app.state.read_sessionmaker

                async def reading() -> Response:
                    # The session is taken when the read begins, not when it waits for its turn.
                    return await transaction(request, reads(), answer, self.path)

                try:
                    return await read(request, reading)
                except DBAPIError as exc:
                    if not exc.connection_invalidated:
                        raise
                    # Its connection was found broken, and the pool has replaced them all (core/db.py): a read
                    # changed nothing, so it is simply tried again, once.
                    return await read(request, reading)
            return await write(request, answer, self.path, alone)

        return run


async def transaction(
    request: Request,
    session: Session,
    answer: Callable[[Session], Coroutine[Any, Any, Response]],
    path: str | None = None,
) -> Response:
    """The request's one transaction (an API operation's or a web page's): `answer(session)` is committed when it
    answers below 400, else rolled back; `path` names the route for whatever reuses the answer at commit (ANSWER).
    A read session's transaction (core/db.py) is simply ended by `close`, whatever the answer: it wrote nothing.
    (On SQLite, committing it would only add the commit's round of session, connection and pool bookkeeping to
    every GET, a tenth of a detail; a PostgreSQL read session's `close` commits, which keeps its plans.)"""
    request.state.session = session
    try:
        response = await answer(session)
        if session.info.get("read"):
            return response  # wrote nothing: `close` below ends it
        if response.status_code < 400:
            if path is not None:
                session.info[ANSWER] = (path, response)
            session.commit()
        else:
            session.rollback()
        return response
    except BaseException:
        if not session.info.get("read"):
            session.rollback()
        raise
    finally:
        session.close()


T = TypeVar("T")


class Loops:
    """Event loops in threads of their own: a process's writer loops (see the module's docstring)."""

    def __init__(self, count: int, kind: str = "writer") -> None:
        self.loops = [asyncio.new_event_loop() for _ in range(count)]
        self._next = itertools.cycle(self.loops)
        for n, loop in enumerate(self.loops):
            threading.Thread(target=loop.run_forever, name=f"wrenchwork-{kind}-{n}", daemon=True).start()

    def owns_running_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() in self.loops
        except RuntimeError:
            return False

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """`work()` on the next writer loop, in the caller's context (its request id). A caller cancelled
        meanwhile (its client went away) does not cancel the write: it runs to its end, commit or rollback."""
        done: Future[T] = Future()
        context = contextvars.copy_context()
        loop = next(self._next)

        def start() -> None:
            task = context.run(loop.create_task, work())
            task.add_done_callback(lambda t: _settle(done, t))

        loop.call_soon_threadsafe(start)
        return await asyncio.shield(asyncio.wrap_future(done))


def _settle(done: Future[T], task: asyncio.Task[T]) -> None:
    if task.cancelled():
        done.cancel()
    elif (exc := task.exception()) is not None:
        done.set_exception(exc)
    else:
        done.set_result(task.result())


_loops: dict[tuple[int, str, str], Loops] = {}
_loops_lock = threading.Lock()


def _loops_for(kind: str, dialect: str, count: int) -> Loops:
    """This process's loops of a kind (made at first use, so a forked worker makes its own)."""
    key = (os.getpid(), kind, dialect)
    with _loops_lock:
        found = _loops.get(key)
        if found is None:
            found = _loops[key] = Loops(count, kind)
        return found


def writers_for(dialect: str) -> Loops:
    return _loops_for("writer", dialect, 1 if dialect == "sqlite" else 4)


async def read(request: Request, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`work()`, a read request's transaction, on this loop: on PostgreSQL (psycopg) as core/loop_reads.py runs it,
    so that the loop runs other requests while it waits for the database; on SQLite, which works in-process, right
    here."""
    if request.app.state.engine.dialect.driver == "psycopg" and not in_greenlet():
        return await loop_reads.run(work)
    return await work()


async def write(
    request: Request,
    answer: Callable[[Session], Coroutine[Any, Any, Response]],
    path: str | None = None,
    alone: bool = False,
) -> Response:
    """A write request's transaction (see `transaction`), on a writer loop, and on SQLite in a commit group
    (core/group_commit.py) unless `alone`. Where its body streams in on this loop (a multipart upload), right here;
    where it is made by a write already on a writer loop (an op of a batch), right there."""
    state = request.app.state
    group: CommitGroup | None = state.commit_group
    writers = writers_for(state.engine.dialect.name)
    if writers.owns_running_loop():
        session = group.nested_session() if group is not None else state.sessionmaker()
        return await transaction(request, session, answer, path)
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return await transaction(request, state.sessionmaker(), answer, path)
    if group is None:
        return await writers.run(lambda: transaction(request, state.sessionmaker(), answer, path))
    group.expect()
    return await writers.run(lambda: group.write(lambda session: transaction(request, session, answer, path), alone))


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
