"""Attachments: thumbnail serving beside a plain static-file server, a 5 MB photo's upload time, and the work
order list's latency while photos upload.

    .venv/bin/python -m bench.files [--duration 10] [--out bench/out/files]

1. One wrenchwork server (uvicorn, one process, SQLite in a fresh data directory) and one plain Starlette
   `FileResponse` server (bench/static_file.py) on the same machine.
2. A 5 MB photo (camera-like noise, 2600 x 1950 JPEG) uploaded to an asset five times, one after another: the time
   of each request (sniff, decode, re-encode, three variants, durable writes) as the client sees it.
3. `wrk` on the photo's `medium` variant at its store URL, then on the same file through the plain server.
4. `wrk` on `GET /work_orders` alone, then again while 4 clients upload the photo in a loop.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image

from bench import servers, wrk

REPO = Path(__file__).resolve().parent.parent
TOKEN = "ww_bench_files_" + "k" * 32
WRENCHWORK = str(Path(sys.executable).with_name("wrenchwork"))


def photo() -> bytes:
    """About 5 MB: noise compresses about as badly as a detailed camera picture."""
    size = (2600, 1950)
    bands = [Image.effect_noise(size, 60).point(lambda v, s=shift: (v + s) % 256) for shift in (0, 85, 170)]
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=93)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    load = wrk.Load(duration=args.duration, connections=16, threads=2)
    picture = photo()
    print(f"photo: {len(picture) / 1e6:.1f} MB", flush=True)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "WRENCHWORK_DATA_DIR": data_dir,
            "WRENCHWORK_BOOTSTRAP_API_KEY": TOKEN,
            "WRENCHWORK_RATE_LIMIT": "0",
            "WRENCHWORK_LOG_LEVEL": "WARNING",
        }
        subprocess.run([WRENCHWORK, "init"], env={**env, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
        port = servers.free_port()
        base = f"http://{servers.HOST}:{port}"
        argv = servers.uvicorn_argv("wrenchwork.app:create_app", port, "--factory")
        with servers.serve(argv, env, base + "/readyz", args.out / "wrenchwork.log", cwd=REPO):
            headers = {"Authorization": f"Bearer {TOKEN}", "X-Entity-Id": "1"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                asset = client.post("/api/v1/assets", json={"asset": {"name": "Bench pump"}}).json()["data"]["id"]
                for n in range(20):
                    client.post("/api/v1/work_orders", json={"work_order": {"title": f"Order {n}"}})
                path = f"/api/v1/assets/{asset}/attachments"
                times, data = [], {}
                for _ in range(5):
                    started = time.perf_counter()
                    response = client.post(path, files={"file": ("photo.jpg", picture, "image/jpeg")})
                    times.append(time.perf_counter() - started)
                    response.raise_for_status()
                    data = response.json()["data"]
                print(
                    f"upload of the 5 MB photo: median {statistics.median(times):.2f} s "
                    f"(min {min(times):.2f}, max {max(times):.2f}) over {len(times)}",
                    flush=True,
                )
                medium = data["attachment_urls"]["medium"]
                served = client.get(medium)
                print(f"medium variant: {len(served.content) / 1024:.0f} KiB", flush=True)
                ours = wrk.run(base + medium, {}, load)
                stored = next(Path(data_dir, "files").rglob("medium.jpg"))
                static_port = servers.free_port()
                static_base = f"http://{servers.HOST}:{static_port}"
                static_argv = servers.uvicorn_argv("static_file:app", static_port, "--app-dir", str(REPO / "bench"))
                static_env = {"STATIC_FILE": str(stored)}
                with servers.serve(
                    static_argv, static_env, static_base + "/file.jpg", args.out / "static.log", cwd=REPO
                ):
                    plain = wrk.run(static_base + "/file.jpg", {}, load)
                _row("store URL (medium variant)", ours)
                _row("plain Starlette FileResponse", plain)
                print(f"ratio: {ours.requests_per_s / plain.requests_per_s:.2f} of the plain server", flush=True)

                alone = wrk.run(base + "/api/v1/work_orders", headers, load)
                stop = threading.Event()
                uploads: list[float] = []

                def uploader() -> None:
                    with httpx.Client(base_url=base, headers=headers, timeout=120) as own:
                        while not stop.is_set():
                            began = time.perf_counter()
                            own.post(path, files={"file": ("photo.jpg", picture, "image/jpeg")}).raise_for_status()
                            uploads.append(time.perf_counter() - began)

                threads = [threading.Thread(target=uploader) for _ in range(4)]
                for thread in threads:
                    thread.start()
                try:
                    busy = wrk.run(base + "/api/v1/work_orders", headers, load)
                finally:
                    stop.set()
                    for thread in threads:
                        thread.join()
                _row("GET /work_orders alone", alone)
                _row("GET /work_orders, 4 uploading", busy)
                print(
                    f"uploads meanwhile: {len(uploads)}, median {statistics.median(uploads):.2f} s each",
                    flush=True,
                )


def _row(name: str, result: wrk.WrkResult) -> None:
    print(
        f"  {name:<32} {result.requests_per_s:>8,.0f} req/s  p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms"
        f"  errors {result.errors}",
        flush=True,
    )


if __name__ == "__main__":
    main()
