"""Start one uvicorn server on a free local port, wait until it answers, and always stop it again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def uvicorn_argv(app: str, port: int, *extra: str) -> list[str]:
    """One process, no access log: the server does nothing but answer requests."""
    return [
        sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
        "--workers", "1", "--no-access-log", "--log-level", "warning", *extra,
    ]  # fmt: skip


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@contextmanager
def serve(
    argv: list[str], env: Mapping[str, str], ready_url: str, log_path: Path, cwd: Path, timeout: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` until the `with` block ends (or fails); `ready_url` must answer 200 within `timeout` seconds.

    Yields the server process (its pid is what a profiler such as py-spy attaches to).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            argv, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(ready_url):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {timeout:.0f}s:\n{_tail(log_path)}")
            time.sleep(0.1)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """SIGTERM (uvicorn shuts down cleanly), then SIGKILL if it is still there after `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)
