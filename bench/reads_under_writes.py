"""Reads while others write: the work order list's latency alone, then with clients creating work orders.

    python -m bench.reads_under_writes [--rows 100000] [--readers 8] [--writers 8] [--workers 1,2] [--duration 10]

For each worker count: a generated database (bench/generate.py: `--rows` work orders and what they refer to),
`wrenchwork serve --workers N` on it, then two phases of `--duration` seconds (after `--warmup` unmeasured ones):
`--readers` clients loading `GET /work_orders?per_page=50` back to back alone, then the same readers while
`--writers` more clients send `POST /work_orders` back to back. Reports the readers' p50/p99 in both phases and
their ratio (the target: the list's p99 with writers at most twice its read-only p99), and the writers' rate.
On SQLite a GET is a read transaction that waits for no writer (core/db.py); before, every request queued for
the write lock. The clients share the machine's CPU with the server: compare figures from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import servers
from bench.contention import START_TIMEOUT_S, percentile, wrenchwork_argv
from bench.generate import generate
from bench.targets import SUPPORT

REPO = Path(__file__).resolve().parent.parent
LIST_PATH = "/api/v1/work_orders?per_page=50"


@dataclass
class Phase:
    reads_ms: list[float] = field(default_factory=list)
    writes: int = 0
    failures: int = 0


@dataclass(frozen=True)
class Result:
    workers: int
    alone_p50: float
    alone_p99: float
    alone_rate: float
    mixed_p50: float
    mixed_p99: float
    mixed_rate: float
    writes_per_s: float
    failures: int

    @property
    def ratio(self) -> float:
        return self.mixed_p99 / self.alone_p99


async def reader(client: httpx.AsyncClient, measure_from: float, stop_at: float, phase: Phase) -> None:
    while (started := time.monotonic()) < stop_at:
        response = await client.get(LIST_PATH)
        if response.status_code != 200:
            phase.failures += 1
        elif started >= measure_from:
            phase.reads_ms.append((time.monotonic() - started) * 1000)


async def writer(client: httpx.AsyncClient, measure_from: float, stop_at: float, phase: Phase) -> None:
    body = {"work_order": {"title": "Inspect the conveyor belt", "priority": "low"}}
    while (started := time.monotonic()) < stop_at:
        response = await client.post("/api/v1/work_orders", json=body)
        if response.status_code != 201:
            phase.failures += 1
        elif started >= measure_from:
            phase.writes += 1


async def run_phase(
    base_url: str, headers: dict[str, str], readers: int, writers: int, warmup: float, seconds: float
) -> Phase:
    phase = Phase()
    measure_from = time.monotonic() + warmup
    stop_at = measure_from + seconds
    clients = [httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) for _ in range(readers + writers)]
    try:
        await asyncio.gather(
            *(reader(c, measure_from, stop_at, phase) for c in clients[:readers]),
            *(writer(c, measure_from, stop_at, phase) for c in clients[readers:]),
        )
    finally:
        for client in clients:
            await client.aclose()
    return phase


def run_one(database: Path, token: str, entity_id: int, workers: int, args: argparse.Namespace) -> Result:
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="wrenchwork-reads-"))
    env = {
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_DATABASE_URL": f"sqlite:///{database}",
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
        "WRENCHWORK_SCHEDULER_INTERVAL": "0",
    }
    headers = {"Authorization": f"Bearer {token}", "X-Entity-Id": str(entity_id)}
    try:
        argv = wrenchwork_argv(port, workers)
        log = data_dir / "server.log"
        with servers.serve(argv, env, base_url + "/readyz", log, cwd=REPO, timeout=START_TIMEOUT_S):
            time.sleep(2)  # every worker started
            alone = asyncio.run(run_phase(base_url, headers, args.readers, 0, args.warmup, args.duration))
            mixed = asyncio.run(run_phase(base_url, headers, args.readers, args.writers, args.warmup, args.duration))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return Result(
        workers=workers,
        alone_p50=round(percentile(alone.reads_ms, 0.5), 1),
        alone_p99=round(percentile(alone.reads_ms, 0.99), 1),
        alone_rate=len(alone.reads_ms) / args.duration,
        mixed_p50=round(percentile(mixed.reads_ms, 0.5), 1),
        mixed_p99=round(percentile(mixed.reads_ms, 0.99), 1),
        mixed_rate=len(mixed.reads_ms) / args.duration,
        writes_per_s=mixed.writes / args.duration,
        failures=alone.failures + mixed.failures,
    )


def table(results: list[Result], readers: int, writers: int) -> str:
    lines = [
        f"| workers | list alone ({readers} readers): req/s, p50, p99 ms | with {writers} writers: req/s, p50, p99 ms "
        "| p99 ratio | creates/s | failures |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | {r.alone_rate:,.0f}, {r.alone_p50}, {r.alone_p99} | {r.mixed_rate:,.0f}, {r.mixed_p50}, "
            f"{r.mixed_p99} | **{r.ratio:.2f}** | {r.writes_per_s:,.0f} | {r.failures} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reads_under_writes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="work orders generated (default: 100000)")
    parser.add_argument("--readers", type=int, default=8, help="clients loading the list (default: 8)")
    parser.add_argument("--writers", type=int, default=8, help="clients creating work orders (default: 8)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default: 1,2)")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per phase (default: 10)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds per phase (default: 2)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="wrenchwork-reads-db-"))
    try:
        results = []
        for workers in (int(w) for w in args.workers.split(",") if w.strip()):
            # A fresh copy per worker count: the writers of one run would grow the next one's table.
            database = work / f"workers-{workers}.db"
            counts = {"entities": 1} | SUPPORT["work_orders"](args.rows) | {"work_orders": args.rows}
            generated = generate(f"sqlite:///{database}", counts)
            result = run_one(database, generated.token, generated.entity_id, workers, args)
            print(
                f"workers {workers}: list p99 {result.alone_p99} ms alone, {result.mixed_p99} ms with writers",
                flush=True,
            )
            results.append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(results, args.readers, args.writers))


if __name__ == "__main__":
    main()
