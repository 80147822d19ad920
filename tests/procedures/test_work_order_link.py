"""`procedure_template_ids` on the documented work-order endpoints, seen end to end."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import TIMESTAMP, db_scalars, error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.procedures.support import create_template
from wrenchwork.models import Procedure, ProcedureAnswer


def test_work_orders_carry_procedures_from_templates(api: Api, session: Session) -> None:
    hvac = create_template(api, "HVAC monthly")
    forklift = create_template(api, "Forklift", [{"name": "Horn works", "item_type": "yes_no"}])

    created = ok(
        api.post(
            "/work_orders",
            json={"work_order": {"title": "Monthly rounds", "procedure_template_ids": [hvac["id"], forklift["id"]]}},
        ),
        201,
    )

    procedures = created["procedures"]
    assert [(p["name"], p["procedure_template_id"], p["completed_at"]) for p in procedures] == [
        ("HVAC monthly", hvac["id"], None),
        ("Forklift", forklift["id"], None),
    ]
    assert all(set(p) == {"id", "name", "procedure_template_id", "completed_at"} for p in procedures)
    path = f"/work_orders/{created['id']}/procedures/{procedures[1]['id']}"
    horn = ok(api.get(path))["items"][0]["id"]
    ok(api.patch(path, json={"procedure": {"answers": [{"item_id": horn, "value": "no"}]}}))

    shown = ok(api.get(f"/work_orders/{created['id']}"))["procedures"]
    assert shown[0]["completed_at"] is None and TIMESTAMP.match(shown[1]["completed_at"])
    listed = ok(api.get("/procedure_templates"))
    assert [t["assignment_count"]["work_orders"] for t in listed] == [1, 1]

    # Sending the list again keeps answered procedures; leaving a template out removes its procedure.
    updated = ok(
        api.patch(f"/work_orders/{created['id']}", json={"work_order": {"procedure_template_ids": [forklift["id"]]}})
    )
    assert [(p["id"], p["completed_at"]) for p in updated["procedures"]] == [(shown[1]["id"], shown[1]["completed_at"])]
    assert db_scalars(session, select(func.count()).select_from(Procedure)) == [1]
    assert db_scalars(session, select(func.count()).select_from(ProcedureAnswer)) == [1]


def test_templates_must_be_of_the_entity(api: Api, session: Session, tenant: Tenant) -> None:
    foreign = create_template(api.as_entity(make_entity(session, tenant)), "Elsewhere")

    response = error(
        api.post("/work_orders", json={"work_order": {"title": "X", "procedure_template_ids": [foreign["id"]]}}), 422
    )

    assert list(response["errors"]) == ["work_order.procedure_template_ids"]
    assert db_scalars(session, select(func.count()).select_from(Procedure)) == [0]
