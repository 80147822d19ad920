"""Load wrenchwork's endpoints and the raw-ASGI baseline side by side, on the same number of rows, one at a time.

    python -m bench.run [--rows 1000,100000] [--duration 10] [--connections 16] [--postgres-url URL]

For each row count: build the baseline database and serve it (one uvicorn process) to load its list endpoint; then,
for each database (SQLite, then PostgreSQL: the server `--postgres-url` names, or a throwaway cluster that
bench/postgres.py starts; SQLite only when neither can be had), generate the wrenchwork database
(bench/generate.py), serve it the same way and load every target of bench/targets.py. Each target is checked once
(200, and for a list the expected total), warmed up, then loaded with `wrk --latency`. The baseline server stays up,
idle, while wrenchwork's runs, and its list is loaded again right before every wrenchwork list target: a shared
machine's speed drifts by a tenth or more over minutes, and a ratio only means something between two loads run a few
seconds apart. Only one load runs at any time. Results: a markdown table on stdout and in bench/out/, with the raw
JSON beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import checks, cpu, postgres, report, servers, wrk
from bench.generate import Generated, generate
from bench.report import Measurement
from bench.targets import BASELINE, SUPPORT, TARGETS, Target

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
DEFAULT_BASELINE = REPO.parent / "shared" / "bench" / "baseline_app.py"
DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Config:
    rows: list[int]
    load: wrk.Load
    warmup: int
    baseline: Path
    resources: list[str]
    entities: int
    out: Path
    databases: list[str]
    postgres_url: str | None
    only: str = ""  # load only the targets whose name contains this (e.g. "detail")
    reuse: bool = False  # serve the databases a previous run with the same --name generated, as they are
    name: str = "wrenchwork_bench"  # PostgreSQL databases are <name>_<rows>


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,100000", help="comma-separated row counts (default: 1000,100000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target (default: 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default: 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default: 2)")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE, help="path of baseline_app.py")
    parser.add_argument(
        "--resources",
        default=",".join(TARGETS),
        help=f"comma-separated resources to load (default: all of {list(TARGETS)})",
    )
    parser.add_argument("--entities", type=int, default=3, help="entities of the generated customer (default: 3)")
    parser.add_argument("--out", type=Path, default=OUT, help="where results and databases go (default: bench/out)")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated databases to load (default: both)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WRENCHWORK_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server to create the benchmark databases on, e.g. postgresql+psycopg://postgres@host/"
        "postgres (default: $WRENCHWORK_BENCH_POSTGRES_URL, else a throwaway local cluster)",
    )
    parser.add_argument(
        "--only",
        default="",
        help='load only targets whose name contains this (or one of these, comma-separated), e.g. "detail"',
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve the databases that an earlier run with the same --out and --name generated, without generating "
        "them again (the writes of that run stay in them; lists are still checked for the row count)",
    )
    parser.add_argument(
        "--name",
        default="wrenchwork_bench",
        help="PostgreSQL databases are named <name>_<rows> (default: wrenchwork_bench)",
    )
    args = parser.parse_args(argv)
    resources = [r.strip() for r in args.resources.split(",") if r.strip()]
    unknown = sorted(set(resources) - set(TARGETS))
    if unknown:
        parser.error(f"unknown resources {unknown}; known: {sorted(TARGETS)}")
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not databases or set(databases) - set(DATABASES):
        parser.error(f"--databases takes some of {DATABASES}")
    return Config(
        rows=[int(r) for r in args.rows.split(",") if r.strip()],
        load=wrk.Load(args.duration, args.connections, args.threads),
        warmup=args.warmup,
        baseline=args.baseline.resolve(),
        resources=resources,
        entities=args.entities,
        out=args.out.resolve(),
        databases=databases,
        postgres_url=args.postgres_url,
        only=args.only,
        reuse=args.reuse,
        name=args.name,
    )


def check_prerequisites(config: Config) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not on PATH (apt-get install wrk)")
    if not config.baseline.is_file():
        raise SystemExit(f"baseline not found at {config.baseline}; pass --baseline PATH")


def probe(url: str, headers: dict[str, str], target: Target, rows: int | None, at_least: bool = False) -> None:
    """One request before the load: a wrong answer (401, 404, empty list) must not be benchmarked. A list's total
    is checked against `rows` unless it is None; `at_least`: a reused database's lists may have grown since (an
    earlier run's write targets), so the total must only reach it."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    if body.get("status") != "success":
        raise RuntimeError(f"{url} answered {body}")
    if target.is_list and rows is not None:
        total = body["meta"]["pagination"]["total"]
        if (total < rows if at_least else total != rows) or not body["data"]:
            raise RuntimeError(f"{url}: total {total} with {len(body['data'])} items, expected {rows} rows")


@dataclass
class Server:
    name: str  # "baseline" or "wrenchwork"
    base_url: str
    pid: int
    headers: dict[str, str]
    wrote: bool = False  # a write load ran against it


def probe_write(base_url: str, headers: dict[str, str], write: wrk.Write) -> None:
    """One write before the load, as its first request would be: it must succeed."""
    low = write.id_range[0] if write.id_range else 0
    url = base_url + write.path.replace("{n}", str(low))
    data = None if write.body is None else write.body.encode()
    request = urllib.request.Request(
        url, data=data, method=write.method, headers=headers | {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    if body.get("status") != "success":
        raise RuntimeError(f"{write.method} {url} answered {body}")


def measure(
    server: Server,
    target: Target,
    path: str,
    rows: int,
    config: Config,
    write: wrk.Write | None = None,
    database: str = "sqlite",
) -> Measurement:
    url = server.base_url + path
    if write is None:
        # The baseline's creates (BASELINE_CREATE) add to its list: its total is checked only before them.
        reused = config.reuse and server.name != "baseline"
        probe(url, server.headers, target, rows if server.name != "baseline" or not server.wrote else None, reused)
    else:
        url = server.base_url + "/"
        probe_write(server.base_url, server.headers, write)
        server.wrote = True
    if config.warmup:
        wrk.run(url, server.headers, config.load, duration=config.warmup, write=write)
    before, started = cpu.sample(server.pid), time.monotonic()
    result = wrk.run(url, server.headers, config.load, write=write)
    used = cpu.usage(before, cpu.sample(server.pid), time.monotonic() - started)
    measurement = Measurement(
        server=server.name,
        endpoint=target.name,
        path=path,
        rows=rows,
        requests_per_s=result.requests_per_s,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        errors=result.errors,
        server_cpu_pct=used.server_pct if used else None,
        other_cpu_pct=used.other_pct if used else None,
        wrk_output=result.output,
        database=database if server.name != "baseline" else "-",
    )
    label = target.name if server.name == "baseline" else f"{target.name} ({database})"
    print(
        f"  {label:<40} {rows:>8,} rows {result.requests_per_s:>9,.0f} req/s  "
        f"p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms  "
        + (f"server CPU {used.server_pct:.0f}%, others {used.other_pct:.0f}%" if used else ""),
        flush=True,
    )
    return measurement


@contextmanager
def baseline_server(rows: int, config: Config) -> Iterator[Server]:
    db = config.out / "db" / f"baseline-{rows}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(config.baseline), "build", str(db), str(rows)], check=True, timeout=600)
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    argv = servers.uvicorn_argv(f"{config.baseline.stem}:app", port, "--app-dir", str(config.baseline.parent))
    env = {"BASELINE_DB": str(db), "BASELINE_CACHED_COUNT": "1"}
    log = config.out / "logs" / f"baseline-{rows}.log"
    with servers.serve(argv, env, base_url + BASELINE.path, log, cwd=config.baseline.parent) as process:
        yield Server("baseline", base_url, process.pid, {})


def database_url(database: str, rows: int, config: Config, postgres_server: str | None) -> str:
    if database == "sqlite":
        return f"sqlite:///{config.out / 'db' / f'wrenchwork-{rows}.db'}"
    assert postgres_server is not None
    name = f"{config.name}_{rows}"
    if config.reuse and _generated_path(database, rows, config).is_file():
        return postgres.database_url(postgres_server, name)
    return postgres.fresh_database(postgres_server, name)


def _generated_path(database: str, rows: int, config: Config) -> Path:
    """Where a run records what it generated (token, entity, sample ids), for `--reuse`."""
    return config.out / "db" / f"{config.name}-{database}-{rows}.json"


def generated_data(database: str, rows: int, config: Config, url: str, counts: dict[str, int]) -> Generated:
    """The data of this block: generated now, or with `--reuse` the one an earlier run recorded."""
    record = _generated_path(database, rows, config)
    if config.reuse and record.is_file():
        saved = json.loads(record.read_text())
        if saved["requested"] == counts:
            print(f"  reusing {url} (generated by an earlier run)", flush=True)
            ids = saved["generated"]["sample_ids"]
            # Recorded before the write targets had an assignee of their own: the one they assigned then.
            ids.setdefault("assignee", ids.get("work_order_technician", saved["generated"]["admin_id"]))
            return Generated(**(saved["generated"] | {"url": url}))
    generated = generate(url, counts)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"requested": counts, "generated": asdict(generated)}))
    print(f"  generated {generated.counts} in {generated.seconds:.1f}s", flush=True)
    return generated


def bench_wrenchwork(rows: int, config: Config, baseline: Server, database: str, url: str) -> list[Measurement]:
    print(f"  -- {database}", flush=True)
    counts = {"entities": config.entities}
    for name in config.resources:
        counts |= SUPPORT[name](rows) if name in SUPPORT else {}
    counts |= {name: rows for name in config.resources}
    generated = generated_data(database, rows, config, url, counts)
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    argv = servers.uvicorn_argv("wrenchwork.app:create_app", port, "--factory")
    # No PM generation in the background: it would add work orders (and load) while the lists are measured.
    env = {
        "WRENCHWORK_DATABASE_URL": url,
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
        "WRENCHWORK_SCHEDULER_INTERVAL": "0",
    }
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    log = config.out / "logs" / f"wrenchwork-{database}-{rows}.log"
    results: list[Measurement] = []
    with servers.serve(argv, env, base_url + "/readyz", log, cwd=REPO) as process:
        server = Server("wrenchwork", base_url, process.pid, headers)
        for resource in config.resources:
            for target in TARGETS[resource]:
                if not any(part in target.name for part in config.only.split(",")):
                    continue
                path = target.resolve(generated.sample_ids)
                write = None
                if target.baseline is not None:
                    results.append(measure_baseline(baseline, target.baseline, rows, config))
                elif target.is_list:
                    results.append(measure(baseline, BASELINE, BASELINE.path, rows, config))
                if target.method != "GET":
                    body = target.resolve_body(generated.sample_ids)
                    write = wrk.Write(target.method, path, body, target.id_range(generated.sample_ids))
                results.append(measure(server, target, path, rows, config, write, database))
            if resource in checks.CHECKS:
                print("  check: " + checks.CHECKS[resource](base_url, headers, generated.sample_ids), flush=True)
    return results


def measure_baseline(baseline: Server, target: Target, rows: int, config: Config) -> Measurement:
    """A load of one of the baseline's requests; its create is a write load like wrenchwork's writes."""
    write = None if target.method == "GET" else wrk.Write(target.method, target.path, target.body)
    return measure(baseline, target, target.path, rows, config, write)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main(argv: list[str] | None = None) -> None:
    config = parse_args(argv)
    check_prerequisites(config)
    results: list[Measurement] = []
    notes: list[str] = []
    wanted = "postgresql" in config.databases
    context = postgres.server(config.postgres_url) if wanted else _nothing()
    with context as postgres_server:
        databases = [d for d in config.databases if d == "sqlite" or postgres_server is not None]
        if wanted and postgres_server is None:
            notes.append("PostgreSQL was not measured: no server given (--postgres-url) and none could be started.")
        for rows in config.rows:
            print(f"== {rows:,} rows", flush=True)
            with baseline_server(rows, config) as baseline:
                results.append(measure(baseline, BASELINE, BASELINE.path, rows, config))
                for database in databases:
                    url = database_url(database, rows, config, postgres_server)
                    results += bench_wrenchwork(rows, config, baseline, database, url)
    settings: dict[str, Any] = asdict(config) | {
        "baseline": str(config.baseline),
        "out": str(config.out),
        "revision": report.revision(REPO),
    }
    md_path, json_path = report.write(config.out, results, settings, notes)
    print()
    print(report.markdown(results, notes))
    print(f"written: {md_path} and {json_path}")


if __name__ == "__main__":
    main()
