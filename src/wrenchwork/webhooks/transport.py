"""The delivery's HTTP client: keep-alive connections of the standard library's `http.client`.

Why not httpx, which the rest of the project uses: a delivery is one small POST after another, and httpx's layers
(request and header models, httpcore's pool, h11) cost about 650 us of CPU per message on this project's machine
against 175 us for `http.client` (docs/performance.md, "Delivery throughput"): that was the delivery's limit to a
fast receiver. What a delivery needs is small and all here: a POST with a few headers, no redirect followed
(`http.client` follows none), a timeout on every connect, send and receive, at most a few KB of the answer read,
and a connection to the address the SSRF check chose (webhooks/addresses.py) while the URL's host name stays the
Host header and the TLS server name. `http.client` sets TCP_NODELAY and sends a small message's headers and body
in one write."""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any

import httpx

from wrenchwork.webhooks.addresses import Target

KEEP_IDLE_S = 5.0  # an idle connection older than this is closed rather than reused (receivers drop them)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    excerpt: bytes  # the first bytes of the body, at most the cap asked for


class _Tls(http.client.HTTPSConnection):
    """TLS to an address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, port: int, server_name: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.server_name = server_name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)  # type: ignore[attr-defined]


class Client:
    """Connections kept per address and TLS name, each used by one thread at a time (webhooks are sent side by
    side, each webhook's messages one after the other)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idle: dict[tuple[str, str, int, str], list[tuple[http.client.HTTPConnection, float]]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    def post(self, target: Target, body: bytes, headers: dict[str, str], cap: int) -> Answer:
        """Raises TimeoutError, OSError (refused, reset, TLS) or http.client.HTTPException (a broken answer)."""
        key = (target.scheme, target.host, target.port, target.server_name)
        connection, reused = self._take(key, target)
        try:
            answer, keep = self._exchange(connection, target, body, headers, cap)
        except ConnectionError:
            connection.close()
            if not reused:
                raise
            # The receiver closed the idle connection meanwhile: once more on a new one (it may have the message
            # already: at least once, with the same webhook-id).
            connection, _ = self._take(key, target, fresh=True)
            try:
                answer, keep = self._exchange(connection, target, body, headers, cap)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        if keep:
            with self._lock:
                self._idle.setdefault(key, []).append((connection, time.monotonic()))
        else:
            connection.close()
        return answer

    def _exchange(
        self, connection: http.client.HTTPConnection, target: Target, body: bytes, headers: dict[str, str], cap: int
    ) -> tuple[Answer, bool]:
        connection.request("POST", target.path, body=body, headers={"Host": target.host_header, **headers})
        response = connection.getresponse()
        excerpt = response.read(cap)
        keep = response.isclosed() and not response.will_close  # the whole answer read, and the server keeps it
        return Answer(response.status, response.headers, excerpt), keep

    def _take(
        self, key: tuple[str, str, int, str], target: Target, fresh: bool = False
    ) -> tuple[http.client.HTTPConnection, bool]:
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and not fresh:
                connection, since = idle.pop()
                if now - since < KEEP_IDLE_S:
                    return connection, True
                connection.close()
        if target.scheme == "https":
            if self._tls is None:
                self._tls = httpx.create_ssl_context(trust_env=False)
            return _Tls(target.host, target.port, target.server_name, self.timeout, self._tls), False
        return http.client.HTTPConnection(target.host, target.port, timeout=self.timeout), False

    def close(self) -> None:
        with self._lock:
            for connections in self._idle.values():
                for connection, _ in connections:
                    connection.close()
            self._idle.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()
