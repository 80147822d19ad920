"""What the event outbox adds to a work order's create and update, as CPU time, side by side in one process.

    .venv/bin/python -m bench.outbox_cost [--databases sqlite,postgresql] [--postgres-url URL] [--requests 600]
        [--rounds 3]

The same app serves POST /work_orders and PATCH /work_orders/{id} with the outbox's session hooks attached and
detached pair by pair, in ABBA order (on, off, off, on, ...), so the growing tables and any drift hit both sides
alike. Each request's CPU time is this process's (`time.process_time`: every thread, the app's event loop
included); PostgreSQL's own work is in its server process and not counted, so the ratio is the outbox's cost in
the server. CPU time is measured rather than wall time because it is hardly moved by other processes on the
machine; bench/webhooks.py measures the wall-clock latency too.

Each database in turn (PostgreSQL: a fresh `wrenchwork_bench_outbox` on the server `--postgres-url` or
`$WRENCHWORK_BENCH_POSTGRES_URL` names, else a throwaway cluster, bench/postgres.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from bench.webhooks import _app, _outbox

KINDS = ("create", "update")


def measure(url: str, data_dir: Path, requests: int, rounds: int) -> dict[str, dict[str, float]]:
    from fastapi.testclient import TestClient

    from wrenchwork.system.bootstrap import create_customer

    app = _app(url, data_dir)
    try:
        with app.state.sessionmaker() as session:
            made = create_customer(session, "Bench", "Main", "bench@example.com", "Ben", "Ch")
            session.commit()
        headers = {"Authorization": f"Bearer {made.token}", "X-Entity-Id": str(made.entity.id)}
        cpu: dict[tuple[str, bool], list[float]] = {(k, on): [] for k in KINDS for on in (True, False)}
        with TestClient(app) as client:
            for n in range(100):  # warm-up, both ways
                _outbox(n % 2 == 0)
                made_ = client.post("/api/v1/work_orders", json={"work_order": {"title": "warm"}}, headers=headers)
                client.patch(f"/api/v1/work_orders/{made_.json()['data']['id']}",
                             json={"work_order": {"priority": "low"}}, headers=headers)  # fmt: skip
            for _round in range(rounds):
                for n in range(requests):
                    on = n % 4 in (0, 3)
                    _outbox(on)
                    started = time.process_time()
                    made_ = client.post("/api/v1/work_orders", json={"work_order": {"title": f"W{n}"}}, headers=headers)
                    cpu[("create", on)].append(time.process_time() - started)
                    assert made_.status_code == 201, made_.text
                    body = {"work_order": {"title": f"W{n}b", "priority": "high"}}
                    started = time.process_time()
                    changed = client.patch(f"/api/v1/work_orders/{made_.json()['data']['id']}", json=body,
                                           headers=headers)  # fmt: skip
                    cpu[("update", on)].append(time.process_time() - started)
                    assert changed.status_code == 200, changed.text
        _outbox(True)
    finally:
        app.state.engine.dispose()
    found = {}
    for kind in KINDS:
        on, off = cpu[(kind, True)], cpu[(kind, False)]
        found[kind] = {
            "on_us": statistics.median(on) * 1e6, "off_us": statistics.median(off) * 1e6,
            "mean_on_us": statistics.fmean(on) * 1e6, "mean_off_us": statistics.fmean(off) * 1e6,
        }  # fmt: skip
        found[kind]["ratio"] = found[kind]["on_us"] / found[kind]["off_us"]
        found[kind]["mean_ratio"] = found[kind]["mean_on_us"] / found[kind]["mean_off_us"]
    return found


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    rows = ["| database | request | CPU median on / off (ratio) | CPU mean on / off (ratio) |", "|---|---|---:|---:|"]
    for name, found in results.items():
        for kind in KINDS:
            r = found[kind]
            rows.append(
                f"| {name} | {kind} | {r['on_us']:.0f} / {r['off_us']:.0f} us (**{r['ratio']:.3f}**) "
                f"| {r['mean_on_us']:.0f} / {r['mean_off_us']:.0f} us ({r['mean_ratio']:.3f}) |"
            )
    return "\n".join(rows)


def main() -> None:
    from bench import postgres

    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("WRENCHWORK_BENCH_POSTGRES_URL"))
    parser.add_argument("--postgres-db", default="wrenchwork_bench_outbox", help="database created on the server")
    parser.add_argument("--requests", type=int, default=600, help="create+update pairs per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    wanted = args.databases.split(",")
    results: dict[str, dict[str, dict[str, float]]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres.server(args.postgres_url) if "postgresql" in wanted else nullcontext() as server,
    ):
        targets = []
        if "sqlite" in wanted:
            targets.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"))
        if "postgresql" in wanted and server is not None:
            targets.append(("PostgreSQL", postgres.fresh_database(server, args.postgres_db)))
        for name, url in targets:
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            results[name] = measure(url, data_dir, args.requests, args.rounds)
            print(f"{name}: {results[name]}", flush=True)
    print(table(results))


if __name__ == "__main__":
    sys.exit(main())
