"""CPU per request, the server's and the database server's, for GETs served in-process.

    python -m bench.db_cpu --db postgresql+psycopg://postgres@localhost/wrenchwork_bench_100000 \
        --generated bench/out/db/wrenchwork_bench-postgresql-100000.json --requests 300 --only "detail,list"

On a loaded two-core machine requests per second swing with whatever else runs; CPU time per request does far
less. Each target of bench/targets.py (GETs only) is requested `--warmup` times and then `--requests` times
through Starlette's TestClient in this process; what is reported per request is this process's CPU
(`time.process_time()`, so the test client's share is in it) and, on PostgreSQL, that of every backend connected
to the database (the run time in `/proc/<pid>/schedstat`, nanoseconds), i.e. parsing, planning and executing
the request's statements. `--generated` is the record `python -m bench.run` writes of the data it generated
(token, entity and sample ids).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text

from bench.targets import TARGETS, Target
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.db import make_engine


@dataclass(frozen=True)
class Cost:
    target: str
    server_ms: float
    database_ms: float | None


def _backends_ns(observer: Engine, database: str) -> dict[int, int]:
    """Run time so far of every client backend connected to `database` but the observer's own."""
    with observer.connect() as conn:
        pids = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db AND backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        ).scalars()
        found = {}
        for pid in pids:
            try:
                found[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue
        return found


def measure(
    client: TestClient, headers: dict[str, str], path: str, warmup: int, requests: int, observer: Engine | None
) -> tuple[float, float | None]:
    for _ in range(warmup):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    database = make_url(str(observer.url)).database if observer is not None else None
    before = _backends_ns(observer, database or "") if observer is not None else {}
    started = time.process_time()
    for _ in range(requests):
        client.get(path, headers=headers)
    server = (time.process_time() - started) / requests * 1000
    if observer is None:
        return server, None
    after = _backends_ns(observer, database or "")
    used = sum(ns - before.get(pid, 0) for pid, ns in after.items())
    return server, used / requests / 1e6


def targets(only: str) -> list[Target]:
    chosen = []
    for resource_targets in TARGETS.values():
        for target in resource_targets:
            if target.method == "GET" and any(part in target.name for part in only.split(",")):
                chosen.append(target)
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CPU per request of the server and of PostgreSQL")
    parser.add_argument("--db", required=True, help="the database URL the data was generated into")
    parser.add_argument("--generated", required=True, type=Path, help="the record bench.run wrote of the data")
    parser.add_argument("--only", default="list,detail,search,name_cont", help="targets whose name contains one")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="every target this many times, in turn")
    args = parser.parse_args(argv)

    generated = json.loads(args.generated.read_text())["generated"]
    headers = {"Authorization": f"Bearer {generated['token']}", "X-Entity-Id": str(generated["entity_id"])}
    settings = Settings(
        database_url=args.db,
        data_dir=Path(tempfile.mkdtemp(prefix="db-cpu-")),
        rate_limit="",
        log_level="WARNING",
        scheduler_interval=0,
        statistics_interval=0,
    )
    postgres = make_url(args.db).get_backend_name() == "postgresql"
    observer = make_engine(args.db, pool_size=1) if postgres else None
    chosen = targets(args.only)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        print(f"{'target':<36} {'server ms':>10} {'database ms':>12}")
        for _ in range(args.rounds):
            for target in chosen:
                path = target.resolve(generated["sample_ids"])
                server, database = measure(client, headers, path, args.warmup, args.requests, observer)
                shown = f"{database:12.3f}" if database is not None else f"{'':>12}"
                print(f"{target.name:<36} {server:10.3f} {shown}", flush=True)
    if observer is not None:
        observer.dispose()


if __name__ == "__main__":
    main()
