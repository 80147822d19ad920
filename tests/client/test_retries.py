"""Retries: a 429 is retried after what `retry-after` says; a connection error only for idempotent requests."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from tests.client.conftest import QUICK
from tests.helpers import Tenant
from wrenchwork.client import AsyncClient, Client, RateLimited, RetryPolicy


def test_rate_limited_requests_wait_out_retry_after_and_succeed(limited_url: str, tenant: Tenant) -> None:
    answers: list[tuple[float, int, str | None]] = []
    sent: list[float] = []

    def on_request(request: httpx.Request) -> None:
        sent.append(time.monotonic())

    def on_response(response: httpx.Response) -> None:
        answers.append((time.monotonic(), response.status_code, response.headers.get("retry-after")))

    hooks = {"request": [on_request], "response": [on_response]}
    with Client(limited_url, tenant.token, tenant.entity_id, retry=QUICK, event_hooks=hooks) as client:
        # The limit is 4 per 2 seconds: nine requests in less than that span at most two windows, so some are
        # refused until a window turns.
        for n in range(9):
            assert client.locations.create(name=f"Room {n}").name == f"Room {n}"  # a POST: 429 is safe to retry
    statuses = [status for _, status, _ in answers]
    assert statuses.count(201) == 9 and 429 in statuses
    for index, (at, status, retry_after) in enumerate(answers):
        if status == 429:
            assert retry_after is not None
            # retry-after is rounded down: the client waits a second more, so it is never back inside the window
            # that refused it, and the retry is served
            assert sent[index + 1] - at >= int(retry_after) + 1
            assert answers[index + 1][1] == 201


def test_rate_limited_past_the_retries_raises_with_retry_after(limited_url: str, tenant: Tenant) -> None:
    client = Client(limited_url, tenant.token, tenant.entity_id, retry=RetryPolicy(max_retries=0))
    with client, pytest.raises(RateLimited) as limited:
        for _ in range(10):
            client.locations.page()
    assert limited.value.status == 429 and limited.value.message.startswith("Rate limit exceeded")
    assert limited.value.retry_after is not None and 0 <= limited.value.retry_after <= 2


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(("method", "attempts"), [("GET", 4), ("DELETE", 4), ("POST", 1), ("PATCH", 1)])
def test_connection_errors_are_retried_for_idempotent_requests_only(method: str, attempts: int) -> None:
    sent: list[str] = []
    hooks = {"request": [lambda request: sent.append(request.method)]}
    with Client(closed_port(), "key", 1, retry=QUICK, event_hooks=hooks) as client, pytest.raises(httpx.ConnectError):
        client.request(method, "/assets/1", json=None if method in ("GET", "DELETE") else {"asset": {}})
    assert sent == [method] * attempts  # QUICK allows 3 retries


def test_the_async_client_retries_the_same_way() -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.method)

    async def scenario() -> None:
        client = AsyncClient(closed_port(), "key", 1, retry=QUICK, event_hooks={"request": [record]})
        async with client:
            with pytest.raises(httpx.ConnectError):
                await client.assets.get(1)
            with pytest.raises(httpx.ConnectError):
                await client.assets.create(name="Pump")

    asyncio.run(scenario())
    assert sent == ["GET"] * 4 + ["POST"]
