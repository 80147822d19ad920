"""Pure ASGI middleware: request ids and access log, rate limiting, request body checks, last-resort 500."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wrenchwork.core.envelope import dumps
from wrenchwork.core.errors import PayloadTooLarge
from wrenchwork.core.logging import request_id_var
from wrenchwork.core.ratelimit import RateLimiter

log = logging.getLogger("wrenchwork.http")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A JSON escape for NUL: `\u0000` preceded by an even number of backslashes (an odd one would escape it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


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
        request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
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


class RequestBody:
    """Reads the request body up front and refuses what no handler should see: a body over `max_bytes` (413,
    at once from Content-Length or as soon as a chunked body passes the limit) and JSON strings holding a NUL
    character, which PostgreSQL cannot store (422). The handler then gets the buffered body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
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
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


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
