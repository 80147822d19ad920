"""`Client` and `AsyncClient`: the API key, the entity, retries and errors around httpx."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Any, TypeVar

import httpx

from wrenchwork import __version__
from wrenchwork.client import aio, sync
from wrenchwork.client.batch import BatchOps, BatchResult
from wrenchwork.client.calls import API_PREFIX, Call
from wrenchwork.client.errors import error_of, raise_for, retry_after
from wrenchwork.client.retry import RetryPolicy

T = TypeVar("T")


def api_url(base_url: str) -> str:
    """`http://host:8000` or `http://host:8000/api/v1`: the API's root either way."""
    base = base_url.rstrip("/")
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


def headers(api_key: str, entity_id: int | None) -> dict[str, str]:
    found = {"Authorization": f"Bearer {api_key}", "User-Agent": f"wrenchwork-client/{__version__}"}
    if entity_id is not None:
        found["X-Entity-Id"] = str(entity_id)
    return found


def decoded(response: httpx.Response) -> Any:
    """The JSON body of a success (None for 204; the bytes of anything else, such as a QR code image)."""
    raise_for(response)
    if not response.content:
        return None
    if response.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        return response.json()
    return response.content


class Client(sync.Resources):
    """The API of one entity with one API key: `client.assets.list(...)`, `client.parts.restock(...)`.

    `entity_id` may be left out only to list entities (`client.entities.list()`). Further keyword arguments go
    to `httpx.Client` (e.g. `transport`, `verify`, `event_hooks`). Use as a context manager, or `close()`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        entity_id: int | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        **httpx_options: Any,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.http = httpx.Client(
            base_url=api_url(base_url), headers=headers(api_key, entity_id), timeout=timeout, **httpx_options
        )
        super().__init__(self.send)

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        """Any call the resources do not cover; answers the decoded JSON body (None for 204)."""
        return self.send(Call(method.upper(), path, lambda body: body, params=params, json=json))

    def send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = self.http.request(call.method, call.path, params=call.params, json=call.json)
            except httpx.TransportError:
                wait = self.retry.after_connection_error(call.method, attempt)
                if wait is None:
                    raise
            else:
                if response.status_code != 429:
                    return call.read(decoded(response))
                wait = self.retry.after_rate_limit(attempt, retry_after(response))
                if wait is None:
                    raise error_of(response)
            attempt += 1
            time.sleep(wait)

    def batch(self, *, atomic: bool = False) -> Batch:
        return Batch(self, atomic)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class Batch(BatchOps):
    """`with client.batch() as batch: batch.post(...)` sends on leaving the block; or call `send()`."""

    def __init__(self, client: Client, atomic: bool) -> None:
        super().__init__(atomic)
        self._client = client

    def send(self) -> list[BatchResult]:
        return self.collect([self._client.send(call) for call in self.calls()])

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if error is None and self.ops:
            self.send()


class AsyncClient(aio.Resources):
    """`Client` for asyncio: the same resources with `await`, lists as `async for`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        entity_id: int | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        **httpx_options: Any,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.http = httpx.AsyncClient(
            base_url=api_url(base_url), headers=headers(api_key, entity_id), timeout=timeout, **httpx_options
        )
        super().__init__(self.send)

    async def request(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        return await self.send(Call(method.upper(), path, lambda body: body, params=params, json=json))

    async def send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = await self.http.request(call.method, call.path, params=call.params, json=call.json)
            except httpx.TransportError:
                wait = self.retry.after_connection_error(call.method, attempt)
                if wait is None:
                    raise
            else:
                if response.status_code != 429:
                    return call.read(decoded(response))
                wait = self.retry.after_rate_limit(attempt, retry_after(response))
                if wait is None:
                    raise error_of(response)
            attempt += 1
            await asyncio.sleep(wait)

    def batch(self, *, atomic: bool = False) -> AsyncBatch:
        return AsyncBatch(self, atomic)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class AsyncBatch(BatchOps):
    def __init__(self, client: AsyncClient, atomic: bool) -> None:
        super().__init__(atomic)
        self._client = client

    async def send(self) -> list[BatchResult]:
        return self.collect([await self._client.send(call) for call in self.calls()])

    async def __aenter__(self) -> AsyncBatch:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if error is None and self.ops:
            await self.send()
