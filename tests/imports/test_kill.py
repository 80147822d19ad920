"""A runner killed midway leaves nothing of the import behind, and the next runner does it all."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import Tenant
from wrenchwork.imports.runner import run_next
from wrenchwork.models import Asset, ImportJob, RowCount

ROWS = 40
# The child runs the waiting import and, after row 20, says so and waits on stdin: the test kills it there.
CHILD = textwrap.dedent(
    """
    import sys
    from wrenchwork.core.db import make_engine, make_sessionmaker
    from wrenchwork.imports.runner import run_next

    def progress(done: int) -> None:
        if done == 20:
            print("midway", flush=True)
            sys.stdin.readline()

    run_next(make_sessionmaker(make_engine(sys.argv[1])), progress)
    """
)


def test_killed_midway_then_run_again(app: FastAPI, session: Session, tenant: Tenant, database_url: str) -> None:
    content = "name,asset_code\n" + "".join(f"Asset {n},A-{n}\n" for n in range(ROWS))
    job = ImportJob(
        entity_id=tenant.entity_id, created_by_id=tenant.admin_id, resource="assets", mode="all_or_nothing",
        content=content.encode(), errors=[], unmatched_columns=[],
    )  # fmt: skip
    session.add(job)
    session.commit()
    job_id = job.id
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "midway"
    finally:
        child.kill()
        child.wait()

    assert session.scalar(select(func.count()).select_from(Asset)) == 0
    assert session.scalar(select(ImportJob.status).where(ImportJob.id == job_id)) == "running"
    session.rollback()

    # PostgreSQL ends the killed connection's transaction (and its row lock) as soon as it sees the socket close.
    deadline = time.monotonic() + 10
    while run_next(app.state.sessionmaker) != job_id and time.monotonic() < deadline:
        time.sleep(0.02)
    shown = session.execute(select(ImportJob.status, ImportJob.created, ImportJob.attempts)).one()
    assert tuple(shown) == ("completed", ROWS, 2)
    assert session.scalar(select(func.count()).select_from(Asset)) == ROWS
    counted = select(RowCount.count).where(RowCount.name == "assets", RowCount.scope_id == tenant.entity_id)
    assert session.scalar(counted) == ROWS
    session.rollback()
