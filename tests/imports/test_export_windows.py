"""Exports longer than one window: every row exactly once, in the list's order, from one snapshot."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant
from tests.imports.support import run
from wrenchwork.exports import stream
from wrenchwork.models import Asset

WINDOW = 4
MODELS = ("", "X", "Y", "", "X")
DATES = ("", "2024-01-01", "2023-06-30", "2024-01-01")
COSTS = ("", "10", "2.5", "10", "")
# 22 assets over 6 windows; names unique but not in id order, the other columns with NULLs and ties (every asset is
# online: sorted by status, the id alone orders them).
NAMES = [f"A{(n * 7) % 22:02d}" for n in range(22)]
ASSETS = "name,model,purchase_date,purchase_cost,manufacturer\n" + "".join(
    f"{name},{MODELS[n % 5]},{DATES[n % 4]},{COSTS[n % 5]},{'M' if n % 3 else ''}\n" for n, name in enumerate(NAMES)
)
SORTS = (
    None,
    "name desc",
    "id desc",
    "status",
    "created_at desc",
    "model",
    "model desc",
    "purchase_date desc,name",
    "purchase_cost,manufacturer desc",
    "status,model,created_at desc",
)


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "WINDOW", WINDOW)
    monkeypatch.setattr(stream, "FIRST_WINDOW", 3)


def _listed(api: Api, sort: str | None) -> list[str]:
    params = {"per_page": 100} | ({"sort": sort} if sort else {})
    response = api.get("/assets", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["data"]]


def _exported(api: Api, sort: str | None, extension: str = "csv", **params: str) -> list[str]:
    response = api.get(f"/assets.{extension}", params=params | ({"sort": sort} if sort else {}))
    assert response.status_code == 200, response.text
    if extension == "csv":
        return [row[0] for row in list(csv.reader(io.StringIO(response.text)))[1:]]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [str(row[0]) for row in list(sheet.iter_rows(values_only=True))[1:]]


def test_every_row_once_in_the_lists_order(api: Api, small_windows: None) -> None:
    job = run(api, ASSETS, "assets")
    assert (job["status"], job["created"]) == ("completed", 22), job
    for sort in SORTS:
        listed = _listed(api, sort)
        assert sorted(listed) == sorted(NAMES)
        assert _exported(api, sort) == listed, sort
    assert _exported(api, "model desc", "xlsx") == _listed(api, "model desc")
    filtered = api.get("/assets", params={"filter[model_eq]": "X", "sort": "purchase_date", "per_page": 100})
    expected = [item["name"] for item in filtered.json()["data"]]
    assert len(expected) > WINDOW
    assert _exported(api, "purchase_date", **{"filter[model_eq]": "X"}) == expected


def test_a_write_between_windows_changes_nothing_in_the_file(
    api: Api, app: FastAPI, tenant: Tenant, small_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first window another session adds a row before the cursor and deletes one past it: paged by
    offset without a snapshot, a row would come twice and one would be missing. The file is the list as it was."""
    assert run(api, ASSETS, "assets")["status"] == "completed"
    before = _listed(api, None)
    original = stream.windows

    def writing_after_first(*args: Any) -> Iterator[list[dict[str, Any]]]:
        for number, items in enumerate(original(*args)):
            yield items
            if number == 0:
                with app.state.sessionmaker() as writer, writer.begin():
                    writer.add(Asset(entity_id=tenant.entity_id, name="A00 new"))
                    writer.execute(delete(Asset).where(Asset.name == before[-1]))

    monkeypatch.setattr(stream, "windows", writing_after_first)
    assert _exported(api, None) == before
    after = _listed(api, None)
    assert after[0] == "A00" and after[1] == "A00 new" and before[-1] not in after


def test_an_order_on_another_tables_column_pages_by_offset(api: Api, session: Session, small_windows: None) -> None:
    """PM schedules by their template's title cannot be keyset-paged (exports/stream.py): still every row once."""
    assert run(api, "name\nPump\n", "assets")["status"] == "completed"
    schedules = "title,type,start_date,time_to_complete,repeat_frequency,asset\n" + "".join(
        f"Check {(n * 5) % 9},persistent,2026-01-05T08:00:00Z,4,week,Pump\n" for n in range(9)
    )
    job = run(api, schedules, "pm_schedules")
    assert (job["status"], job["errors"]) == ("completed", []), job
    response = api.get("/pm_schedules.csv", params={"sort": "title desc"})
    titles = [row[0] for row in list(csv.reader(io.StringIO(response.text)))[1:]]
    assert titles == [f"Check {n}" for n in range(8, -1, -1)]
    assert session.scalar(select(Asset.name)) == "Pump"
