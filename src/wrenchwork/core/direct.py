"""GETs called without FastAPI's dependency solving, where the answer is bound to be the same.

Why: FastAPI prepares and solves every operation's parameters per request (its handler reads the endpoint's
context, looks for a body, walks the dependency tree, validates each parameter through Pydantic, collects the
errors). For a GET whose parameters are plain ids in the path and dependencies that read the request themselves
(the session, the caller's scope, a list's query), that was about a tenth of a detail request. Such an operation
(`direct_call`) is called directly: each dependency in the order FastAPI solves them, then the endpoint.

Only what FastAPI would answer the same is taken this way: every path id written as plain digits without a leading
zero, in the range the route declares; anything else (a malformed or out-of-range id, which FastAPI answers with
its 422 after the dependencies ran) goes through FastAPI's own handler. An operation qualifies only if it is an
`async def` returning a `Response`, without query, header, cookie or body parameters of its own, and every
dependency is an `async` callable of the request alone (core/auth.py, core/list_api.py).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any

from annotated_types import Ge, Le
from fastapi.dependencies.models import Dependant
from starlette.requests import Request
from starlette.responses import Response

Direct = Callable[[Request], Coroutine[Any, Any, Response | None]]


def _id_range(field: Any) -> tuple[int, int] | None:
    """(lowest, highest) of a path parameter declared as an int with both bounds, else None."""
    if field.field_info.annotation is not int:
        return None
    low = next((m.ge for m in field.field_info.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in field.field_info.metadata if isinstance(m, Le)), None)
    return (low, high) if isinstance(low, int) and isinstance(high, int) else None


def _no_parameters(dependant: Dependant) -> bool:
    """Takes nothing FastAPI would read or validate for it (path and request parameters aside)."""
    return not (
        dependant.query_params or dependant.header_params or dependant.cookie_params
        or dependant.body_params or dependant.websocket_param_name or dependant.http_connection_param_name
        or dependant.response_param_name or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    )  # fmt: skip


def _by_request_alone(dependant: Dependant) -> bool:
    call = dependant.call
    function = call if inspect.isfunction(call) else getattr(call, "__call__", None)  # noqa: B004
    return (
        inspect.iscoroutinefunction(function)
        and dependant.request_param_name is not None
        and _no_parameters(dependant)
        and not dependant.path_params
        and not dependant.dependencies
    )


def _returns_response(call: Callable[..., Any]) -> bool:
    try:
        returned = typing.get_type_hints(call).get("return")
    except Exception:  # an annotation that does not resolve: leave it to FastAPI
        return False
    return isinstance(returned, type) and issubclass(returned, Response)


def direct_call(dependant: Dependant) -> Direct | None:
    """The direct call of a qualifying operation (see the module's text), else None. It answers None, having
    called nothing, when a path id is not written plainly in range: FastAPI's handler then takes the request."""
    call = dependant.call
    if call is None or not inspect.iscoroutinefunction(call) or not _returns_response(call):
        return None
    if dependant.request_param_name or not _no_parameters(dependant):
        return None
    subs = dependant.dependencies
    # FastAPI calls a dependency used twice once: not taken here.
    if not all(_by_request_alone(sub) for sub in subs) or len({id(sub.call) for sub in subs}) != len(subs):
        return None
    ids: list[tuple[str, str, int, int]] = []
    for field in dependant.path_params:
        bounds = _id_range(field)
        if bounds is None:
            return None
        ids.append((field.name, field.alias, *bounds))
    dependencies = [(sub.name or "", sub.call) for sub in subs]
    endpoint = call

    async def direct(request: Request) -> Response | None:
        values: dict[str, Any] = {}
        path = request.path_params
        for name, alias, low, high in ids:
            raw = path.get(alias)
            if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and raw[0] != "0" and len(raw) <= 18):
                return None
            value = int(raw)
            if not low <= value <= high:
                return None
            values[name] = value
        for name, dependency in dependencies:
            assert dependency is not None
            values[name] = await dependency(request)
        response: Response = await endpoint(**values)
        return response

    return direct
