"""Events and webhooks, measured (docs/performance.md, "Events and webhooks"):

1. latency: work order create and update with the event outbox on and off, side by side in one process
   (in rounds; within a round on and off alternate pair by pair, ABBA, so machine drift hits both equally);
   medians and p99 and their ratios, and each round's ratio of medians;
2. throughput: 10,000 queued messages delivered to a fast receiver on 127.0.0.1 by one delivery pass loop, once
   with the receiver in this process (threads sharing the interpreter with the sender) and once with
   bench/webhook_receiver.py in a process of its own;
3. kill -9: a `wrenchwork worker` killed midway through 10,000 messages, then a second one; every webhook-id must
   arrive (repeats allowed).

    .venv/bin/python -m bench.webhooks [--databases sqlite,postgresql] [--postgres-url URL] [--events 10000]
        [--requests 400] [--rounds 3] [--skip kill,throughput] [--db URL]

Each database in turn, in one run (PostgreSQL: a fresh `wrenchwork_bench_webhooks` on the server `--postgres-url`
or `$WRENCHWORK_BENCH_POSTGRES_URL` names, else a throwaway cluster as `make bench` starts one, bench/postgres.py);
a table of both side by side at the end. `--db URL` measures that one database only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from tests.processes import _command, stop
from tests.webhooks.receiver import Receiver, receiving


def _app(url: str, data_dir: Path) -> Any:
    from wrenchwork.app import create_app
    from wrenchwork.config import Settings
    from wrenchwork.core.migrate import upgrade

    upgrade(url)
    return create_app(Settings(database_url=url, data_dir=data_dir, rate_limit="", log_level="WARNING",
                               scheduler_interval=0, webhook_interval=0, webhook_allow_private=True))  # fmt: skip


def _outbox(on: bool) -> None:
    from wrenchwork.events import outbox

    listeners = (("before_flush", outbox._present_deleted), ("after_flush", outbox._note_changes),
                 ("before_commit", outbox._write_events))  # fmt: skip
    for name, listener in listeners:
        present = sa_event.contains(Session, name, listener)
        if on and not present:
            sa_event.listen(Session, name, listener)
        elif not on and present:
            sa_event.remove(Session, name, listener)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency(app: Any, token: str, entity_id: int, requests: int, rounds: int = 3) -> dict[str, Any]:
    """`rounds` rounds of `requests` create+update pairs each; within a round the outbox is switched on and off
    pair by pair in ABBA order (on, off, off, on, ...), so drift and the growing table hit both sides alike. The
    ratio of each round's medians, and of the medians over all rounds."""
    from fastapi.testclient import TestClient

    headers = {"Authorization": f"Bearer {token}", "X-Entity-Id": str(entity_id)}
    kinds = ("create", "update")
    per_round: list[dict[tuple[str, bool], list[float]]] = []
    # This process's CPU time (every thread: the writer loop's too) per request: what the outbox itself costs,
    # much less moved by other processes' load than the wall time (PostgreSQL's own work is not in it).
    cpu_s = dict.fromkeys(((k, on) for k in kinds for on in (True, False)), 0.0)
    with TestClient(app) as client:
        for _ in range(40):  # warm-up
            client.post("/api/v1/work_orders", json={"work_order": {"title": "warm"}}, headers=headers)
        for _round in range(rounds):
            times: dict[tuple[str, bool], list[float]] = {(k, on): [] for k in kinds for on in (True, False)}
            for n in range(requests):
                on = n % 4 in (0, 3)
                _outbox(on)
                started, cpu = time.perf_counter(), time.process_time()
                made = client.post("/api/v1/work_orders", json={"work_order": {"title": f"W{n}"}}, headers=headers)
                times[("create", on)].append(time.perf_counter() - started)
                cpu_s[("create", on)] += time.process_time() - cpu
                body = {"work_order": {"title": f"W{n}b", "priority": "high"}}
                started, cpu = time.perf_counter(), time.process_time()
                client.patch(f"/api/v1/work_orders/{made.json()['data']['id']}", json=body, headers=headers)
                times[("update", on)].append(time.perf_counter() - started)
                cpu_s[("update", on)] += time.process_time() - cpu
            per_round.append(times)
    _outbox(True)
    out: dict[str, Any] = {}
    for kind in kinds:
        yes = [t for r in per_round for t in r[(kind, True)]]
        no = [t for r in per_round for t in r[(kind, False)]]
        out[kind] = {
            "p50_on_ms": statistics.median(yes) * 1000, "p50_off_ms": statistics.median(no) * 1000,
            "p99_on_ms": _p(yes, 0.99) * 1000, "p99_off_ms": _p(no, 0.99) * 1000,
            "p50_ratio": statistics.median(yes) / statistics.median(no), "p99_ratio": _p(yes, 0.99) / _p(no, 0.99),
            "round_ratios": [statistics.median(r[(kind, True)]) / statistics.median(r[(kind, False)])
                             for r in per_round],
            "cpu_on_us": cpu_s[(kind, True)] / len(yes) * 1e6, "cpu_off_us": cpu_s[(kind, False)] / len(no) * 1e6,
            "n": len(yes),
        }  # fmt: skip
        out[kind]["cpu_ratio"] = out[kind]["cpu_on_us"] / out[kind]["cpu_off_us"]
    return out


def queue_events(app: Any, entity_id: int, count: int) -> None:
    """`count` location events, written the way the outbox writes them (the counter, then the rows)."""
    from wrenchwork.core.model_base import utcnow
    from wrenchwork.events.outbox import _insert

    with app.state.sessionmaker.begin() as session:
        for start in range(0, count, 1000):
            rows = [{"entity_id": entity_id, "type": "location.created", "resource": "location", "resource_id": n,
                     "actor_type": "system", "actor_id": None, "data": f'{{"id":{n},"name":"L{n}"}}',
                     "created_at": utcnow()} for n in range(start, min(count, start + 1000))]  # fmt: skip
            _insert(session, rows)


def subscribe(app: Any, token: str, entity_id: int, url: str, only: bool = False) -> None:
    """A webhook for `location.*` to `url`; `only`: the entity's other webhooks disabled first."""
    from fastapi.testclient import TestClient

    headers = {"Authorization": f"Bearer {token}", "X-Entity-Id": str(entity_id)}
    with TestClient(app) as client:
        if only:
            for hook in client.get("/api/v1/webhooks", headers=headers).json()["data"]:
                disabled = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"webhook": {"enabled": False}},
                                        headers=headers)  # fmt: skip
                assert disabled.status_code == 200, disabled.text
        response = client.post("/api/v1/webhooks", json={"webhook": {"url": url, "event_types": ["location.*"]}},
                               headers=headers)  # fmt: skip
        assert response.status_code == 201, response.text


def throughput(app: Any, unique: Callable[[], int], count: int) -> dict[str, Any]:
    """Delivery passes until `count` messages are sent; `unique()` is how many distinct ones the receiver has."""
    from wrenchwork.webhooks.delivery import run_pass

    started, cpu = time.perf_counter(), time.process_time()
    sent = 0
    while sent < count:
        sent += run_pass(app.state.sessionmaker, True, 60).sent
    elapsed = time.perf_counter() - started
    assert unique() == count
    return {"events": count, "seconds": elapsed, "per_second": count / elapsed,
            "cpu_us": (time.process_time() - cpu) / count * 1e6}  # fmt: skip


@contextmanager
def receiver_process() -> Iterator[tuple[str, Callable[[], int]]]:
    """bench/webhook_receiver.py in a process of its own: its URL, and how many distinct messages it has."""
    process = subprocess.Popen([sys.executable, "-m", "bench.webhook_receiver"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()

        def unique() -> int:
            with urllib.request.urlopen(url.replace("/hook", "/count")) as answer:
                return int(json.loads(answer.read())["unique"])

        yield url, unique
    finally:
        process.kill()
        process.wait()


def kill_run(url: str, data_dir: Path, receiver: Receiver, count: int) -> dict[str, Any]:
    env = {**os.environ, "WRENCHWORK_DATABASE_URL": url, "WRENCHWORK_DATA_DIR": str(data_dir),
           "WRENCHWORK_WEBHOOK_ALLOW_PRIVATE": "1", "WRENCHWORK_WEBHOOK_LEASE_SECONDS": "2",
           "WRENCHWORK_LOG_LEVEL": "WARNING"}  # fmt: skip
    argv = [*_command(), "worker", "--interval", "0.05"]
    started = time.perf_counter()
    first = subprocess.Popen(argv, env=env, start_new_session=True)
    try:
        receiver.wait_for(count // 3, timeout=600)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    at_kill = len(set(receiver.ids()))
    second = subprocess.Popen(argv, env=env, start_new_session=True)
    try:
        receiver.wait_for(count, timeout=600)
    finally:
        stop(second)
    ids = receiver.ids()
    return {"events": count, "received_at_kill": at_kill, "unique": len(set(ids)), "repeats": len(ids) - len(set(ids)),
            "lost": count - len(set(ids)), "seconds": time.perf_counter() - started}  # fmt: skip


def measure(url: str, data_dir: Path, events: int, requests: int, rounds: int, skip: set[str]) -> dict[str, Any]:
    from wrenchwork.system.bootstrap import create_customer

    app = _app(url, data_dir)
    try:
        with app.state.sessionmaker() as session:
            made = create_customer(session, "Bench", "Main", "bench@example.com", "Ben", "Ch")
            session.commit()
            token, entity_id = made.token, made.entity.id
        found: dict[str, Any] = {}
        if "latency" not in skip:
            found["latency"] = latency(app, token, entity_id, requests, rounds)
            print("latency (outbox on/off):", found["latency"], flush=True)
        with receiving() as receiver:
            subscribe(app, token, entity_id, receiver.url)
            if "throughput" not in skip:
                queue_events(app, entity_id, events)
                found["throughput"] = throughput(app, lambda: len(set(receiver.ids())), events)
                print("throughput (receiver in this process):", found["throughput"], flush=True)
            if "kill" not in skip:
                receiver.reset()
                queue_events(app, entity_id, events)
                found["kill"] = kill_run(url, data_dir, receiver, events)
                print("kill -9:", found["kill"], flush=True)
        if "throughput" not in skip:
            with receiver_process() as (url_, unique):
                subscribe(app, token, entity_id, url_, only=True)
                queue_events(app, entity_id, events)
                found["throughput_apart"] = throughput(app, unique, events)
                print("throughput (receiver in a process of its own):", found["throughput_apart"], flush=True)
        return found
    finally:
        app.state.engine.dispose()


def table(results: dict[str, dict[str, Any]]) -> str:
    """The databases side by side: the outbox's cost as on/off ratios, delivery rate, kill -9 outcome."""
    names = list(results)
    rows = [("| figure | " + " | ".join(names) + " |"), "|---|" + "---:|" * len(names)]

    def row(label: str, cell: Any) -> None:
        cells = []
        for n in names:
            try:
                cells.append(cell(results[n]))
            except KeyError:
                cells.append("(not measured)")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    p50 = "{p50_on_ms:.1f} / {p50_off_ms:.1f} ms (**{p50_ratio:.2f}**)"
    p99 = "{p99_on_ms:.1f} / {p99_off_ms:.1f} ms ({p99_ratio:.2f})"
    for kind in ("create", "update"):
        row(f"{kind} p50 on / off (ratio)", lambda r, k=kind: p50.format(**r["latency"][k]))
        row(f"{kind} p99 on / off (ratio)", lambda r, k=kind: p99.format(**r["latency"][k]))
        row(
            f"{kind} p50 ratio per round",
            lambda r, k=kind: ", ".join(f"{x:.3f}" for x in r["latency"][k]["round_ratios"]),
        )
        row(
            f"{kind} CPU per request on / off (ratio)",
            lambda r, k=kind: "{cpu_on_us:.0f} / {cpu_off_us:.0f} us ({cpu_ratio:.2f})".format(**r["latency"][k]),
        )
    rate = "**{per_second:.0f} events/s** ({events} in {seconds:.1f} s, sender CPU {cpu_us:.0f} us/event)"
    row("delivery, receiver in the sender's process", lambda r: rate.format(**r["throughput"]))
    row("delivery, receiver in its own process", lambda r: rate.format(**r["throughput_apart"]))
    row("kill -9", lambda r: "{lost} lost, {repeats} repeats, {seconds:.1f} s".format(**r["kill"]))
    return "\n".join(rows)


def main() -> None:
    from bench import postgres

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="", help="measure this database only")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("WRENCHWORK_BENCH_POSTGRES_URL"))
    parser.add_argument("--postgres-db", default="wrenchwork_bench_webhooks", help="database created on the server")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="create+update pairs per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", default="", help="parts left out: kill, throughput")
    args = parser.parse_args()
    wanted = args.databases.split(",")
    results: dict[str, dict[str, Any]] = {}
    on_postgres = "postgresql" in wanted and not args.db
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres.server(args.postgres_url) if on_postgres else nullcontext() as server,
    ):
        targets = [("given", args.db)] if args.db else []
        if not args.db:
            if "sqlite" in wanted:
                targets.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"))
            if "postgresql" in wanted and server is not None:
                targets.append(("PostgreSQL", postgres.fresh_database(server, args.postgres_db)))
        for name, url in targets:
            print(f"== {name}", flush=True)
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            results[name] = measure(url, data_dir, args.events, args.requests, args.rounds, set(args.skip.split(",")))
    print(table(results))


if __name__ == "__main__":
    sys.exit(main())
