"""The demo data set holds procedure templates, requests in every status and comments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api
from wrenchwork.system.demo import load_demo


def test_demo_requests_procedures_and_comments(api: Api, session: Session) -> None:
    load_demo(session, "Main Facility")
    session.commit()

    requests = ok(api.get("/work_order_requests"))
    assert {r["status"] for r in requests} == {"pending", "approved", "declined", "on_hold"}
    approved = [r for r in requests if r["status"] == "approved"]
    assert approved and all(r["work_order_id"] for r in approved)
    assert all(r["created_by"]["name"] == "Daniel" for r in requests)
    assert sum(r["comments_count"] for r in requests) == 4

    templates = ok(api.get("/procedure_templates"))
    names = [t["name"] for t in templates]
    assert names == ["Fire extinguisher monthly inspection", "Forklift pre-shift check", "Monthly HVAC inspection"]
    hvac = ok(api.get(f"/procedure_templates/{templates[2]['id']}"))
    assert {i["item_type"] for i in hvac["items"]} >= {"multiple_choice", "meter_reading", "yes_no", "signature"}
    work_orders = ok(api.get("/work_orders", params={"per_page": "100"}))
    with_procedures = [w for w in work_orders if ok(api.get(f"/work_orders/{w['id']}"))["procedures"]]
    assert with_procedures
