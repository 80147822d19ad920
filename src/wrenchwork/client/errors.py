"""What the server refuses, as exceptions: one class per status a caller handles differently.

Every error answer has the body `{"status": "error", "message": "...", "errors": {"field.path": ["..."]}}`
(`errors` on 422 and some 400s); the exception carries all three.
"""

from __future__ import annotations

from typing import Any

import httpx


class WrenchworkError(Exception):
    """An error answer from the server: `status`, `message`, and `errors` by field path (empty when none)."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.errors: dict[str, list[str]] = errors or {}


class BadRequest(WrenchworkError):
    """400: a malformed request, e.g. a missing or non-integer X-Entity-Id."""


class Unauthorized(WrenchworkError):
    """401: the API key is missing, unknown or revoked."""


class Forbidden(WrenchworkError):
    """403: the key's user may not do this in this entity."""


class NotFound(WrenchworkError):
    """404: no such record in this entity (a record of another entity answers the same)."""


class Conflict(WrenchworkError):
    """409: a uniqueness conflict, or a record still referenced elsewhere."""


class Unprocessable(WrenchworkError):
    """422: validation failed; `errors` names each field."""


class RateLimited(WrenchworkError):
    """429 after the client's retries ran out; `retry_after` is the server's last advice in seconds."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None, retry_after: float | None):
        super().__init__(status, message, errors)
        self.retry_after = retry_after


BY_STATUS: dict[int, type[WrenchworkError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
}


def retry_after(response: httpx.Response) -> float | None:
    """The `retry-after` header in seconds (the server sends whole seconds; an HTTP date is not used)."""
    value = response.headers.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


def error_for(status: int, body: Any, fallback: str = "") -> WrenchworkError:
    """The exception for an error answer; `body` is its decoded JSON (or anything else a proxy may have sent)."""
    message = fallback or f"HTTP {status}"
    errors: dict[str, list[str]] = {}
    if isinstance(body, dict):
        message = str(body.get("message") or message)
        raw = body.get("errors")
        if isinstance(raw, dict):
            errors = {str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in raw.items()}
    return BY_STATUS.get(status, WrenchworkError)(status, message, errors)


def raise_for(response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise error_of(response)


def error_of(response: httpx.Response) -> WrenchworkError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    fallback = response.reason_phrase
    if response.status_code == 429:
        found = error_for(429, body, fallback)
        return RateLimited(429, found.message, found.errors, retry_after(response))
    return error_for(response.status_code, body, fallback)
