"""Pure ASGI middleware: request ids and access log, rate limiting, request size checks, last-resort 500."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wrenchwork.core.envelope import dumps
from wrenchwork.core.errors import PayloadTooLarge
from wrenchwork.core.logging import request_id_var
from wrenchwork.core.ratelimit import RateLimiter
from wrenchwork.core.routing import is_json

log = logging.getLogger("wrenchwork.http")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A JSON escape for NUL: `\u0000` preceded by an even number of backslashes (an odd one would escape it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

# Limits every request obeys, a batch op included (it passes through this middleware like a direct call).
# The longest query string, percent-encoded as sent: half the request head the HTTP server takes (16 KiB, headers
# included), so a batch op's query, which no request line carries, is bounded too; 1,000 four-digit ids fit.
MAX_QUERY_BYTES = 8192
# The deepest nesting of arrays and objects in a JSON body (`{"a": [1]}` is 2 deep). The deepest bodies the API
# defines (a procedure template's choices, sent in a batch op) are 9 deep; past a few hundred, parsers and encoders
# give up with errors of their own.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")


def _nesting_within(depth: int) -> re.Pattern[bytes]:
    """Balanced brackets nested at most `depth` deep: `(?:[(?:[ ... ])*+])*+`, brackets escaped. Possessive, so
    it never backtracks: one pass over the brackets, some 20 ms for a megabyte of them."""
    pattern = b""
    for _ in range(depth):
        pattern = rb"(?:\[" + pattern + rb"\])*+"
    return re.compile(pattern)


_WITHIN_DEPTH = _nesting_within(MAX_JSON_DEPTH)


def nested_too_deep(body: bytes) -> bool:
    """Whether a JSON text nests arrays and objects deeper than `MAX_JSON_DEPTH` (brackets in strings aside)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False  # the usual case: it cannot nest deeper than it has brackets
    brackets = _JSON_STRING.sub(b"", body).translate(_SQUARE, _NOT_BRACKETS)
    if brackets.count(b"[") * 2 != len(brackets):
        return False  # unbalanced: not JSON at all, which the JSON parser answers (400)
    return _WITHIN_DEPTH.fullmatch(brackets) is None


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped


class RequestContext:
    """Gives every request an id (X-Request-Id, echoed or generated) and writes one access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        # 128 random bits in hex, as `uuid4().hex` without building a UUID (a fifth of its 1.6 µs).
        request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status_holder["status"],
                            "ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    },
                )
            request_id_var.reset(token)


class RateLimit:
    """Counts every request under /api/ per client IP; adds the X-RateLimit-* headers (and retry-after to a 429)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        peer = scope.get("client")
        key = self.limiter.client_ip(peer[0] if peer else None, headers.get("x-forwarded-for"))
        decision = self.limiter.hit(key)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            await send_json(
                send,
                429,
                {"status": "error", "message": f"Rate limit exceeded, retry in {decision.retry_after} seconds"},
                decision.headers(),
            )
            return
        await self.app(scope, receive, _with_headers(send, decision.headers()))


class RequestLimits:
    """Refuses what no handler should see: a query string over `MAX_QUERY_BYTES` (414); a body over `max_bytes`
    (413, at once from Content-Length or as soon as a chunked body passes the limit); JSON strings holding a NUL
    character, which PostgreSQL cannot store (422); a JSON body nested deeper than `MAX_JSON_DEPTH` (422). The
    body is read up front and the handler gets the buffered copy."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: Callable[[], int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # File uploads (multipart bodies) are not buffered but streamed to the handler, up to this many bytes.
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            too_long = f"Query string is too long (at most {MAX_QUERY_BYTES} bytes)"
            await send_json(send, 414, {"status": "error", "message": too_long}, [])
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        content_type = headers.get("content-type")
        if self.max_upload_bytes is not None and _is_multipart(content_type):
            await self._stream(scope, receive, send, declared, self.max_upload_bytes())
            return
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_json(send, 413, {"status": "error", "message": PayloadTooLarge.default_message}, [])
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_json(send, 413, {"status": "error", "message": PayloadTooLarge.default_message}, [])
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _JSON_NUL.search(body):
            problem = "JSON strings must not contain NUL characters"
            await send_json(send, 422, {"status": "error", "message": problem, "errors": {"body": [problem]}}, [])
            return
        if (content_type is None or is_json(content_type)) and nested_too_deep(body):
            problem = f"must not nest arrays and objects more than {MAX_JSON_DEPTH} levels deep"
            body_error = {"status": "error", "message": f"body {problem}", "errors": {"body": [problem]}}
            await send_json(send, 422, body_error, [])
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, declared: str | None, limit: int) -> None:
        """A file upload: 413 at once for a declared length over `limit`, else passed on as it arrives; the
        handler's read fails with 413 once more than `limit` bytes came."""
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, {"status": "error", "message": PayloadTooLarge.default_message}, [])
            return
        size = 0

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise PayloadTooLarge()
            return message

        await self.app(scope, counted, send)


def _is_multipart(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


class CatchAll:
    """Turns any unhandled exception into a 500 in the error envelope, logged with the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error", extra={"fields": {"method": scope["method"], "path": scope["path"]}})
            if started:
                raise
            await send_json(send, 500, {"status": "error", "message": "Internal server error"}, [])
