"""CPU per request in-process: requests sent straight to the ASGI app, one at a time, no HTTP and no load.

Under `wrk` on a 2-core machine a figure moves with whatever else runs; here each request's CPU is read from
`time.process_time` (every thread of the process: writes run on writer threads), so a change's cost shows up even
on a busy machine. It leaves out what the HTTP server and the kernel add, which the baseline pays too.

    python -m bench.inproc --db sqlite:///tmp/w.db --token TOKEN \\
        "/api/v1/assets?per_page=50&search=005000" "PATCH /api/v1/parts/17/restock {\\"quantity\\": 1}"

A target is a path (GET), or `METHOD PATH [JSON body]`. For each: a warm-up, then `--rounds` rounds of
`--requests` requests; it prints the median and lowest round's CPU and wall milliseconds per request. Every
answer must be a 2xx. Writes change the database: point it at a copy. `py-spy record --pid` on this loop shows
where a request's time goes without the HTTP server's share.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wrenchwork.app import create_app
from wrenchwork.config import Settings

Message = MutableMapping[str, Any]
App = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes

    @classmethod
    def parse(cls, target: str) -> Request:
        parts = target.split(" ", 2)
        if len(parts) == 1:
            return cls("GET", target, b"")
        return cls(parts[0].upper(), parts[1], (parts[2] if len(parts) == 3 else "").encode())


async def send(app: App, request: Request, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    url = urlsplit(request.path)
    scope: Message = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": url.path,
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(request.body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    received = False
    status, chunks = 0, []

    async def receive() -> Message:
        nonlocal received
        if received:
            await asyncio.Event().wait()  # no disconnect while the request runs
        received = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def respond(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, respond)
    return status, b"".join(chunks)


async def measure(app: App, request: Request, headers: list[tuple[bytes, bytes]], count: int) -> tuple[float, float]:
    """CPU and wall milliseconds per request over `count` requests."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        status, body = await send(app, request, headers)
        if not 200 <= status < 300:
            raise SystemExit(f"{request.method} {request.path} answered {status}: {body[:300]!r}")
    return 1000 * (time.process_time() - cpu) / count, 1000 * (time.perf_counter() - wall) / count


async def run(args: argparse.Namespace) -> None:
    app: Any = create_app(Settings(database_url=args.db, rate_limit="", scheduler_interval=0, log_level="WARNING"))
    headers = [
        (b"authorization", f"Bearer {args.token}".encode()),
        (b"x-entity-id", str(args.entity).encode()),
        (b"content-type", b"application/json"),
        (b"host", b"127.0.0.1"),
    ]
    async with app.router.lifespan_context(app):
        for target in args.targets:
            request = Request.parse(target)
            await measure(app, request, headers, args.warmup)
            rounds = [await measure(app, request, headers, args.requests) for _ in range(args.rounds)]
            cpu = [r[0] for r in rounds]
            wall = [r[1] for r in rounds]
            print(
                f"{statistics.median(cpu):7.3f} ms CPU (min {min(cpu):.3f})  "
                f"{statistics.median(wall):7.3f} ms wall (min {min(wall):.3f})  {request.method} {request.path}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL of a generated database (bench.generate)")
    parser.add_argument("--token", required=True, help="the generated admin's API token")
    parser.add_argument("--entity", type=int, default=1, help="X-Entity-Id (bench.generate's main entity: 1)")
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=50, help="requests before the rounds")
    parser.add_argument("targets", nargs="+", help="PATH, or METHOD PATH [JSON body]")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
