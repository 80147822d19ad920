"""`wrenchwork files check [--fix]`: orphans both ways."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests.files.support import attachment_rows, image_bytes, pdf_bytes, stored_files, upload
from tests.helpers import Api
from wrenchwork import cli
from wrenchwork.config import Settings
from wrenchwork.core.model_base import utcnow
from wrenchwork.files.check import check
from wrenchwork.files.storage import LocalStorage as files_root_storage
from wrenchwork.models import Attachment


@pytest.fixture
def files_cli(app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch) -> object:
    env = {"WRENCHWORK_DATABASE_URL": database_url, "WRENCHWORK_DATA_DIR": str(app.state.settings.data_dir)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "settings", Settings())

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.app, ["files", "check", *args], env=env)

    return run


def test_check_reports_and_fixes_orphans_both_ways(
    api: Api, asset: int, session: Session, files_root: Path, files_cli: object
) -> None:
    run = files_cli
    # Checked in-process on the test's own session and storage; the command line itself is run once at the end.
    kept = upload(api, f"/assets/{asset}/attachments", image_bytes(), "kept.jpg").json()["data"]
    lost = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "lost.pdf").json()["data"]
    stale = upload(api, "/attachments", pdf_bytes(), "stale.pdf").json()["data"]
    rows = {r.id: r for r in attachment_rows(session)}
    # Bytes of a row lost; a stray directory (an upload that never committed), old enough to count.
    lost_folder = files_root / rows[lost["id"]].storage_key[:2] / rows[lost["id"]].storage_key
    for child in lost_folder.iterdir():
        child.unlink()
    stray = files_root / "ab" / ("ab" + "0" * 30)
    stray.mkdir(parents=True)
    (stray / "original.pdf").write_bytes(b"%PDF-1.4")
    old = time.time() - 7200
    os.utime(stray, (old, old))
    session.execute(update(Attachment).where(Attachment.id == stale["id"]).values(expires_at=utcnow()))
    session.commit()

    found = check(session, files_root_storage(files_root), utcnow(), fix=False)
    session.rollback()
    assert found.lines() == [
        "bytes without a row: 1",
        "rows without bytes: 1",
        "rows whose record is gone: 0",
        "unlinked uploads past their day: 1",
    ]
    check(session, files_root_storage(files_root), utcnow(), fix=True)
    assert [r.id for r in attachment_rows(session)] == [kept["id"]]
    key = rows[kept["id"]].storage_key
    assert stored_files(files_root) == sorted(
        f"{key[:2]}/{key}/{v}.jpg" for v in ("original", "small", "medium", "large")
    )
    assert check(session, files_root_storage(files_root), utcnow(), fix=False).clean
    session.rollback()
    # The command line runs the same check (exit 0: nothing found).
    result = run()  # type: ignore[operator]
    assert result.output.splitlines()[0].startswith("bytes without a row: "), result.output
