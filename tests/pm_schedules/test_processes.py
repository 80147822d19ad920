"""Exactly once with real processes: `wrenchwork scheduler --once` processes racing on one database, and a pass
killed midway, then run again (issue #14: on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import db_rows, db_scalars, ok
from tests.helpers import Api
from tests.pm_schedules.engine_support import clock, copies, create
from wrenchwork.models import PmSchedule, PmScheduleRun, WorkOrder

__all__ = ["clock"]

SCHEDULER = [sys.executable, "-c", "from wrenchwork.cli import app; app()", "scheduler", "--once"]


def scheduler(database_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = os.environ | {
        "WRENCHWORK_DATABASE_URL": database_url,
        "WRENCHWORK_DATA_DIR": str(tmp_path),
        "WRENCHWORK_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(SCHEDULER, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def generated(output: str) -> int:
    found = re.search(r"work orders made: (\d+);", output)
    assert found, output
    return int(found.group(1))


def due_schedules(api: Api, session: Session, clock: Any, count: int) -> list[int]:
    """`count` daily schedules due since yesterday by the real time the processes run in: one made through the
    API while the server's clock says it is a day ago, the rest copies of it."""
    clock.set_now(datetime.now(UTC) - timedelta(days=1))
    start = clock.now().replace(second=0, microsecond=0)
    schedule_id = create(api, start=start.strftime("%Y-%m-%dT%H:%M"))
    return copies(session, schedule_id, count)


def assert_exactly_once(session: Session, schedule_ids: list[int]) -> None:
    """One run row and one work order per schedule, each run pointing at its schedule's own work order."""
    per_schedule = db_rows(
        session,
        select(WorkOrder.pm_schedule_id, func.count()).where(WorkOrder.pm_schedule_id.is_not(None))
        .group_by(WorkOrder.pm_schedule_id),
    )  # fmt: skip
    assert sorted(s for s, _ in per_schedule) == schedule_ids
    assert {n for _, n in per_schedule} == {1}
    runs = db_rows(
        session,
        select(PmScheduleRun.pm_schedule_id, WorkOrder.pm_schedule_id).join(
            WorkOrder, WorkOrder.id == PmScheduleRun.work_order_id, isouter=True
        ),
    )
    assert len(runs) == len(schedule_ids)
    assert all(run_schedule == made_for for run_schedule, made_for in runs)
    still_due = select(func.count()).select_from(PmSchedule).where(PmSchedule.next_order_date <= datetime.now(UTC))
    assert db_scalars(session, still_due) == [0]


def test_two_processes_racing_on_1000_due_schedules_make_1000_work_orders(
    api: Api, session: Session, clock: Any, database_url: str, tmp_path: Path
) -> None:
    schedule_ids = due_schedules(api, session, clock, 1000)

    racers = [scheduler(database_url, tmp_path) for _ in range(2)]
    outputs = [racer.communicate(timeout=600)[0] for racer in racers]

    assert [racer.returncode for racer in racers] == [0, 0], outputs
    assert sum(generated(output) for output in outputs) == 1000, outputs
    assert_exactly_once(session, schedule_ids)
    listed = api.get("/work_orders", params={"filter[type_eq]": "preventive", "per_page": 1})
    assert ok(listed) and listed.json()["meta"]["pagination"]["total"] == 1000


def test_a_pass_killed_midway_is_completed_by_the_next_without_duplicates(
    api: Api, session: Session, clock: Any, database_url: str, tmp_path: Path
) -> None:
    schedule_ids = due_schedules(api, session, clock, 200)
    made = select(func.count()).select_from(PmScheduleRun)

    victim = scheduler(database_url, tmp_path)
    deadline = time.monotonic() + 300
    while db_scalars(session, made) == [0] and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.poll() is None, "the pass ended before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)

    [before] = db_scalars(session, made)
    assert 0 < before < 200
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [before]  # no half-made occurrence

    rerun = scheduler(database_url, tmp_path)
    output = rerun.communicate(timeout=600)[0]

    assert rerun.returncode == 0, output
    assert generated(output) == 200 - before
    assert_exactly_once(session, schedule_ids)
