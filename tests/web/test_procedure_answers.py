"""Answering procedure items on the work order page: every type through the API's answer rules, photos and
signatures uploaded through the files service first."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant
from tests.procedures.support import create_template
from tests.web.pages import csrf, person, sign_in
from tests.web.test_work_order_pages import act, flash, new_work_order

ITEMS = [
    {"name": "Pressure", "item_type": "meter_reading", "options": {"unit": "bar", "min": 0, "max": 10}},
    {"name": "Guard fitted", "item_type": "checkbox"},
    {"name": "Mode", "item_type": "multiple_choice", "options": {"choices": ["Auto", "Manual"]}},
    {"name": "Next visit", "item_type": "date", "options": {"required": False}},
    {"name": "Gauge photo", "item_type": "photo"},
    {"name": "Supervisor", "item_type": "signature"},
]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(out, "PNG")
    return out.getvalue()


def test_every_item_type_is_answered_from_the_page(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    template = create_template(api, "Compressor check", ITEMS)
    user_id, email = person(session, tenant)
    wo = new_work_order(api, technicians_ids=[user_id], procedure_template_ids=[template["id"]])
    sign_in(client, email)
    page = client.get(f"/work_orders/{wo}")
    assert page.status_code == 200
    assert "Pressure * (bar)" in page.text
    listed = api.get(f"/work_orders/{wo}").json()["data"]["procedures"][0]
    procedure_path = f"/work_orders/{wo}/procedures/{listed['id']}"
    procedure = api.get(procedure_path).json()["data"]
    item = {i["name"]: i["id"] for i in procedure["items"]}
    base = f"/work_orders/{wo}/procedures/{procedure['id']}/items"

    too_high = act(client, f"{base}/{item['Pressure']}", {"value": "12"})
    assert flash(too_high) == ["procedure.answers.0.value must be at most 10"]
    act(client, f"{base}/{item['Pressure']}", {"value": "6.5"})
    act(client, f"{base}/{item['Guard fitted']}", {"value": "true"})
    act(client, f"{base}/{item['Mode']}", {"value": "Manual"})
    act(client, f"{base}/{item['Next visit']}", {"value": "2027-01-15"})
    for name in ("Gauge photo", "Supervisor"):
        token = csrf(client.get(f"/work_orders/{wo}"))
        sent = client.post(
            f"{base}/{item[name]}",
            data={"csrf_token": token},
            files={"file": ("answer.png", png(), "image/png")},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text

    done = api.get(procedure_path).json()["data"]
    answered = {i["name"]: i["value"] for i in done["items"]}
    assert answered["Pressure"] == 6.5
    assert answered["Guard fitted"] is True
    assert answered["Mode"] == "Manual"
    assert answered["Next visit"] == "2027-01-15"
    # Photo and signature answers show the image they name (files/present.py), as the API's answers do.
    for name in ("Gauge photo", "Supervisor"):
        assert isinstance(answered[name]["id"], int) and answered[name]["type"] == "image/png", answered[name]
    assert done["completed_at"] is not None
    assert "complete</span>" in client.get(f"/work_orders/{wo}").text
