"""Errors that carry their HTTP status. Services raise them; one handler renders them."""

from __future__ import annotations


class AppError(Exception):
    status_code = 500
    default_message = "Internal server error"

    def __init__(self, message: str | None = None, errors: dict[str, list[str]] | None = None) -> None:
        self.message = message or self.default_message
        self.errors = errors
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400
    default_message = "Bad request"


class Unauthorized(AppError):
    status_code = 401
    default_message = "Invalid API key"


class Forbidden(AppError):
    status_code = 403
    default_message = "You do not have permission to perform this action"


class NotFound(AppError):
    status_code = 404
    default_message = "Not found"

    @classmethod
    def of(cls, resource: str) -> NotFound:
        return cls(f"{resource} not found")


class Conflict(AppError):
    status_code = 409
    default_message = "Conflict with an existing record"


class PayloadTooLarge(AppError):
    status_code = 413
    default_message = "Request body is too large"


class UnsupportedMediaType(AppError):
    status_code = 415
    default_message = "Content-Type must be application/json"


class Unprocessable(AppError):
    """Validation failure. `errors` maps a field path (``user.email``, ``filter[name_cont]``) to messages."""

    status_code = 422
    default_message = "Validation failed"

    @classmethod
    def field(cls, path: str, message: str) -> Unprocessable:
        return cls(f"{path} {message}", {path: [message]})
