"""Rate-limit spoofing on every operation: headers naming another client address, sent from a peer that is not a
trusted proxy, do not move the request to another bucket (docs/api.md "Rate limiting")."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.contract.conftest import check_response
from tests.contract.operations.catalog import KEYED, Operation, each, minimal_query
from tests.contract.operations.world import World
from wrenchwork.app import create_app
from wrenchwork.config import Settings

PROXY = "10.9.8.7"
SPOOFED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Real-IP": "203.0.113.8",
    "Forwarded": "for=203.0.113.9",
}
_peers = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def _limited_app(settings: Settings, trusted_proxies: str = "", rate: str = "100000 per 5 minutes") -> FastAPI:
    return create_app(settings.model_copy(update={"rate_limit": rate, "trusted_proxies": trusted_proxies}))


@pytest.fixture(scope="module")
def limited(settings: Settings) -> Iterator[FastAPI]:
    """The test database behind an app with rate limiting on and no trusted proxy."""
    app = _limited_app(settings)
    yield app
    app.state.engine.dispose()


def _client(app: FastAPI, peer: str) -> TestClient:
    client = TestClient(app, client=(peer, 4321), raise_server_exceptions=False)
    client.event_hooks["response"].append(check_response)
    return client


def _call(client: TestClient, world: World, op: Operation, headers: dict[str, str]) -> httpx.Response:
    home = world.home
    sent = {"Authorization": f"Bearer {home.tenant.token}"} | headers
    if op.scoped:
        sent["X-Entity-Id"] = str(home.entity_id)
    ids = home.ids(op, missing=op.path_params)
    body = {} if op.body_schema is not None else None
    return client.request(op.method, "/api/v1" + op.url(ids), headers=sent, params=minimal_query(op), json=body)


def _remaining(response: httpx.Response) -> int:
    return int(response.headers["x-ratelimit-remaining"])


@each(KEYED)
def test_spoofed_client_addresses_share_the_peer_bucket(limited: FastAPI, world: World, op: Operation) -> None:
    client = _client(limited, next(_peers))
    first = _remaining(_call(client, world, op, {}))
    seen = [_remaining(_call(client, world, op, {name: value})) for name, value in SPOOFED.items()]
    assert seen == [first - n for n in range(1, len(SPOOFED) + 1)]


def test_spoofing_does_not_escape_a_429(settings: Settings, world: World) -> None:
    app = _limited_app(settings, rate="2 per 5 minutes")
    try:
        client = _client(app, next(_peers))
        op = next(op for op in KEYED if op.key == "GET /entities")
        assert [_call(client, world, op, {}).status_code for _ in range(2)] == [200, 200]
        for name, value in SPOOFED.items():
            assert _call(client, world, op, {name: value}).status_code == 429, name
    finally:
        app.state.engine.dispose()


def test_a_trusted_proxy_does_tell_clients_apart(settings: Settings, world: World) -> None:
    """The control: from a trusted proxy, X-Forwarded-For names the client, and each client has its own bucket."""
    app = _limited_app(settings, trusted_proxies=PROXY)
    try:
        client = _client(app, PROXY)
        op = next(op for op in KEYED if op.key == "GET /entities")
        counts = [_remaining(_call(client, world, op, {"X-Forwarded-For": f"203.0.113.{n}"})) for n in range(20, 23)]
        assert counts == [99999] * 3
    finally:
        app.state.engine.dispose()
