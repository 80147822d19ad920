"""`wrenchwork files check [--fix]`: orphans both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests.files.conftest import S3_ENV
from tests.files.support import attachment_rows, image_bytes, pdf_bytes, stored_files, upload
from tests.helpers import Api
from wrenchwork import cli
from wrenchwork.config import Settings
from wrenchwork.core.model_base import utcnow
from wrenchwork.files.check import check
from wrenchwork.files.storage import Storage
from wrenchwork.models import Attachment


@pytest.fixture
def files_cli(
    app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch, storage_kind: str, request: pytest.FixtureRequest
) -> object:
    env = {"WRENCHWORK_DATABASE_URL": database_url, "WRENCHWORK_DATA_DIR": str(app.state.settings.data_dir)}
    if storage_kind == "s3":
        store = app.state.storage
        env |= {"WRENCHWORK_STORAGE_URL": f"s3://{store.bucket}/{store.prefix}", **S3_ENV}
        env["AWS_ENDPOINT_URL"] = request.getfixturevalue("s3_endpoint")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "settings", Settings())

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli.app, ["files", "check", *args], env=env)

    return run


def test_check_reports_and_fixes_orphans_both_ways(
    api: Api, asset: int, session: Session, store: Storage, files_cli: object
) -> None:
    run = files_cli
    # Checked in-process on the test's own session and storage; the command line itself is run once at the end.
    kept = upload(api, f"/assets/{asset}/attachments", image_bytes(), "kept.jpg").json()["data"]
    lost = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "lost.pdf").json()["data"]
    stale = upload(api, "/attachments", pdf_bytes(), "stale.pdf").json()["data"]
    rows = {r.id: r for r in attachment_rows(session)}
    # Bytes of a row lost; stray bytes (an upload that never committed).
    store.delete(rows[lost["id"]].storage_key)
    store.put("ab" + "0" * 30, "original.pdf", b"%PDF-1.4")
    session.execute(update(Attachment).where(Attachment.id == stale["id"]).values(expires_at=utcnow()))
    session.commit()
    # Bytes without a row are left alone for an hour (an upload may be under way).
    assert check(session, store, utcnow(), fix=False).orphan_bytes == []
    session.rollback()

    later = utcnow() + timedelta(hours=2)
    found = check(session, store, later, fix=False)
    session.rollback()
    assert found.lines() == [
        "bytes without a row: 1",
        "rows without bytes: 1",
        "rows whose record is gone: 0",
        "unlinked uploads past their day: 1",
    ]
    check(session, store, later, fix=True)
    assert [r.id for r in attachment_rows(session)] == [kept["id"]]
    key = rows[kept["id"]].storage_key
    assert stored_files(store) == sorted(f"{key[:2]}/{key}/{v}.jpg" for v in ("original", "small", "medium", "large"))
    assert check(session, store, later, fix=False).clean
    session.rollback()
    # The command line runs the same check (exit 0: nothing found).
    result = run()  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "bytes without a row: 0"


def test_a_storage_url_must_be_s3() -> None:
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        Settings(storage_url="http://bucket/prefix")
    assert Settings(storage_url=" s3://bucket/files ").storage_url == "s3://bucket/files"
