"""The delivery's HTTP client (webhooks/transport.py): keep-alive connections reused, and a connection the
receiver closed while it was idle replaced without failing the message."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wrenchwork.webhooks.addresses import target
from wrenchwork.webhooks.transport import Client


@contextmanager
def receiver(drop_after_answer: bool) -> Iterator[tuple[str, list[int]]]:
    """Answers 200 with the request's number; `drop_after_answer`: closes the connection after each answer
    without saying so (as a receiver whose idle timeout is shorter than the sender's)."""
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            ports.append(self.client_address[1])
            body = str(len(ports)).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = drop_after_answer

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook?x=1", ports
    finally:
        server.shutdown()
        server.server_close()


def test_a_connection_is_kept_and_a_dropped_one_replaced() -> None:
    for drop in (False, True):
        with receiver(drop) as (url, ports), Client(timeout=5) as client:
            answers = [client.post(target(url, True), b"{}", {"webhook-id": f"evt_{n}"}, 2048) for n in range(3)]
            assert [(a.status, a.excerpt) for a in answers] == [(200, b"1"), (200, b"2"), (200, b"3")]
            # kept: one connection (one client port); dropped: a new one for each message, none failed
            assert len(set(ports)) == (3 if drop else 1)
