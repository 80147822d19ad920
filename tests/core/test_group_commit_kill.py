"""A server killed in the middle of a stream of writes loses only writes it had not answered: every work order it
answered 201 for is in the database afterwards (core/group_commit.py answers a group's writes after its commit)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.processes import Served, served

WRITERS = 8
ANSWERED_BEFORE_KILL = 150


def _writer(server: Served, entity_id: int, name: str, answered: list[int], stop: threading.Event) -> None:
    with server.client(entity_id) as client:
        n = 0
        while not stop.is_set():
            try:
                response = client.post("/api/v1/work_orders", json={"work_order": {"title": f"{name}-{n}"}})
            except httpx.HTTPError:  # the server is gone
                return
            if response.status_code == 201:
                answered.append(response.json()["data"]["id"])
            n += 1


def test_every_answered_write_survives_a_kill(tmp_path: Path) -> None:
    answered: list[int] = []
    stop = threading.Event()
    with served(tmp_path / "served") as server:
        with server.client() as client:
            entity_id = client.get("/api/v1/entities").json()["data"][0]["id"]
        threads = [
            threading.Thread(target=_writer, args=(server, entity_id, f"w{n}", answered, stop)) for n in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(answered) < ANSWERED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.process.pid, signal.SIGKILL)  # in the middle of the writers' stream
        stop.set()
        for thread in threads:
            thread.join(30)
        server.process.wait()
    assert len(answered) >= ANSWERED_BEFORE_KILL
    with sqlite3.connect(tmp_path / "served" / "wrenchwork.db") as database:  # its log replayed on opening
        stored = {row[0] for row in database.execute("SELECT id FROM work_orders")}
    assert set(answered) <= stored, f"answered but lost: {sorted(set(answered) - stored)[:10]}"
