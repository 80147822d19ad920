"""Rate limiting: a fixed window per client IP, the documented headers, 429, proxies, Redis shared storage."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from limits.storage import memory as memory_storage
from pydantic import ValidationError

from tests.helpers import Tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core import ratelimit

COUNTED = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")  # on every counted response
HEADERS = (*COUNTED, "retry-after")  # retry-after only on a 429
REDIS_URL = os.environ.get("WRENCHWORK_TEST_REDIS_URL", "")
PROXY = "10.0.0.1"

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(settings: Settings) -> Iterator[AppFactory]:
    """Builds apps on the test database with other rate-limit settings; their engines are closed afterwards."""
    apps: list[FastAPI] = []

    def build(**changes: str) -> FastAPI:
        app = create_app(Settings(**{**settings.model_dump(), "log_level": "WARNING", **changes}))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.state.engine.dispose()


def entities(client: TestClient, tenant: Tenant, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {tenant.token}"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    return client.get("/api/v1/entities", headers=headers)


def assert_limited(response: httpx.Response, window: int) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 0 <= retry_after <= window
    body = response.json()
    assert set(body) == {"status", "message"}
    assert body["status"] == "error"
    prefix, _, rest = body["message"].partition("Rate limit exceeded, retry in ")
    assert prefix == ""
    seconds, _, unit = rest.partition(" ")
    assert unit == "seconds", body
    assert int(seconds) == retry_after, (body, retry_after)
    assert response.headers["x-ratelimit-remaining"] == "0"


def test_every_api_response_carries_the_headers(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="10 per minute")
    with TestClient(app, client=("192.0.2.10", 1000), raise_server_exceptions=False) as client:
        responses = [
            entities(client, tenant),
            client.get("/api/v1/entities"),  # 401
            client.get("/api/v1/users", headers={"Authorization": f"Bearer {tenant.token}"}),  # 400, no entity
            client.get("/api/v1/nothing_here"),  # 404
            client.get("/api/v1/openapi.json"),
        ]
        started = time.time()

    assert [r.status_code for r in responses] == [200, 401, 400, 404, 200]
    for response in responses:
        assert all(name in response.headers for name in COUNTED), response.headers
        assert "retry-after" not in response.headers  # nothing to retry: the request was served
        assert response.headers["x-ratelimit-limit"] == "10"
    assert [int(r.headers["x-ratelimit-remaining"]) for r in responses] == [9, 8, 7, 6, 5]
    resets = {int(r.headers["x-ratelimit-reset"]) for r in responses}
    assert len(resets) == 1  # one fixed window
    (reset,) = resets
    assert started < reset <= started + 60


def test_over_the_limit_is_429_with_the_documented_body(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="3 per minute")
    with TestClient(app, client=("192.0.2.11", 1000)) as client:
        allowed = [entities(client, tenant) for _ in range(3)]
        limited = [entities(client, tenant), client.get("/api/v1/users")]

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["x-ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
    for response in limited:
        assert_limited(response, 60)


class Clock:
    """Stands in for `time.time` in the limiter and its in-process storage, so a window can be walked through."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_800_000_000.25)  # a quarter second past a whole second, exactly representable
    monkeypatch.setattr(memory_storage, "time", SimpleNamespace(time=fake.time))
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=fake.time))
    return fake


def test_retry_after_and_reset_never_point_past_the_window(make_app: AppFactory, tenant: Tenant, clock: Clock) -> None:
    """A window that starts a fraction into a second ends a fraction into one: both headers round down, so
    neither names a moment after the window's end nor a wait longer than the window."""
    app = make_app(rate_limit="5 per minute")
    start = clock.now
    end = start + 60  # the window opened by the first request
    with TestClient(app, client=("192.0.2.60", 1000)) as client:
        served = [entities(client, tenant) for _ in range(5)]
        refused = entities(client, tenant)
        clock.now = start + 59.5
        late = entities(client, tenant)
        clock.now = end + 0.05
        next_window = entities(client, tenant)

    assert [r.status_code for r in served] == [200] * 5
    for response in [*served, refused, late]:
        assert int(response.headers["x-ratelimit-reset"]) == 1_800_000_060 <= end
    assert_limited(refused, 60)
    assert refused.headers["retry-after"] == "60"  # not 61: longer than the window itself
    assert_limited(late, 60)
    assert late.headers["retry-after"] == "0"  # half a second is left: a whole one would be past the end
    assert next_window.status_code == 200
    assert next_window.headers["x-ratelimit-remaining"] == "4"
    assert int(next_window.headers["x-ratelimit-reset"]) == 1_800_000_120


def test_health_checks_are_not_limited(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="1 per minute")
    with TestClient(app, client=("192.0.2.12", 1000)) as client:
        entities(client, tenant)
        assert entities(client, tenant).status_code == 429
        for path in ("/healthz", "/readyz"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "x-ratelimit-limit" not in response.headers


def test_counting_is_per_client_address(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="2 per minute")
    with (
        TestClient(app, client=("192.0.2.20", 1000)) as first,
        TestClient(app, client=("192.0.2.21", 1000)) as second,
        TestClient(app, client=("192.0.2.20", 2000)) as first_other_port,
    ):
        assert [entities(first, tenant).status_code for _ in range(2)] == [200, 200]
        assert entities(first, tenant).status_code == 429
        assert entities(first_other_port, tenant).status_code == 429
        response = entities(second, tenant)
        assert response.status_code == 200
        assert response.headers["x-ratelimit-remaining"] == "1"


@pytest.mark.parametrize("trusted", [PROXY, "10.0.0.0/8", f"192.0.2.99, {PROXY}"])
def test_forwarded_for_from_a_trusted_proxy_tells_clients_apart(
    make_app: AppFactory, tenant: Tenant, trusted: str
) -> None:
    app = make_app(rate_limit="2 per minute", trusted_proxies=trusted)
    with TestClient(app, client=(PROXY, 1234)) as proxy:
        assert [entities(proxy, tenant, "203.0.113.5").status_code for _ in range(2)] == [200, 200]
        assert_limited(entities(proxy, tenant, "203.0.113.5"), 60)
        # A client cannot escape by prepending a made-up hop: the proxy appends the real address last.
        assert entities(proxy, tenant, "198.51.100.77, 203.0.113.5").status_code == 429
        other = entities(proxy, tenant, "203.0.113.6")
        assert other.status_code == 200
        assert other.headers["x-ratelimit-remaining"] == "1"


def test_forwarded_for_is_ignored_without_trust(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="2 per minute", trusted_proxies="")
    with TestClient(app, client=(PROXY, 1234)) as client:
        assert entities(client, tenant, "203.0.113.5").status_code == 200
        assert entities(client, tenant, "203.0.113.6").status_code == 200
        assert entities(client, tenant, "203.0.113.7").status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="2 per minute", trusted_proxies=PROXY)
    with TestClient(app, client=("192.0.2.30", 1234)) as client:
        assert entities(client, tenant, "203.0.113.5").status_code == 200
        assert entities(client, tenant, "203.0.113.6").status_code == 200
        assert entities(client, tenant, "203.0.113.7").status_code == 429


@pytest.mark.parametrize("value", ["", "0", " 0 "])
def test_empty_or_zero_disables_rate_limiting(make_app: AppFactory, tenant: Tenant, value: str) -> None:
    app = make_app(rate_limit=value)
    with TestClient(app, client=("192.0.2.40", 1000)) as client:
        responses = [entities(client, tenant) for _ in range(30)]

    assert {r.status_code for r in responses} == {200}
    for response in responses:
        assert not any(name in response.headers for name in HEADERS), response.headers


def test_rate_limit_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRENCHWORK_RATE_LIMIT", "0")
    assert Settings().rate_limit == ""
    monkeypatch.setenv("WRENCHWORK_RATE_LIMIT", "20 per 5 minutes")
    assert Settings().rate_limit == "20 per 5 minutes"


def test_default_is_1000_per_5_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WRENCHWORK_RATE_LIMIT", raising=False)
    assert Settings().rate_limit == "1000 per 5 minutes"


def test_default_window_in_the_headers(make_app: AppFactory, tenant: Tenant) -> None:
    app = make_app(rate_limit="1000 per 5 minutes")
    with TestClient(app, client=("192.0.2.50", 1000)) as client:
        started = time.time()
        response = entities(client, tenant)
        answered = time.time()

    assert response.headers["x-ratelimit-limit"] == "1000"
    assert response.headers["x-ratelimit-remaining"] == "999"
    assert started < int(response.headers["x-ratelimit-reset"]) <= answered + 300


def test_an_invalid_limit_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError):
        Settings(rate_limit="lots per fortnight")


@pytest.mark.skipif(not REDIS_URL, reason="WRENCHWORK_TEST_REDIS_URL is not set")
def test_apps_sharing_redis_share_one_count(make_app: AppFactory, tenant: Tenant) -> None:
    # A fresh address and an unusual limit keep this test's counter apart from anything else in the database.
    address = f"10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"
    limit = f"3 per {secrets.randbelow(50) + 7} minutes"
    first_app = make_app(rate_limit=limit, rate_limit_storage_url=REDIS_URL)
    second_app = make_app(rate_limit=limit, rate_limit_storage_url=REDIS_URL)
    with (
        TestClient(first_app, client=(address, 1000)) as first,
        TestClient(second_app, client=(address, 2000)) as second,
    ):
        assert entities(first, tenant).headers["x-ratelimit-remaining"] == "2"
        assert entities(second, tenant).headers["x-ratelimit-remaining"] == "1"
        assert entities(first, tenant).headers["x-ratelimit-remaining"] == "0"
        assert entities(second, tenant).status_code == 429
        assert entities(first, tenant).status_code == 429
