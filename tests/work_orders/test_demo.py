"""The demo data set holds work orders in every status, with labor, checklists and stock effects."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import db_rows, ok
from tests.helpers import Api
from wrenchwork.models import TimeEntry, WorkOrder
from wrenchwork.system.demo import load_demo


def test_demo_work_orders_cover_every_status(api: Api, session: Session) -> None:
    load_demo(session, "Main Facility")
    session.commit()

    statuses = {row[0] for row in db_rows(session, select(WorkOrder.base_status))}
    assert statuses == {"open", "in_progress", "on_hold", "cancelled", "completed"}
    assert db_rows(session, select(func.count(TimeEntry.id)))[0][0] > 0
    listed = api.get("/work_orders", params={"per_page": "100"}).json()["data"]
    completed = [w for w in listed if w["status"]["name"] == "completed"]
    assert completed and all(w["completed_at"] for w in completed)
    detail = ok(api.get(f"/work_orders/{completed[0]['id']}"))
    assert detail["checklist"] and all(item["checked"] for item in detail["checklist"])
    assert detail["total_costs"]["labor"] > 0
    assert any(w["downtime_tracking"] for w in listed)
