"""The one place that turns exceptions into the error envelope."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from wrenchwork.core.envelope import error
from wrenchwork.core.errors import AppError

log = logging.getLogger("wrenchwork.errors")

_HTTP_MESSAGES = {404: "Not found", 405: "Method not allowed"}


def _path(loc: tuple[Any, ...]) -> str:
    """`("body", "user", "permissions", 0, "role")` -> `user.permissions.0.role`; query/path/header -> name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(err: dict[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return "is not a known field"
    if err.get("type") == "missing":
        return "is required"
    if err.get("type") == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])  # our validators' own sentence, without pydantic's "Value error, "
    text = str(err.get("msg", "is invalid"))
    return text[0].lower() + text[1:] if text else "is invalid"


def field_errors(problems: Iterable[Any]) -> dict[str, list[str]]:
    """Pydantic's problems as `{field.path: [message, ...]}`: the `errors` of a 422, and the command line's."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(_path(tuple(problem.get("loc", ()))), []).append(_message(problem))
    return errors


async def app_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error(exc.status_code, exc.message, exc.errors)


async def validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = list(exc.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        return error(400, "Request body is not valid JSON")
    errors = field_errors(problems)
    first = next(iter(errors))
    return error(422, f"{first} {errors[first][0]}", errors)


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
    if exc.status_code == 400 and message == "There was an error parsing the body":
        message = "Request body is not valid JSON"  # e.g. bytes that are not UTF-8
    response = error(exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def integrity_error(_request: Request, exc: Exception) -> Response:
    # A race the service's own checks could not see (two inserts of one unique value at once).
    log.info("integrity error answered as 409", exc_info=exc)
    return error(409, "Conflict with an existing record")


# How long a client refused by a busy SQLite database is asked to wait before it tries again (seconds).
BUSY_RETRY_AFTER = 5


async def lost_connection(_request: Request, exc: Exception) -> Response:
    """The connection to the database broke during the request (its server restarted, the network dropped it):
    503 with Retry-After. The pool has replaced its connections by then (core/db.py), so a retry finds a good one;
    a read was already tried again once (core/routing.py). Any other database error stays the server's (500)."""
    assert isinstance(exc, DBAPIError)
    if not exc.connection_invalidated:
        raise exc
    log.warning("database connection lost: answered 503", exc_info=exc)
    response = error(503, "The connection to the database was lost; try again")
    response.headers["Retry-After"] = "1"
    return response


async def operational_error(request: Request, exc: Exception) -> Response:
    """SQLite's "database is locked": the write lock stayed taken past the busy timeout (core/db.py), e.g. by a
    large import's one transaction. The request changed nothing: 503 with Retry-After, which a client retries as
    it retries a 429. A lost connection is answered as `lost_connection` does; any other operational error is the
    server's fault, and stays one (500)."""
    assert isinstance(exc, OperationalError)
    if exc.connection_invalidated:
        return await lost_connection(request, exc)
    if "database is locked" not in str(exc.orig):
        raise exc
    log.warning("database busy: answered 503", exc_info=exc)
    response = error(503, "The database is busy with a long write (such as an import); try again shortly")
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(OperationalError, operational_error)
    app.add_exception_handler(DBAPIError, lost_connection)
