"""A write refused because SQLite's write lock stayed taken past the busy timeout is a 503 the client may retry,
with nothing changed; any other operational error of the database stays a 500."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.helpers import Api
from wrenchwork.models import WorkOrder
from wrenchwork.work_orders import service

BODY = {"work_order": {"title": "Leak under press 4"}}


def _failing(message: str) -> Any:
    def create(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(message))

    return create


def test_a_busy_database_is_503_with_retry_after(api: Api, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "create_work_order", _failing("database is locked"))

    response = api.post("/work_orders", json=BODY)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "status": "error",
        "message": "The database is busy with a long write (such as an import); try again shortly",
    }
    assert session.query(WorkOrder).count() == 0


def test_other_operational_errors_stay_500(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "create_work_order", _failing("disk I/O error"))

    response = api.post("/work_orders", json=BODY)

    assert response.status_code == 500
    assert response.json() == {"status": "error", "message": "Internal server error"}
