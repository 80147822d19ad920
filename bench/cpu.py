"""CPU accounting around one load (Linux /proc): how much the server used, and how much anything else did.

On a 2-core machine the server and wrk need both cores; a test suite or a build running at the same time
takes CPU from them and the figure means little. `other_pct` (the machine's busy time minus the server's and
wrk's) says when that happened.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    machine_busy: float  # seconds of CPU used by everything, all cores
    server: float
    children: float  # reaped child processes of this one: wrk, once it has exited


@dataclass(frozen=True)
class Usage:
    server_pct: float  # % of one core
    other_pct: float  # % of one core used by processes other than the server and wrk


def _machine_busy() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _process(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def sample(server_pid: int) -> Sample | None:
    try:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return Sample(_machine_busy(), _process(server_pid), children.ru_utime + children.ru_stime)
    except (OSError, IndexError, ValueError):
        return None


def usage(before: Sample | None, after: Sample | None, seconds: float) -> Usage | None:
    if before is None or after is None or seconds <= 0:
        return None
    server = after.server - before.server
    other = (after.machine_busy - before.machine_busy) - server - (after.children - before.children)
    return Usage(round(100 * server / seconds, 1), round(max(0.0, 100 * other / seconds), 1))
