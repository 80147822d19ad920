"""A Python client for the wrenchwork API (docs/client.md): typed models, lists that page, retries, errors.

It needs only httpx and pydantic, and imports nothing from the server.
"""

from wrenchwork.client import models
from wrenchwork.client.batch import BatchResult
from wrenchwork.client.calls import Page
from wrenchwork.client.client import AsyncBatch, AsyncClient, Batch, Client
from wrenchwork.client.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    Unprocessable,
    WrenchworkError,
)
from wrenchwork.client.retry import RetryPolicy

__all__ = [
    "AsyncBatch",
    "AsyncClient",
    "BadRequest",
    "Batch",
    "BatchResult",
    "Client",
    "Conflict",
    "Forbidden",
    "NotFound",
    "Page",
    "RateLimited",
    "RetryPolicy",
    "Unauthorized",
    "Unprocessable",
    "WrenchworkError",
    "models",
]
