"""`wrenchwork serve` as a real process: the first start's curl line names the address actually served."""

from __future__ import annotations

import httpx
import pytest

from tests.cli.support import Cli, bearer, free_port, serving, wait_until_up

FIRST_START = r'curl -H "Authorization: Bearer (\S+)" (\S+)/api/v1/entities'


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_first_start_prints_the_address_it_serves(wrenchwork: Cli, host: str) -> None:
    port = free_port()

    with serving(wrenchwork.env, "--host", host, "--port", str(port)) as server:
        token, base = server.read_until(FIRST_START).groups()

        assert base == f"http://127.0.0.1:{port}"  # a wildcard address is reached through the loopback one
        wait_until_up(base)
        answer = httpx.get(f"{base}/api/v1/entities", headers=bearer(token), timeout=10)
        assert answer.status_code == 200, answer.text
        assert [e["name"] for e in answer.json()["data"]] == ["Main Facility"]


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("192.168.1.20", 80, "http://192.168.1.20:80"),
        ("localhost", 9000, "http://localhost:9000"),
        ("::", 8080, "http://[::1]:8080"),
        ("::1", 8080, "http://[::1]:8080"),
        ("fe80::1", 8080, "http://[fe80::1]:8080"),
    ],
)
def test_served_url(host: str, port: int, url: str) -> None:
    from wrenchwork.cli import served_url

    assert served_url(host, port) == url
