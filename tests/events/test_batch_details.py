"""The outbox renders the details of a commit's records of one resource in one statement (a PM pass commits
hundreds of work orders at once), and what it renders is the record's `GET` detail."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.events.support import events
from tests.helpers import Api, statements
from tests.parts.support import create_part


def test_a_batch_of_work_orders_is_rendered_at_once(api: Api, engine: Engine) -> None:
    part = create_part(api, on_hand_qty=10)
    category = api.post("/categories", json={"category": {"name": "HVAC"}}).json()["data"]
    cursor = events(api)[-1]["seq"]
    ops = [
        {"method": "POST", "url": "/api/v1/work_orders", "params": {"work_order": {
            "title": f"Filter {n}", "categories_ids": [category["id"]], "checklist": [{"text": "Open"}],
            "parts": [{"part_id": part["id"], "quantity": n}],
        }}}
        for n in (1, 2, 3)
    ]  # fmt: skip
    with statements(engine) as seen:
        response = api.post("/batch", json={"ops": ops, "sequential": True, "atomic": True})
    assert response.status_code == 200, response.text
    assert response.json()["rolled_back"] is False
    # Each op's answer renders its own detail; the outbox renders the three in one more statement.
    assert len([s for s in seen if "'part_assignments'" in s]) == 4
    created = [e for e in events(api, cursor) if e["type"] == "work_order.created"]
    assert len(created) == 3
    for event in created:
        detail = api.get(f"/work_orders/{event['data']['id']}").json()["data"]
        assert event["data"] == detail
        assert detail["categories"] == [{"id": category["id"], "name": "HVAC"}]
        assert detail["part_assignments"][0]["part_id"] == part["id"]
