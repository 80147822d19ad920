"""kill -9 of a `wrenchwork worker` midway through a batch of messages loses none: its claims run out and the
next worker sends them again, with the same webhook-ids (bench/webhooks.py runs the 10,000-message version)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from fastapi import FastAPI

from tests.events.support import events
from tests.helpers import Api
from tests.processes import _command, stop
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import module_receiver, receiver, subscribe
from wrenchwork.core.model_base import utcnow
from wrenchwork.events.outbox import _insert

__all__ = ["module_receiver", "receiver"]
COUNT = 300


def _worker(database_url: str, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WRENCHWORK_DATABASE_URL": database_url,
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_WEBHOOK_ALLOW_PRIVATE": "1",
        "WRENCHWORK_WEBHOOK_LEASE_SECONDS": "1",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
    }
    log = (data_dir / "worker.log").open("ab")
    return subprocess.Popen(
        [*_command(), "worker", "--interval", "0.05"], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def test_kill_9_midway_loses_nothing(
    app: FastAPI, api: Api, receiver: Receiver, database_url: str, tmp_path: Path
) -> None:
    subscribe(api, receiver.url, ["location.created"])
    with app.state.sessionmaker.begin() as session:  # written as the outbox writes them, without 300 requests
        _insert(session, [{"entity_id": api.entity_id, "type": "location.created", "resource": "location",
                           "resource_id": n, "actor_type": "system", "actor_id": None, "data": f'{{"id":{n}}}',
                           "created_at": utcnow()} for n in range(COUNT)])  # fmt: skip
    expected = {f"evt_{e['id']}" for e in events(api, types="location.created")}
    assert len(expected) == COUNT
    receiver.delay_s = 0.003
    first = _worker(database_url, tmp_path)
    try:
        receiver.wait_for(COUNT // 4, timeout=120)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    assert len(set(receiver.ids())) < COUNT, "the worker must be killed midway"
    second = _worker(database_url, tmp_path)
    try:
        receiver.wait_for(COUNT, timeout=120)
    finally:
        stop(second)
    assert set(receiver.ids()) == expected
