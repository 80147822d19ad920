"""Batch with parts: the published example works as written; an atomic batch of restocks is all or nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.helpers import Api
from tests.parts.support import assert_ledger_matches, create_part, ledger


def test_the_published_batch_example(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=6, unit_cost=26.15)
    ops = [
        {"method": "GET", "url": "/api/v1/parts"},
        {
            "method": "PATCH",
            "url": f"/api/v1/parts/{part['id']}/reconcile",
            "params": {"quantity": -2, "note": "2 units damaged during shipping"},
        },
    ]
    response = api.post("/batch", json={"ops": ops, "sequential": True})
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert first["status"] == 200 and [p["id"] for p in first["body"]["data"]] == [part["id"]]
    assert second["status"] == 200 and second["body"]["data"]["on_hand_qty"] == 4
    assert [t.type for t in ledger(session, part["id"])] == ["initial", "reconcile"]
    assert_ledger_matches(session, part["id"])


def _restock(part_id: int, quantity: Any) -> dict[str, Any]:
    return {"method": "PATCH", "url": f"/api/v1/parts/{part_id}/restock", "params": {"quantity": quantity, "cost": 3}}


def test_atomic_restocks_apply_all(api: Api, session: Session) -> None:
    parts = [create_part(api, f"P{n}", on_hand_qty=1, unit_cost=3) for n in range(3)]
    body = api.post("/batch", json={"ops": [_restock(p["id"], 2) for p in parts], "sequential": True, "atomic": True})
    assert body.status_code == 200, body.text
    assert [r["status"] for r in body.json()["results"]] == [200, 200, 200]
    for part in parts:
        assert assert_ledger_matches(session, part["id"]).on_hand_qty == 3
        assert len(ledger(session, part["id"])) == 2


def test_atomic_restocks_apply_none_when_one_fails(api: Api, session: Session) -> None:
    parts = [create_part(api, f"P{n}", on_hand_qty=1, unit_cost=3) for n in range(3)]
    ops = [_restock(parts[0]["id"], 2), _restock(parts[1]["id"], 2), _restock(parts[2]["id"], 0.0001)]
    body = api.post("/batch", json={"ops": ops, "sequential": True, "atomic": True})
    assert body.status_code == 200, body.text
    assert [r["status"] for r in body.json()["results"]] == [200, 200, 422]
    assert body.json()["rolled_back"] is True
    for part in parts:
        assert assert_ledger_matches(session, part["id"]).on_hand_qty == 1
        assert len(ledger(session, part["id"])) == 1


def test_sequential_batch_keeps_the_ops_that_succeed(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=1)
    ops = [
        _restock(part["id"], 2),
        {"method": "PATCH", "url": f"/api/v1/parts/{part['id']}/reconcile", "params": {"quantity": -9, "note": "n"}},
        _restock(part["id"], 1),
    ]
    body = api.post("/batch", json={"ops": ops, "sequential": True})
    assert [r["status"] for r in body.json()["results"]] == [200, 422, 200]
    assert assert_ledger_matches(session, part["id"]).on_hand_qty == 4
    assert [t.type for t in ledger(session, part["id"])] == ["initial", "restock", "restock"]


def test_a_later_op_reads_the_stock_an_earlier_op_changed(api: Api, session: Session) -> None:
    """Stock is written beside the ORM (parts/stock.py): a copy of the part that an earlier op of the same atomic
    batch loaded must not show what was on hand before."""
    part = create_part(api, on_hand_qty=5, unit_cost=2)
    order = api.post(
        "/work_orders", json={"work_order": {"title": "Fix", "parts": [{"part_id": part["id"], "quantity": 3}]}}
    ).json()["data"]
    ops = [
        {"method": "PATCH", "url": f"/api/v1/parts/{part['id']}", "params": {"part": {"name": "Renamed"}}},
        {"method": "PATCH", "url": f"/api/v1/work_orders/{order['id']}", "params": {"work_order": {"status_id": 5}}},
        {"method": "PATCH", "url": f"/api/v1/parts/{part['id']}", "params": {"part": {"area": "Bay 2"}}},
        # Past the last page: `total_used` then comes from the part itself.
        {"method": "GET", "url": f"/api/v1/parts/{part['id']}/transactions?page=9"},
    ]
    body = api.post("/batch", json={"ops": ops, "sequential": True, "atomic": True})
    assert body.status_code == 200, body.text
    results = body.json()["results"]
    assert [r["status"] for r in results] == [200, 200, 200, 200]
    assert results[2]["body"]["data"]["on_hand_qty"] == 2
    assert results[3]["body"]["data"] == [] and results[3]["body"]["meta"]["total_used"] == 3
    stock = assert_ledger_matches(session, part["id"])
    assert (stock.on_hand_qty, stock.used_qty) == (2, 3)
