"""A webhook receiver on 127.0.0.1 for the tests: answers as scripted (ok, an error status, 429 with
Retry-After, or too slowly) and records every message it was sent."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[tuple[Any, ...]] = deque()
        self.delay_s = 0.0
        self.lock = threading.Lock()
        self.url = ""

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.script.clear()
            self.delay_s = 0.0

    def answer(self, *steps: tuple[Any, ...]) -> None:
        """The next answers, in order: ("ok",), ("status", 500), ("retry_after", 120), ("hang", seconds)."""
        self.script.extend(steps)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["webhook-id"] for r in self.received]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(set(self.ids())) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"received {len(set(self.ids()))} of {count} messages")
            time.sleep(0.02)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a receiver behind any real web server
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with receiver.lock:
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                step = receiver.script.popleft() if receiver.script else ("ok",)
            if receiver.delay_s:
                time.sleep(receiver.delay_s)
            if step[0] == "hang":
                time.sleep(step[1])
            status, extra = 200, {}
            if step[0] == "status":
                status = step[1]
            elif step[0] == "retry_after":
                status, extra = 429, {"Retry-After": str(step[1])}
            payload = b'{"received": true}'
            try:
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
