"""A fast webhook receiver in a process of its own (bench/webhooks.py): it answers every POST with 200 at once and
counts the distinct `webhook-id`s it was sent; `GET /count` answers that number. Run in its own interpreter so
that the sender's measured rate is the sender's, not two programs taking turns at one interpreter lock.

    .venv/bin/python -m bench.webhook_receiver   # prints its URL, then serves until killed
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

seen: set[str] = set()
posts = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        global posts
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            seen.add(self.headers.get("webhook-id", ""))
            posts += 1
        self._answer(b'{"received": true}')

    def do_GET(self) -> None:
        with lock:
            self._answer(f'{{"unique": {len(seen)}, "posts": {posts}}}'.encode())

    def _answer(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: Any) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}/hook", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
