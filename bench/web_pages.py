"""Server time of the web app's pages on a generated database, in-process (no HTTP server, no network).

    python -m bench.web_pages --db sqlite:///bench/out/db/wrenchwork.db [--rounds 50]

Signs in as the technician with the most work orders (a password is set for them) and requests each page
`rounds` times after a warm-up; then the same for the admin pages as the generated admin (`--only admin` or
`--only technician` runs one part). Prints the median and p99 in milliseconds, and the median CPU time of this
process (the only figure a busy machine leaves alone; on PostgreSQL it leaves out the server's own work). The
figures are the page's whole handling (session, services, template) as the test client sees it."""

from __future__ import annotations

import argparse
import calendar
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.models import Asset, Part, PmSchedule, User, WorkOrder, WorkOrderRequest, work_order_technicians
from wrenchwork.users.passwords import hash_password

PASSWORD = "bench password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--only", choices=("technician", "admin"), default=None)
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
        admin = session.get(User, 1)
        assert admin is not None
        admin.password_hash = user.password_hash
        admin_email = admin.email
        pm_schedule = session.scalar(select(PmSchedule.id).where(PmSchedule.status == "planned").limit(1))
        work_request = session.scalar(select(WorkOrderRequest.id).order_by(WorkOrderRequest.id.desc()).limit(1))
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
    month = date.today().replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    admin_pages = {
        "requests inbox": ("/requests", "/api/v1/work_order_requests?per_page=20&sort=status+desc,created_at+desc"),
        "requests, pending": (
            "/requests?status=pending",
            "/api/v1/work_order_requests?per_page=20&sort=status+desc,created_at+desc&filter[status_eq]=pending",
        ),
        "request": (f"/requests/{work_request}", f"/api/v1/work_order_requests/{work_request}"),
        "users": ("/users", "/api/v1/users?per_page=20&sort=name+asc,surname+asc"),
        "API keys": ("/api_keys", "/api/v1/api_keys?per_page=20"),
        "PM schedules": ("/pm_schedules", "/api/v1/pm_schedules?per_page=20&sort=next_order_date+asc,id+asc"),
        "PM schedule": (f"/pm_schedules/{pm_schedule}", f"/api/v1/pm_schedules/{pm_schedule}"),
        "PM calendar": ("/pm_calendar", f"/api/v1/pm_forecast?from={month}&until={last}"),
    }
    api_headers = {"Authorization": f"Bearer {args.token}", "X-Entity-Id": "1"}
    runs = {
        "technician": (email, {name: (path, baselines[name]) for name, path in pages.items()}),
        "admin": (admin_email, admin_pages),
    }
    for who, (address, measured) in runs.items():
        if args.only not in (None, who):
            continue
        with TestClient(app) as client:
            _sign_in(client, address)
            print(f"{who + ' page':<18} {'median ms':>10} {'p99 ms':>8} {'CPU ms':>7} {'API median':>11} "
                  f"{'API CPU':>8} {'page/API':>9}")  # fmt: skip
            for name, (path, baseline) in measured.items():
                (page, page_cpu), (api, api_cpu) = _paired(client, path, baseline, api_headers, args.rounds)
                median, api_median = statistics.median(page), statistics.median(api)
                cpu, api_cpu_median = statistics.median(page_cpu), statistics.median(api_cpu)
                print(f"{name:<18} {median:>10.1f} {_p99(page):>8.1f} {cpu:>7.1f} {api_median:>11.1f} "
                      f"{api_cpu_median:>8.1f} {median / api_median:>9.2f}")  # fmt: skip


def _sign_in(client: TestClient, email: str) -> None:
    form = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert signed.status_code == 200 and "My work" in signed.text, signed.text[:500]
    # The pages are measured in the main entity (the API baselines' X-Entity-Id); a new web session starts in the
    # person's first entity by name, which for the generated admin is another one.
    token = re.search(r'name="csrf_token" value="([^"]+)"', signed.text)
    assert token is not None
    switched = client.post("/entity", data={"entity_id": "1", "csrf_token": token.group(1)})
    assert switched.status_code == 200, switched.text[:500]


Times = tuple[list[float], list[float]]


def _paired(client: TestClient, path: str, baseline: str, headers: dict[str, str], rounds: int) -> tuple[Times, Times]:
    """The page and its API baseline requested in turn, so a burst of load from elsewhere hits both alike.
    Each as (wall-clock ms, CPU ms of this process): on a machine loaded by others the wall clock mostly measures
    the wait for a core, the CPU time what the request itself costs (the database's too, on SQLite)."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
        assert client.get(baseline, headers=headers).status_code == 200, baseline
    page: Times = ([], [])
    api: Times = ([], [])
    for _ in range(rounds):
        for (wall, cpu), url, sent in ((page, path, {}), (api, baseline, headers)):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url, headers=sent)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return (sorted(page[0]), sorted(page[1])), (sorted(api[0]), sorted(api[1]))


def _p99(times: list[float]) -> float:
    return times[min(len(times) - 1, int(len(times) * 0.99))]


if __name__ == "__main__":
    main()
