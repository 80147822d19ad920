"""Run wrk against one URL and read requests/s and the latency percentiles out of its report."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class Load:
    duration: int = 10
    connections: int = 16
    threads: int = 2


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx responses plus socket errors: any of these makes the figure suspect
    output: str


def parse(output: str) -> WrkResult:
    rps, total = _RPS.search(output), _TOTAL.search(output)
    percentiles = {p: float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(output)}
    if rps is None or total is None or "50" not in percentiles or "99" not in percentiles:
        raise ValueError(f"cannot read wrk output (was --latency given?):\n{output}")
    non_2xx = _NON_2XX.search(output)
    sockets = _SOCKET.search(output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        p50_ms=round(percentiles["50"], 3),
        p99_ms=round(percentiles["99"], 3),
        requests=int(total.group(1)),
        errors=errors,
        output=output,
    )


@dataclass(frozen=True)
class Write:
    """A write load: every request sends `method` with the JSON `body`; `{n}` in the path becomes a random id
    from `id_range` per request."""

    method: str
    path: str
    body: str | None
    id_range: tuple[int, int] | None = None

    def script(self) -> str:
        low, high = self.id_range or (0, 0)
        return (
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"local method, template, body = {_lua(self.method)}, {_lua(self.path)}, {_lua(self.body or '')}\n"
            "request = function()\n"
            f'  local path = string.gsub(template, "{{n}}", tostring(math.random({low}, {high})))\n'
            "  return wrk.format(method, path, nil, body)\n"
            "end\n"
        )


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(
    url: str, headers: dict[str, str], load: Load, duration: int | None = None, write: Write | None = None
) -> WrkResult:
    seconds = load.duration if duration is None else duration
    argv = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    if write is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(write.script())
        argv += ["-s", script.name]
    try:
        done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 30, check=False)
    finally:
        if write is not None:
            Path(script.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
