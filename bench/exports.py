"""Export speed and memory: `GET /assets.csv` and `.xlsx` of 10k, 100k and 1M assets over HTTP, read as a stream.

    .venv/bin/python -m bench.exports --db sqlite:///bench/out/db/export3-1m.db \\
        [--db postgresql+psycopg://postgres@127.0.0.1:55433/export3] [--rows 10000,100000,1000000] \\
        [--baseline /work/main/src --baseline-rows 10000] [--xlsx-rows 100000] [--repeat 2]

Each `--db` holding fewer assets than the largest row count is filled by `bench/generate.py` first (a SQLite file
is replaced; a server database reset), so a million rows are generated once and the file is kept. Each database
is served by `uvicorn wrenchwork.app:create_app` (one process); with `--baseline SRC`, a second server runs the code
at SRC (another checkout's `src`, e.g. the main branch's, which paged exports by offset) on the same database, and
each of its measurements is taken right after the same one on this code, up to `--baseline-rows`.

A measurement: the first N assets by id (`sort=id&filter[id_lteq]=<N-th id>`; the whole table unfiltered, for
the largest N), and at the largest N also the whole table in the list's default order (by name). The body is read
as a stream and counted (CSV rows by line; an XLSX file of the smallest N opened and its rows counted). It reports
rows/s, time to first byte, and the server's peak resident memory during the request (`VmHWM` of
`/proc/<pid>/status`, reset before each request by writing 5 to `/proc/<pid>/clear_refs`) next to its resident
memory before it. Results go to `bench/out/exports-<time>.json` and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, make_url, select

from bench import servers
from bench.generate import BENCH_TOKEN, generate
from wrenchwork.core.db import make_engine
from wrenchwork.models import Asset

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
REQUEST_TIMEOUT_S = 1800.0


@dataclass
class Measurement:
    database: str
    code: str  # "this" or "baseline"
    format: str
    order: str
    rows: int
    seconds: float
    first_byte_s: float
    rows_per_s: float
    bytes: int
    rss_before_mib: float
    peak_rss_mib: float
    rss_along_mib: list[float]  # CSV: resident memory as the client had a tenth, half and all of the rows


def _status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    raise RuntimeError(f"no {field} for {pid}")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def ensure_assets(url: str, rows: int) -> tuple[int, list[int]]:
    """The entity id and the ascending asset ids, generating the database first when it holds too few."""
    engine = make_engine(url)
    try:
        try:
            with engine.connect() as conn:
                held = conn.scalar(select(func.count()).select_from(Asset)) or 0
        except Exception:
            held = 0
        if held < rows:
            engine.dispose()
            print(f"generating {rows} assets in {make_url(url).render_as_string()}", flush=True)
            generate(url, {"assets": rows, "locations": 200, "vendors": 50}, reset=True)
            engine = make_engine(url)
        with engine.connect() as conn:
            entity_id = conn.scalar(select(Asset.entity_id).limit(1))
            ids = list(conn.scalars(select(Asset.id).order_by(Asset.id)))
    finally:
        engine.dispose()
    assert entity_id is not None
    return entity_id, ids


def measure(
    base_url: str, headers: dict[str, str], pid: int, extension: str, params: dict[str, str], expected: int
) -> tuple[float, float, int, int, float, float, list[float]]:
    rss_before = _status(pid, "VmRSS")
    along: list[float] = []
    marks = [expected // 10, expected // 2, expected]
    _reset_peak(pid)
    started = time.perf_counter()
    first = 0.0
    size = newlines = 0
    body = io.BytesIO() if extension == "xlsx" and expected <= 10_000 else None
    url = f"{base_url}/api/v1/assets.{extension}"
    with httpx.stream("GET", url, params=params, headers=headers, timeout=REQUEST_TIMEOUT_S) as response:
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: {response.status_code} {response.read()[:300]!r}")
        for chunk in response.iter_raw():
            if not first:
                first = time.perf_counter() - started
            size += len(chunk)
            if extension == "csv":
                newlines += chunk.count(b"\n")
                if marks and newlines > marks[0]:
                    along.append(round(_status(pid, "VmRSS"), 1))
                    marks.pop(0)
            elif body is not None:
                body.write(chunk)
    seconds = time.perf_counter() - started
    peak = _status(pid, "VmHWM")
    rows = newlines - 1 if extension == "csv" else expected
    if body is not None:
        from openpyxl import load_workbook

        rows = sum(1 for _ in load_workbook(body, read_only=True).worksheets[0].iter_rows()) - 1
    if rows != expected:
        raise RuntimeError(f"{url} {params}: {rows} rows, expected {expected}")
    return seconds, first, rows, size, rss_before, peak, along


def _env(url: str, data_dir: Path, source: Path | None) -> dict[str, str]:
    env = {
        "WRENCHWORK_DATABASE_URL": url,
        "WRENCHWORK_DATA_DIR": str(data_dir),
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
        "WRENCHWORK_SCHEDULER_INTERVAL": "0",
    }
    return env | ({"PYTHONPATH": str(source)} if source else {})


def bench_database(
    url: str, counts: list[int], baseline: Path | None, baseline_rows: int, xlsx_rows: int
) -> list[Measurement]:
    name = make_url(url).get_backend_name()
    entity_id, ids = ensure_assets(url, max(counts))
    headers = {"Authorization": f"Bearer {BENCH_TOKEN}", "X-Entity-Id": str(entity_id)}
    results: list[Measurement] = []
    codes: list[tuple[str, Path | None]] = [("this", None)] + ([("baseline", baseline)] if baseline else [])
    started: dict[str, tuple[str, int]] = {}
    with ExitStack() as stack:
        for code, source in codes:
            port = servers.free_port()
            base_url = f"http://{servers.HOST}:{port}"
            argv = servers.uvicorn_argv("wrenchwork.app:create_app", port, "--factory")
            env = _env(url, OUT / f"exports-data-{code}", source)
            log = OUT / "logs" / f"exports-{name}-{code}.log"
            process = stack.enter_context(servers.serve(argv, env, base_url + "/readyz", log, cwd=REPO, timeout=300))
            started[code] = (base_url, process.pid)
        cases = [
            (extension, n, "id")
            for n in counts
            for extension in ("csv", "xlsx")
            if extension == "csv" or n <= xlsx_rows
        ]
        cases.append(("csv", len(ids), "name"))
        for extension, n, order in cases:
            params = {"sort": "id"} if order == "id" else {}
            if n < len(ids):
                params["filter[id_lteq]"] = str(ids[n - 1])
            for code, _source in codes:
                if code == "baseline" and n > baseline_rows:
                    continue
                base_url, pid = started[code]
                seconds, first, rows, size, before, peak, along = measure(base_url, headers, pid, extension, params, n)
                found = Measurement(name, code, extension, order, rows, round(seconds, 2), round(first, 3),
                                    round(rows / seconds), size, round(before, 1), round(peak, 1), along)  # fmt: skip
                print(json.dumps(asdict(found)), flush=True)
                results.append(found)
    return results


def table(results: list[Measurement]) -> str:
    lines = [
        "| database | code | format | order | rows | s | rows/s | 1st byte s | RSS before | peak | RSS along (MiB) |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in results:
        lines.append(
            f"| {m.database} | {m.code} | {m.format} | {m.order} | {m.rows:,} | {m.seconds} | {m.rows_per_s:,} | "
            f"{m.first_byte_s} | {m.rss_before_mib} | {m.peak_rss_mib} | {m.rss_along_mib} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", required=True, help="database URL (repeatable)")
    parser.add_argument("--rows", default="10000,100000,1000000", help="row counts, comma-separated")
    parser.add_argument("--baseline", type=Path, help="the `src` directory of the code to compare with")
    parser.add_argument("--baseline-rows", type=int, default=10_000, help="largest row count the baseline runs")
    parser.add_argument("--xlsx-rows", type=int, default=10**9, help="largest row count XLSX is measured at")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole set")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.rows.split(","))
    results: list[Measurement] = []
    for _run in range(args.repeat):
        for url in args.db:
            results += bench_database(url, counts, args.baseline, args.baseline_rows, args.xlsx_rows)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (OUT / f"exports-{stamp}.json").write_text(json.dumps([asdict(m) for m in results], indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
