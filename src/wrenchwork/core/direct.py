"""Operations called without FastAPI's dependency solving, where the answer is bound to be the same.

Why: FastAPI prepares and solves every operation's parameters per request (its handler reads the endpoint's
context, looks for a body, walks the dependency tree, validates each parameter through Pydantic, collects the
errors). For a GET whose parameters are plain ids in the path and dependencies that read the request themselves
(the session, the caller's scope, a list's query), that was about a tenth of a detail request; for a write, a tenth
of the interpreter time a work order create holds. Such an operation (`direct_call`) is called directly: its JSON
body validated as FastAPI validates it, each dependency in the order FastAPI solves them, then the endpoint.

Only what FastAPI would answer the same is taken this way: every path id written as plain digits without a leading
zero, in the range the route declares, and a body that parses and validates; anything else (a malformed or
out-of-range id, a body FastAPI answers with its 422 or 400) goes through FastAPI's own handler, which then answers
exactly as it always did. An operation qualifies only if it is an `async def` returning a `Response`, without query,
header or cookie parameters of its own, with at most one body parameter, a Pydantic model taken whole (not embedded,
not a form), and every dependency is an `async` callable of the request alone (core/auth.py, core/list_api.py).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from annotated_types import Ge, Le
from fastapi import params
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel
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


def _no_parameters(dependant: Dependant, body: bool = False) -> bool:
    """Takes nothing FastAPI would read or validate for it (path and request parameters aside; its one `body`
    parameter too when `body`)."""
    return not (
        dependant.query_params or dependant.header_params or dependant.cookie_params
        or (dependant.body_params and not body) or dependant.websocket_param_name
        or dependant.http_connection_param_name or dependant.response_param_name
        or dependant.background_tasks_param_name or dependant.security_scopes_param_name
    )  # fmt: skip


def _json_body(dependant: Dependant) -> Any | None:
    """The operation's one body parameter (FastAPI's field) when it is a required Pydantic model taken as the whole
    JSON body: FastAPI then validates the parsed body with that field alone (`request_body_to_args`)."""
    if len(dependant.body_params) != 1:
        return None
    field = dependant.body_params[0]
    info = field.field_info
    model = info.annotation
    if (
        isinstance(info, params.Form)
        or getattr(info, "embed", None)
        or not info.is_required()
        or not (isinstance(model, type) and issubclass(model, BaseModel))
    ):
        return None
    return field


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
    called nothing, when a path id is not written plainly in range or the body does not parse as JSON and validate:
    FastAPI's handler then takes the request. The caller sees to it that a body was declared JSON (FastAPI parses
    no other as JSON)."""
    call = dependant.call
    if call is None or not inspect.iscoroutinefunction(call) or not _returns_response(call):
        return None
    body = _json_body(dependant)
    if dependant.request_param_name or not _no_parameters(dependant, body=body is not None):
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
        if body is not None:
            sent = await request.body()  # buffered by the RequestBody middleware
            try:
                parsed = orjson.loads(sent) if sent else None
            except orjson.JSONDecodeError:
                return None
            if parsed is None:
                return None
            validated, errors = body.validate(parsed, {}, loc=("body",))
            if errors:
                return None
            values[body.name] = validated
        for name, dependency in dependencies:
            assert dependency is not None
            values[name] = await dependency(request)
        response: Response = await endpoint(**values)
        return response

    return direct
