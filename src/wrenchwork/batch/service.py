"""Batch: each op goes through the app's own routing, validation, authorisation and rate limit."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from starlette.types import ASGIApp, Message

from wrenchwork.batch.schemas import BatchOp
from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.routing import SHARED_SESSION

API_PREFIX = "/api/v1/"
# Headers of the batch request that every op carries.
FORWARDED = (b"authorization", b"x-entity-id", b"x-forwarded-for", b"user-agent")


def check_urls(ops: list[BatchOp]) -> None:
    for index, op in enumerate(ops):
        path = urlsplit(op.url).path.rstrip("/")
        if not op.url.startswith(API_PREFIX):
            raise Unprocessable.field(f"ops.{index}.url", f"must start with {API_PREFIX}")
        if path == API_PREFIX + "batch":
            raise Unprocessable.field(f"ops.{index}.url", "cannot be a batch request")


def _flatten(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """`{"filter": {"name_cont": "a"}, "ids": [1, 2]}` -> `filter[name_cont]=a&ids[]=1&ids[]=2`."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            pairs.extend(_flatten(value, name))
        elif isinstance(value, list):
            pairs.extend((f"{name}[]", _text(v)) for v in value)
        elif value is not None:
            pairs.append((name, _text(value)))
    return pairs


def encode_params(params: dict[str, Any]) -> bytes:
    """An op's JSON body, written back by the same standard library that read the batch, so whatever it let in
    travels on as sent: integers past 64 bits and lone surrogates (escaped), which orjson refuses to write, and
    `NaN`, which orjson turns into null. The op's body then meets the limits and validation of a direct call
    (core/middleware.py); the batch body's depth limit bounds its depth, so the encoder never recurses deep."""
    return json.dumps(params, separators=(",", ":")).encode()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def run_op(
    app: ASGIApp, outer: MutableMapping[str, Any], op: BatchOp, index: int, shared_session: Any | None
) -> tuple[int, bytes]:
    """Runs one op in-process through the whole ASGI app; returns its status and raw JSON body (or b"")."""
    split = urlsplit(op.url)
    query = split.query
    body = b""
    if op.params is not None and op.method in ("GET", "DELETE"):
        # A lone surrogate (`"\ud800"` in the JSON) goes as the bytes a direct client would percent-encode.
        extra = urlencode(_flatten(op.params), errors="surrogatepass")
        query = f"{query}&{extra}" if query and extra else (query or extra)
    elif op.params is not None:
        body = encode_params(op.params)
    headers = [(k, v) for k, v in outer["headers"] if k in FORWARDED]
    request_id = outer.get("state", {}).get("request_id")
    if request_id:
        headers.append((b"x-request-id", f"{request_id}.{index}".encode()))
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": outer.get("asgi", {"version": "3.0"}),
        "http_version": "1.1",
        "method": op.method,
        "scheme": outer.get("scheme", "http"),
        "path": split.path,
        "raw_path": split.path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": outer.get("client"),
        "server": outer.get("server"),
        "state": {SHARED_SESSION: shared_session} if shared_session is not None else {},
    }
    sent = False
    status = 500
    is_json = False
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, is_json
        if message["type"] == "http.response.start":
            status = message["status"]
            content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            is_json = content_type.split(b";")[0].strip() == b"application/json"
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    # Only JSON bodies travel inside a batch answer; an image (a QR code) is fetched directly.
    return status, b"".join(chunks) if is_json else b""


def result(status: int, raw: bytes) -> dict[str, Any]:
    return {"status": status, "body": orjson.Fragment(raw) if raw else None}


def skipped(failed_index: int) -> dict[str, Any]:
    message = f"Not run: operation {failed_index} failed and the batch was rolled back"
    return {"status": 424, "body": {"status": "error", "message": message}}
