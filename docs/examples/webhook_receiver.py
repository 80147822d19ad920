"""A webhook receiver that checks wrenchwork's signatures with the standard library only (docs/api.md, "Webhooks").

Run: WEBHOOK_SECRET=whsec_... python webhook_receiver.py  (listens on port 8080)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_S = 300  # refuse messages signed more than 5 minutes away from now (replays)


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, object]:
    """The event if one of the `webhook-signature` entries is valid for `secret`, else ValueError."""
    headers = {k.lower(): v for k, v in headers.items()}
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_S:
        raise ValueError("timestamp too far from now")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in headers["webhook-signature"].split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return dict(json.loads(body))
    raise ValueError("no valid signature")


class Handler(BaseHTTPRequestHandler):
    seen: set[str] = set()  # webhook-ids already handled: a message may come twice (at-least-once delivery)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = verify(os.environ["WEBHOOK_SECRET"], dict(self.headers), body)
        except (KeyError, ValueError):
            self.send_response(400)
            self.end_headers()
            return
        if self.headers["webhook-id"] not in self.seen:
            self.seen.add(self.headers["webhook-id"])
            print(event["type"], event["data"])
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("", 8080), Handler).serve_forever()
