"""Helpers of the command-line tests: results, tokens, a snapshot of every table, a real server process."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select as sql_select
from typer.testing import Result

from wrenchwork.models import Base

WRENCHWORK = str(Path(sys.executable).with_name("wrenchwork"))


@dataclass
class Cli:
    url: str
    data_dir: Path
    env: dict[str, str]
    invoke: Callable[..., Result]


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def refused(result: Result, code: int) -> str:
    """A refusal: the exit code, a message on stderr (returned) and no traceback."""
    assert result.exit_code == code, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def init_token(output: str) -> str:
    match = re.search(r'curl -H "Authorization: Bearer (\S+)" http://\S+/api/v1/entities', output)
    assert match, output
    token = match.group(1)
    assert f"\n    {token}\n" in output  # printed on a line of its own too
    return token


def snapshot(db: Callable[[Any], list[Any]]) -> dict[str, set[str]]:
    """Every row of every table (the row and event counters aside), each as text, to tell what a command added or
    changed."""
    return {
        table.name: {json.dumps(list(row), default=str) for row in db(sql_select(table))}
        for table in Base.metadata.sorted_tables
        if table.name not in ("row_counts", "event_counters")
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    output: list[str]

    def read_until(self, pattern: str, timeout: float = 90) -> re.Match[str]:
        """Waits until a line of the server's output matches `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.process.poll() is not None and not self.output:
                break
            time.sleep(0.1)
        raise AssertionError(f"no line matches {pattern!r}:\n{''.join(self.output)}")


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[Server]:
    """`wrenchwork serve *args` as a process of its own, stopped at the end. A thread collects its output."""
    process = subprocess.Popen(
        [WRENCHWORK, "serve", *args],
        env={**os.environ, **env, "WRENCHWORK_RATE_LIMIT": "", "WRENCHWORK_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, [])

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line)

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)


def wait_until_up(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base_url} did not come up")
