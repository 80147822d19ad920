"""Server time of the web app's pages on a generated database, in-process (no HTTP server, no network).

    python -m bench.web_pages --db sqlite:///bench/out/db/wrenchwork.db [--rounds 50]

Signs in as the technician with the most work orders (a password is set for them) and requests each page
`rounds` times after a warm-up; prints the median and p99 in milliseconds. The figures are the page's whole
handling (session, services, template) as the test client sees it."""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.models import Asset, Part, User, WorkOrder, work_order_technicians
from wrenchwork.users.passwords import hash_password

PASSWORD = "bench password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument(
        "--token", default="ww_bench_0123456789abcdefghijklmnopqrstuv", help="the generated admin's key"
    )
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="web-pages-"))
    app = create_app(Settings(database_url=args.db, data_dir=data, rate_limit="", log_level="WARNING",
                              scheduler_interval=0, login_rate_limit_account="1000 per minute"))  # fmt: skip
    with app.state.sessionmaker() as session:
        busiest = session.execute(
            select(work_order_technicians.c.user_id, func.count())
            .group_by(work_order_technicians.c.user_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        user = session.get(User, busiest[0])
        assert user is not None
        user.password_hash = hash_password(PASSWORD)
        email = user.email
        work_order = session.scalar(
            select(work_order_technicians.c.work_order_id).where(work_order_technicians.c.user_id == user.id).limit(1)
        )
        asset = session.scalar(select(Asset.id).order_by(Asset.id).limit(1))
        part = session.scalar(select(Part.id).order_by(Part.id).limit(1))
        total = session.scalar(select(func.count()).select_from(WorkOrder))
        session.commit()
    print(f"{total} work orders; technician {email} has {busiest[1]} of them")
    pages = {
        "my work": "/",
        "my work, search": "/?search=pump",
        "my work, page 3": "/?page=3",
        "work order": f"/work_orders/{work_order}",
        "asset": f"/assets/{asset}",
        "assets": "/assets",
        "parts": "/parts",
        "part": f"/parts/{part}",
    }
    # The API's answers to the same questions, measured in the same run: the pages' figures as ratios of these.
    mine = f"filter[technicians_id_eq]={user.id}&filter[base_status_in]=open,in_progress,on_hold&per_page=20"
    baselines = {
        "my work": f"/api/v1/work_orders?{mine}&sort=due_date",
        "my work, search": f"/api/v1/work_orders?{mine}&sort=due_date&search=pump",
        "my work, page 3": f"/api/v1/work_orders?{mine}&sort=due_date&page=3",
        "work order": f"/api/v1/work_orders/{work_order}",
        "asset": f"/api/v1/assets/{asset}",
        "assets": "/api/v1/assets?per_page=20&sort=name",
        "parts": "/api/v1/parts?per_page=20&sort=name",
        "part": f"/api/v1/parts/{part}",
    }
    api_headers = {"Authorization": f"Bearer {args.token}", "X-Entity-Id": "1"}
    with TestClient(app) as client:
        form = client.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
        assert signed.status_code == 200 and "My work" in signed.text, signed.text[:500]
        print(f"{'page':<18} {'median ms':>10} {'p99 ms':>8} {'API median':>11} {'page/API':>9}")
        for name, path in pages.items():
            page = _timed(client, path, {}, args.rounds)
            api = _timed(client, baselines[name], api_headers, args.rounds)
            median, api_median = statistics.median(page), statistics.median(api)
            print(f"{name:<18} {median:>10.1f} {_p99(page):>8.1f} {api_median:>11.1f} {median / api_median:>9.2f}")


def _timed(client: TestClient, path: str, headers: dict[str, str], rounds: int) -> list[float]:
    for _ in range(5):
        assert client.get(path, headers=headers).status_code == 200, path
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def _p99(times: list[float]) -> float:
    return times[min(len(times) - 1, int(len(times) * 0.99))]


if __name__ == "__main__":
    main()
