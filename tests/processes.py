"""A real `wrenchwork serve` process for the tests that need sockets and several workers: on a free loopback port,
with a data directory of its own and a known admin key, always stopped again (its whole process group) however
the test ends."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
TOKEN = "ww_served-process-test-token-0123456789"
START_TIMEOUT_S = 180  # two workers import the app; under load that took over a minute


@dataclass(frozen=True)
class Served:
    base_url: str
    token: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def client(self, entity_id: int | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        if entity_id is not None:
            headers["X-Entity-Id"] = str(entity_id)
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _command() -> list[str]:
    script = Path(sys.executable).with_name("wrenchwork")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from wrenchwork.cli import app; app()"]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server and its workers (a process group of their own), then SIGKILL to whatever is left.
    The group is signalled only while its leader is not yet reaped, so its id cannot belong to anyone else."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> bool:
    """True once the server answers; False if it exited (e.g. its port was taken meanwhile)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(base_url + "/readyz", timeout=5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {START_TIMEOUT_S}s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def served(data_dir: Path, workers: int = 1, attempts: int = 3) -> Iterator[Served]:
    """`wrenchwork serve --workers N` on a fresh SQLite database in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_DATABASE_URL": "",
        "WRENCHWORK_BOOTSTRAP_API_KEY": TOKEN,
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
    }
    log = data_dir / "server.log"
    for attempt in range(1, attempts + 1):
        port = free_port()  # free a moment ago: another test may take it first, hence the attempts
        argv = [*_command(), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base_url = f"http://{HOST}:{port}"
            if _ready(process, base_url, log):
                yield Served(base_url, TOKEN, data_dir, process)
                return
            if attempt == attempts:
                raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        finally:
            stop(process)
