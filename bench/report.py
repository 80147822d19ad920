"""Measurements -> a markdown table (with the ratio to the baseline at the same row count) and raw JSON."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

MAX_OTHER_CPU = 10.0
PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "uvicorn", "orjson")


@dataclass
class Measurement:
    server: str  # "baseline" or "wrenchwork"
    endpoint: str
    path: str
    rows: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    # % of one core used during the load by the server, and by every process but the server and wrk.
    server_cpu_pct: float | None
    other_cpu_pct: float | None
    wrk_output: str
    database: str = "sqlite"  # "sqlite" or "postgresql" ("-" for the baseline, which has its own SQLite file)

    def ratio(self, baseline: Measurement | None) -> float | None:
        if baseline is None or not baseline.requests_per_s:
            return None
        return self.requests_per_s / baseline.requests_per_s


def _baseline_for(results: list[Measurement], measured: Measurement) -> Measurement | None:
    """The baseline load run last before `measured`, at its row count: the runner loads the baseline again right
    before every list target, so each ratio compares two loads a few seconds apart."""
    index = next(i for i, m in enumerate(results) if m is measured)
    earlier = (m for m in reversed(results[:index]) if m.server == "baseline" and m.rows == measured.rows)
    return measured if measured.server == "baseline" else next(earlier, None)


def _cells(results: list[Measurement], m: Measurement | None) -> str:
    if m is None:
        return "- | - | - | -"
    ratio = m.ratio(_baseline_for(results, m))
    return f"{m.requests_per_s:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | {'-' if ratio is None else f'{ratio:.2f}'}"


def markdown(results: list[Measurement], notes: list[str] | None = None) -> str:
    """One line per endpoint and row count, SQLite and PostgreSQL side by side, each with its ratio to the
    baseline load run right before it, and PostgreSQL's requests/s over SQLite's."""
    lines = [
        "| endpoint | rows | SQLite req/s | p50 ms | p99 ms | ratio to baseline | PostgreSQL req/s | p50 ms | p99 ms "
        "| ratio to baseline | PostgreSQL / SQLite |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_key = {(m.server, m.endpoint, m.rows, m.database): m for m in results}
    shown: set[tuple[str, str, int]] = set()
    for m in results:
        key = (m.server, m.endpoint, m.rows)
        if key in shown:
            continue
        shown.add(key)
        if m.server == "baseline":
            lines.append(f"| {m.endpoint} | {m.rows:,} | {_cells(results, m)} | | | | | |")
            continue
        lite = by_key.get((m.server, m.endpoint, m.rows, "sqlite"))
        pg = by_key.get((m.server, m.endpoint, m.rows, "postgresql"))
        versus = f"{pg.requests_per_s / lite.requests_per_s:.2f}" if lite and pg and lite.requests_per_s else "-"
        lines.append(f"| {m.endpoint} | {m.rows:,} | {_cells(results, lite)} | {_cells(results, pg)} | {versus} |")
    for note in notes or []:
        lines.append(f"\n**{note}**")
    for m in results:
        where = "" if m.server == "baseline" else f" on {m.database}"
        if m.errors:
            lines.append(
                f"\n**{m.endpoint}{where} at {m.rows:,} rows: {m.errors} errors (non-2xx or socket), figure suspect.**"
            )
        if m.other_cpu_pct is not None and m.other_cpu_pct > MAX_OTHER_CPU:
            lines.append(
                f"\n**{m.endpoint}{where} at {m.rows:,} rows: other processes used {m.other_cpu_pct:.0f}% of a core "
                "during the load; figure suspect.**"
            )
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln), "")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {p: metadata.version(p) for p in PACKAGES},
    }


def revision(repo: Path) -> str | None:
    """The commit measured, with `+dirty` when src/ has uncommitted changes (read-only git calls)."""
    git = ["git", "--no-optional-locks", "-C", str(repo)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "--", "src"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def write(
    out_dir: Path, results: list[Measurement], settings: dict[str, Any], notes: list[str] | None = None
) -> tuple[Path, Path]:
    """`<stamp>.md` and `<stamp>.json` in `out_dir`, plus copies named `latest.*`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    table = markdown(results, notes)
    info = machine()
    text = (
        f"# wrenchwork benchmark {stamp}\n\n{table}\n"
        f"Revision {settings.get('revision')}; {info['cpus']} CPUs, {info['cpu_model']}\n"
    )
    raw = json.dumps(
        {
            "stamp": stamp,
            "settings": settings,
            "machine": info,
            "results": [asdict(m) | {"ratio_to_baseline": m.ratio(_baseline_for(results, m))} for m in results],
        },
        indent=2,
    )
    for name in (stamp, "latest"):
        (out_dir / f"{name}.md").write_text(text)
        (out_dir / f"{name}.json").write_text(raw)
    return out_dir / f"{stamp}.md", out_dir / f"{stamp}.json"
