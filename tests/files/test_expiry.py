"""The background sweep of uploads never linked: past their day, rows and bytes go (time moved by core/clock.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from tests.files.support import attachment_rows, image_bytes, pdf_bytes, stored_files, upload
from tests.helpers import Api
from wrenchwork.core import clock
from wrenchwork.files import lifecycle
from wrenchwork.files.check import check
from wrenchwork.files.expiry import sweep_expired
from wrenchwork.files.storage import Storage
from wrenchwork.pm_schedules.scheduler import Scheduler


@pytest.fixture
def tomorrow() -> Iterator[None]:
    """Lets the clock run again after a test that moved it (`_day_later`)."""
    yield
    clock.set_now(None)


def _day_later() -> None:
    clock.set_now(clock.now() + timedelta(days=1, minutes=1))


def test_the_background_runner_removes_expired_uploads_and_their_bytes(
    api: Api, app: FastAPI, asset: int, session: Session, store: Storage, tomorrow: None
) -> None:
    stale = upload(api, "/attachments", image_bytes(), "stale.jpg").json()["data"]
    kept = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "kept.pdf").json()["data"]
    used = upload(api, "/attachments", pdf_bytes(), "used.pdf").json()["data"]
    part = api.post("/parts", json={"part": {"name": "Belt"}}).json()["data"]["id"]
    body = {"quantity": 1, "cost": 1, "attachment_ids": [used["id"]]}
    assert api.patch(f"/parts/{part}/restock", json=body).status_code == 200
    _day_later()
    fresh = upload(api, "/attachments", pdf_bytes(), "fresh.pdf").json()["data"]  # its day has just begun
    assert api.client.get(stale["url"]).status_code == 404  # expired: not served even before the sweep
    assert len(attachment_rows(session)) == 4

    runner = Scheduler(app.state.sessionmaker, interval=0.05)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while stale["id"] in {r.id for r in attachment_rows(session)} and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        runner.stop()
    rows = attachment_rows(session)
    assert sorted(r.id for r in rows) == sorted([kept["id"], used["id"], fresh["id"]])
    assert len(stored_files(store)) == 3  # three documents; the image and its variants are gone
    assert api.client.get(fresh["url"]).status_code == 200
    assert api.client.get(kept["url"]).status_code == 200


class _Killed(BaseException):
    """The process dying where the sweep stands: nothing after this line of the sweep runs."""


def test_a_sweep_killed_between_its_commit_and_the_bytes_leaves_only_bytes_that_files_check_removes(
    api: Api, app: FastAPI, session: Session, store: Storage, tomorrow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = [upload(api, "/attachments", pdf_bytes(), f"stale{n}.pdf").json()["data"] for n in range(3)]
    _day_later()
    fresh = upload(api, "/attachments", pdf_bytes(), "fresh.pdf").json()["data"]

    def killed(session: Session, keys: list[str]) -> None:
        raise _Killed

    monkeypatch.setattr(lifecycle, "_remove", killed)
    with pytest.raises(_Killed):
        sweep_expired(app.state.sessionmaker)
    monkeypatch.undo()

    # The rows went with the commit; their bytes are still there, and nothing is served for them.
    assert [r.id for r in attachment_rows(session)] == [fresh["id"]]
    assert len(stored_files(store)) == 4
    assert all(api.client.get(s["url"]).status_code == 404 for s in stale)
    # A second sweep has nothing left to do; `files check --fix` removes the bytes once they are an hour old.
    assert sweep_expired(app.state.sessionmaker) == 0
    later = clock.now() + timedelta(hours=2)
    assert len(check(session, store, later, fix=False).orphan_bytes) == 3
    check(session, store, later, fix=True)
    session.rollback()
    assert len(stored_files(store)) == 1
    assert api.client.get(fresh["url"]).status_code == 200
