"""PM generation under load: how long a pass over many due schedules takes, and how the work order list answers
meanwhile (issue #14: 10,000 due at once in under 60 s on SQLite, `GET /work_orders` p99 under 100 ms).

    python -m bench.pm_pass [--schedules 10000] [--work-orders 100000] [--mode thread|process] [--rate 50]

1. bench/pm_data.py makes the database: `--work-orders` work orders and `--schedules` daily schedules, parked.
2. One server process serves it (uvicorn, as bench/run.py does). `--mode thread`: the server's own background
   passes do the work (WRENCHWORK_SCHEDULER_INTERVAL=0.5, the embedded default shape); `--mode process`: the
   server does not generate, a `wrenchwork scheduler --once` process started at the release does.
3. `--clients` connections ask for the work order list (`GET /work_orders`, the default first page) at `--rate`
   requests a second in all (0: back to back) for the whole run; each request's latency is counted from when it
   was due, so one held up behind a slow one counts its wait too.
4. After `--before` seconds the schedules are released (all due at that instant); the run ends once every one
   has its work order, and the clients keep going `--after` seconds more.
5. The pass is the span from the first run row to the last (their `created_at`); the list's latencies are those
   of the requests started within it, beside those of the requests before the release. The database is checked:
   exactly one work order per schedule.

Results: a markdown table on stdout and bench/out/pm-<stamp>.md, the raw figures in bench/out/pm-<stamp>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import cpu, pm_data, report, servers
from wrenchwork.core.db import make_engine
from wrenchwork.models import PmScheduleRun, WorkOrder

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
SCHEDULER = [sys.executable, "-c", "from wrenchwork.cli import app; app()", "scheduler", "--once"]


@dataclass
class Sample:
    started: float  # time.time() at the request's start
    ms: float
    status: int


@dataclass
class Latency:
    requests: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    errors: int

    @classmethod
    def of(cls, samples: list[Sample]) -> Latency:
        ms = sorted(s.ms for s in samples)
        errors = sum(1 for s in samples if s.status != 200)
        if not ms:
            return cls(0, None, None, None, None, errors)

        def pct(q: float) -> float:
            return round(ms[min(len(ms) - 1, int(q * len(ms)))], 1)

        return cls(len(ms), round(statistics.median(ms), 1), pct(0.90), pct(0.99), round(ms[-1], 1), errors)


@dataclass
class Result:
    mode: str
    schedules: int
    work_orders: int
    clients: int
    rate: float
    pass_seconds: float  # first to last run row
    release_to_done_seconds: float  # from the release until every schedule had its work order (polled)
    schedules_per_s: float
    during: Latency
    before: Latency
    server_cpu_pct: float | None
    other_cpu_pct: float | None
    made: int
    duplicates: int
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the release and after
    settings: dict[str, Any] = field(default_factory=dict)


class Clients:
    """`count` threads asking for one path on keep-alive connections, `rate` requests a second in all (each thread
    on its own fixed schedule), or back to back when `rate` is 0. A request's latency is counted from the moment
    it was due, not from when it could be sent: a request held up behind a slow one is late by the wait too."""

    def __init__(self, port: int, path: str, headers: dict[str, str], count: int, rate: float) -> None:
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        period = count / rate if rate else 0.0
        self._threads = [
            threading.Thread(target=self._run, args=(port, path, headers, period, n * period / count), daemon=True)
            for n in range(count)
        ]

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _run(self, port: int, path: str, headers: dict[str, str], period: float, offset: float) -> None:
        connection = http.client.HTTPConnection(servers.HOST, port, timeout=60)
        due = time.perf_counter() + offset
        while not self._stop.is_set():
            if period:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            else:
                due = time.perf_counter()
            started = time.time() - (time.perf_counter() - due)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(servers.HOST, port, timeout=60)
                status = 0
            sample = Sample(started, (time.perf_counter() - due) * 1000, status)
            with self._lock:
                self.samples.append(sample)
            due += period
        connection.close()


def run(args: argparse.Namespace) -> Result:
    out: Path = args.out
    db = out / "db" / "pm-pass.db"
    url = f"sqlite:///{db}"
    print(f"generating {args.schedules:,} schedules and {args.work_orders:,} work orders ...", flush=True)
    data = pm_data.make(url, args.schedules, args.work_orders, args.part_every)
    generated = data.generated
    engine = make_engine(url)
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    interval = "0.5" if args.mode == "thread" else "0"
    env = {"WRENCHWORK_DATABASE_URL": url, "WRENCHWORK_RATE_LIMIT": "0", "WRENCHWORK_LOG_LEVEL": "WARNING",
           "WRENCHWORK_SCHEDULER_INTERVAL": interval}  # fmt: skip
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    argv = servers.uvicorn_argv("wrenchwork.app:create_app", port, "--factory")
    log = out / "logs" / "pm-pass-server.log"
    with (
        servers.serve(argv, env, base_url + "/readyz", log, cwd=REPO) as server,
        Clients(port, "/api/v1/work_orders", headers, args.clients, args.rate) as clients,
    ):
        time.sleep(args.before)
        released, load_before = time.time(), os.getloadavg()[0]
        before_cpu, cpu_started = cpu.sample(server.pid), time.monotonic()
        pm_data.release(engine, data.schedule_ids, datetime.now(UTC))
        scheduler = None
        if args.mode == "process":
            scheduler_env = os.environ | env
            scheduler = subprocess.Popen(SCHEDULER, env=scheduler_env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + args.timeout
        while pm_data.made(engine) < args.schedules and time.monotonic() < deadline:
            time.sleep(0.2)
        done, load_after = time.time(), os.getloadavg()[0]
        used = cpu.usage(before_cpu, cpu.sample(server.pid), time.monotonic() - cpu_started)
        if scheduler is not None:
            print("  " + (scheduler.communicate(timeout=600)[0] or "").strip(), flush=True)
        time.sleep(args.after)
    first, last, made, duplicates = _runs(engine)
    engine.dispose()
    span = (last - first).total_seconds() if first and last else float("nan")
    during = [s for s in clients.samples if first and last and first.timestamp() <= s.started <= last.timestamp()]
    before = [s for s in clients.samples if s.started < released]
    return Result(
        mode=args.mode,
        schedules=args.schedules,
        work_orders=args.work_orders,
        clients=args.clients,
        rate=args.rate,
        pass_seconds=round(span, 2),
        release_to_done_seconds=round(done - released, 2),
        schedules_per_s=round(made / span, 1) if span and span == span else 0.0,
        during=Latency.of(during),
        before=Latency.of(before),
        server_cpu_pct=used.server_pct if used else None,
        other_cpu_pct=used.other_pct if used else None,
        made=made,
        duplicates=duplicates,
        load_average=(load_before, load_after),
        settings={"part_every": args.part_every, "revision": report.revision(REPO)},
    )


def _runs(engine: Any) -> tuple[datetime | None, datetime | None, int, int]:
    """The first and last run row, how many work orders were generated, and how many schedules have more than one."""
    with engine.connect() as connection:
        first, last, count = connection.execute(
            select(func.min(PmScheduleRun.created_at), func.max(PmScheduleRun.created_at), func.count())
        ).one()
        per_schedule = (
            select(WorkOrder.pm_schedule_id)
            .where(WorkOrder.pm_schedule_id.is_not(None), WorkOrder.type == "preventive")
            .group_by(WorkOrder.pm_schedule_id)
            .having(func.count() > 1)
            .subquery()
        )
        duplicates = connection.scalar(select(func.count()).select_from(per_schedule)) or 0
    return first, last, int(count), int(duplicates)  # min() and max() keep the column's type: aware UTC


def markdown(result: Result) -> str:
    def row(name: str, latency: Latency) -> str:
        return (f"| {name} | {latency.requests:,} | {latency.p50_ms} | {latency.p90_ms} | {latency.p99_ms} | "
                f"{latency.max_ms} | {latency.errors} |")  # fmt: skip

    lines = [
        f"PM pass ({result.mode} mode): {result.made:,} of {result.schedules:,} schedules generated in "
        f"{result.pass_seconds} s ({result.schedules_per_s}/s; release to done {result.release_to_done_seconds} s), "
        f"{result.duplicates} duplicates; {result.work_orders:,} work orders before; {result.clients} list clients "
        f"({f'{result.rate:g} requests/s' if result.rate else 'back to back'}); "
        f"server CPU {result.server_cpu_pct}%, other processes {result.other_cpu_pct}% of a core (the clients, "
        f"and in process mode the scheduler, included); load average {result.load_average[0]:.1f} at the release, "
        f"{result.load_average[1]:.1f} at the end.",
        "",
        "| `GET /work_orders` | requests | p50 ms | p90 ms | p99 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|",
        row("before the release", result.before),
        row("during the pass", result.during),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pm_pass", description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--part-every", type=int, default=5, help="every Nth template assigns a part (0: none)")
    parser.add_argument("--mode", choices=("thread", "process"), default="thread")
    parser.add_argument("--clients", type=int, default=2, help="list clients (connections; default 2)")
    parser.add_argument(
        "--rate", type=float, default=50, help="list requests per second in all (default 50; 0: back to back)"
    )
    parser.add_argument("--before", type=float, default=5, help="seconds of list load before the release")
    parser.add_argument("--after", type=float, default=1, help="seconds of list load after the last work order")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    result = run(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(result)
    (args.out / f"pm-{stamp}.md").write_text(text + "\n")
    (args.out / f"pm-{stamp}.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    print()
    print(text)
    if result.made != result.schedules or result.duplicates:
        raise SystemExit("not every schedule got exactly one work order")


if __name__ == "__main__":
    main()
