"""Write contention: many clients restocking one part at once, through `wrenchwork serve --workers N`.

    python -m bench.contention [--workers 1,2] [--clients 32] [--duration 10] [--database-url URL]

For each worker count: a fresh database (a SQLite file in a temporary data directory, or a database created for
the run on the PostgreSQL server `--database-url` names; `serve` migrates it), `wrenchwork serve --workers N` on a
free local port with the rate limit off, one part created through the API, then `--clients` concurrent clients
(asyncio + httpx, one keep-alive connection each) send `PATCH /parts/{id}/restock` back to back for `--warmup` +
`--duration` seconds; only the requests that start after the warm-up are measured. Every restock of the one part
needs the database's write lock (on PostgreSQL the part's row lock), so this measures how fairly writers queue for
it. Reports p50/p90/p99/max latency, requests/s and the non-2xx answers, and checks that the part's `on_hand_qty`
equals what the successful restocks added (no lost update). The client takes part of the machine's CPU too:
compare figures from one run, on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import make_url, text

from bench import servers
from wrenchwork.core.db import make_engine

REPO = Path(__file__).resolve().parent.parent
TOKEN = "ww_contention-bench-token-0123456789"
QUANTITY = Decimal("1.5")
START_TIMEOUT_S = 180  # several workers importing the app on a busy machine


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    succeeded: int = 0  # every 2xx restock, warm-up included: what the part's stock must have grown by


@dataclass(frozen=True)
class Result:
    workers: int
    clients: int
    seconds: float
    requests: int
    errors: dict[int, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    stock_ok: bool
    connections: list[int]

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def connections_per_worker(server_pid: int, port: int) -> list[int]:
    """How many of the clients' connections each worker holds (Linux /proc; empty elsewhere). The workers share
    one listening socket and the kernel hands each new connection to whichever accepts first, so the split can be
    uneven, and the writers of one process then wait longer than the other's."""
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port:04X}") and fields[3] == "01":
                established.add(fields[9])
        counts = []
        workers = [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        for pid in workers or [str(server_pid)]:
            fds = Path(f"/proc/{pid}/fd")
            sockets = {os.readlink(fd).removeprefix("socket:[").rstrip("]") for fd in fds.iterdir()}
            counts.append(len(sockets & established))
        return counts
    except OSError:
        return []


def wrenchwork_argv(port: int, workers: int) -> list[str]:
    script = Path(sys.executable).with_name("wrenchwork")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from wrenchwork.cli import app; app()"]
    return [*command, "serve", "--host", servers.HOST, "--port", str(port), "--workers", str(workers)]


async def restock_loop(
    base_url: str, headers: dict[str, str], path: str, delay: float, measure_from: float, stop_at: float, tally: Tally
) -> None:
    body = {"quantity": str(QUANTITY), "cost": "2.50", "note": "contention bench"}
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
        while (started := time.monotonic()) < stop_at:
            response = await client.patch(path, json=body)
            elapsed_ms = (time.monotonic() - started) * 1000
            if response.is_success:
                tally.succeeded += 1
            if started >= measure_from:
                tally.latencies_ms.append(elapsed_ms)
                tally.statuses[response.status_code] += 1


async def load(base_url: str, headers: dict[str, str], path: str, clients: int, warmup: float, seconds: float) -> Tally:
    tally = Tally()
    measure_from = time.monotonic() + warmup
    stop_at = measure_from + seconds
    # Clients connect one after the other over the first half of the warm-up, as they would to a live server: all
    # at once, the first worker to wake would accept every connection.
    step = warmup / 2 / clients
    await asyncio.gather(
        *(restock_loop(base_url, headers, path, i * step, measure_from, stop_at, tally) for i in range(clients))
    )
    return tally


@contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """An empty database of its own on the server `server_url` names (none: a SQLite file in the data directory),
    dropped afterwards."""
    if not server_url:
        yield ""
        return
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_one(workers: int, clients: int, warmup: float, seconds: float, server_url: str) -> Result:
    data_dir = Path(tempfile.mkdtemp(prefix="wrenchwork-contention-"))
    with fresh_database(server_url, f"wrenchwork_contention_{os.getpid()}_{workers}") as database_url:
        return _run(data_dir, database_url, workers, clients, warmup, seconds)


def _run(data_dir: Path, database_url: str, workers: int, clients: int, warmup: float, seconds: float) -> Result:
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    env = {
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_DATABASE_URL": database_url,
        "WRENCHWORK_BOOTSTRAP_API_KEY": TOKEN,
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
    }
    log = data_dir / "server.log"
    try:
        argv = wrenchwork_argv(port, workers)
        with servers.serve(argv, env, base_url + "/readyz", log, cwd=REPO, timeout=START_TIMEOUT_S) as process:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            entity_id = httpx.get(base_url + "/api/v1/entities", headers=auth).json()["data"][0]["id"]
            headers = auth | {"X-Entity-Id": str(entity_id)}
            created = httpx.post(
                base_url + "/api/v1/parts", headers=headers, json={"part": {"name": "Contended filter"}}
            ).json()
            part_id = created["data"]["id"]
            time.sleep(2)  # every worker started
            path = f"/api/v1/parts/{part_id}/restock"
            # Counted once the clients are connected, from a thread: the load runs on this one.
            split: list[int] = []
            counter = threading.Timer(warmup, lambda: split.extend(connections_per_worker(process.pid, port)))
            counter.start()
            tally = asyncio.run(load(base_url, headers, path, clients, warmup, seconds))
            counter.join()
            part = httpx.get(f"{base_url}/api/v1/parts/{part_id}", headers=headers).json()["data"]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    stock_ok = Decimal(str(part["on_hand_qty"])) == QUANTITY * tally.succeeded
    latencies = tally.latencies_ms
    return Result(
        workers=workers,
        clients=clients,
        seconds=seconds,
        requests=len(latencies),
        errors={status: n for status, n in sorted(tally.statuses.items()) if status >= 300},
        p50_ms=round(percentile(latencies, 0.50), 1),
        p90_ms=round(percentile(latencies, 0.90), 1),
        p99_ms=round(percentile(latencies, 0.99), 1),
        max_ms=round(max(latencies), 1),
        stock_ok=stock_ok,
        connections=split,
    )


def table(results: list[Result]) -> str:
    lines = [
        "| workers | clients (per worker) | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | stock adds up |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        split = "/".join(map(str, r.connections)) or "?"
        errors = ", ".join(f"{status}: {n}" for status, n in r.errors.items()) or "none"
        lines.append(
            f"| {r.workers} | {r.clients} ({split}) | {r.requests_per_s:,.0f} | {r.p50_ms} | {r.p90_ms} | {r.p99_ms} | "
            f"{r.max_ms} | {errors} | {'yes' if r.stock_ok else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.contention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default: 1,2)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default: 32)")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per run (default: 10)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds first (default: 2)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("WRENCHWORK_BENCH_DATABASE_URL", ""),
        help="a PostgreSQL server (any database on it) to run on instead of SQLite: each run creates and drops "
        "a database of its own there",
    )
    args = parser.parse_args(argv)
    # Stopped from outside: still stop the server (servers.serve's `finally`) and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results = []
    for workers in (int(w) for w in args.workers.split(",") if w.strip()):
        result = run_one(workers, args.clients, args.warmup, args.duration, args.database_url)
        print(f"workers {workers}: {result.requests_per_s:,.0f} req/s, p99 {result.p99_ms} ms", flush=True)
        results.append(result)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
