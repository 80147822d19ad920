"""The four stock actions: documented bodies, exact arithmetic, validation, one ledger line each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.catalog.support import error, ok
from tests.helpers import Api
from tests.parts.support import PART_DETAIL_KEYS, D, assert_ledger_matches, create_part, ledger


def _stock(part: dict[str, Any]) -> tuple[Any, Any, Any]:
    return part["on_hand_qty"], part["unit_cost"], part["avg_unit_cost"]


def test_restock_with_the_published_example(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=6, unit_cost=26.15)
    body = {"quantity": 4, "cost": 26.15, "note": "Purchase order PO-12345 received"}
    after = ok(api.patch(f"/parts/{part['id']}/restock", json=body))
    assert set(after) == PART_DETAIL_KEYS
    assert _stock(after) == (10, 26.15, 26.15)
    line = ledger(session, part["id"])[-1]
    assert (line.type, line.quantity, line.cost, line.total_cost, line.note) == (
        "restock", D(4), D("26.15"), D("104.6"), "Purchase order PO-12345 received"
    )  # fmt: skip
    assert_ledger_matches(session, part["id"])


def test_restock_weights_the_average_cost_and_keeps_unit_cost(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=3, unit_cost=10)
    # (3 x 10 + 2 x 12.5) / 5 = 11
    assert _stock(ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 2, "cost": 12.5}))) == (5, 10, 11)
    # (5 x 11 + 1 x 12) / 6 = 11.1666... -> 11.17 (half up)
    assert _stock(ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 12}))) == (6, 10, 11.17)
    # (6 x 11.17 + 0.001 x 0.05) / 6.001 = 11.1681... -> 11.17
    after = ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 0.001, "cost": 0.05}))
    assert _stock(after) == (6.001, 10, 11.17)
    assert str(assert_ledger_matches(session, part["id"]).on_hand_qty) == "6.001"


def test_restock_from_nothing_takes_the_new_cost(api: Api) -> None:
    part = create_part(api, unit_cost=4)
    assert _stock(ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 2, "cost": 7.25}))) == (2, 4, 7.25)


def test_half_up_rounding_of_the_average(api: Api) -> None:
    part = create_part(api, on_hand_qty=1, unit_cost=0.01)
    # (1 x 0.01 + 1 x 0.02) / 2 = 0.015 -> 0.02 (half up, not banker's 0.02/0.01)
    assert ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 0.02}))["avg_unit_cost"] == 0.02
    other = create_part(api, "Other", on_hand_qty=1, unit_cost=0.02)
    # (0.02 + 0.03) / 2 = 0.025 -> 0.03
    assert ok(api.patch(f"/parts/{other['id']}/restock", json={"quantity": 1, "cost": 0.03}))["avg_unit_cost"] == 0.03


def test_reconcile_with_the_published_example(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=6, unit_cost=26.15)
    after = ok(
        api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -2, "note": "2 units damaged during shipping"})
    )
    assert _stock(after) == (4, 26.15, 26.15)
    line = ledger(session, part["id"])[-1]
    assert (line.type, line.quantity, line.cost, line.total_cost, line.note) == (
        "reconcile", D(-2), D("26.15"), D("-52.3"), "2 units damaged during shipping"
    )  # fmt: skip
    assert (
        ok(api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": 0.5, "note": "found"}))["on_hand_qty"] == 4.5
    )
    assert_ledger_matches(session, part["id"])


def test_reconcile_down_to_exactly_zero_is_allowed(api: Api) -> None:
    part = create_part(api, on_hand_qty=2.5)
    assert (
        ok(api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -2.5, "note": "all gone"}))["on_hand_qty"] == 0
    )


def test_reconcile_below_zero_is_422_and_changes_nothing(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=2, unit_cost=3)
    before = ok(api.get(f"/parts/{part['id']}"))
    body = error(api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": -2.001, "note": "count"}), 422)
    assert list(body["errors"]) == ["quantity"]
    assert "negative" in body["message"]
    assert ok(api.get(f"/parts/{part['id']}")) == before
    assert len(ledger(session, part["id"])) == 1


def test_cost_actions(api: Api, session: Session) -> None:
    part = create_part(api, on_hand_qty=6, unit_cost=26.15)
    after = ok(
        api.patch(f"/parts/{part['id']}/unit_cost", json={"cost": 225.5, "note": "Cost updated per invoice INV-9847"})
    )
    assert _stock(after) == (6, 225.5, 26.15)
    after = ok(
        api.patch(
            f"/parts/{part['id']}/avg_unit_cost",
            json={"cost": 207.35, "note": "Adjusting after supplier rebate credit"},
        )
    )
    assert _stock(after) == (6, 225.5, 207.35)
    lines = ledger(session, part["id"])
    assert [(t.type, t.quantity, t.cost, t.total_cost, t.note) for t in lines[1:]] == [
        ("cost_update", D(0), D("225.5"), D(0), "Cost updated per invoice INV-9847"),
        ("avg_cost_update", D(0), D("207.35"), D(0), "Adjusting after supplier rebate credit"),
    ]
    # Cost actions apply to non-stock parts too; zero is a valid cost.
    service = create_part(api, "Service call", is_non_stock=True, unit_cost=80)
    assert ok(api.patch(f"/parts/{service['id']}/unit_cost", json={"cost": 0}))["unit_cost"] == 0
    assert_ledger_matches(session, part["id"])
    assert_ledger_matches(session, service["id"])


def test_put_is_accepted_for_actions(api: Api) -> None:
    part = create_part(api)
    assert ok(api.put(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 1}))["on_hand_qty"] == 1


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("restock", {"quantity": 1.0001, "cost": 1}, "quantity"),
    ("restock", {"quantity": 1, "cost": 1.001}, "cost"),
    ("restock", {"quantity": 0, "cost": 1}, "quantity"),
    ("restock", {"quantity": -1, "cost": 1}, "quantity"),
    ("restock", {"quantity": 1, "cost": -0.01}, "cost"),
    ("restock", {"cost": 1}, "quantity"),
    ("restock", {"quantity": 1}, "cost"),
    ("restock", {"quantity": "abc", "cost": 1}, "quantity"),
    ("restock", {"quantity": 1e9, "cost": 1}, "quantity"),
    ("restock", {"quantity": 1, "cost": 1e7}, "cost"),
    ("restock", {"quantity": 1, "cost": 1, "extra": 1}, "extra"),
    ("reconcile", {"quantity": 1}, "note"),
    ("reconcile", {"quantity": 1, "note": "  "}, "note"),
    ("reconcile", {"quantity": 0, "note": "n"}, "quantity"),
    ("reconcile", {"quantity": -0.0001, "note": "n"}, "quantity"),
    ("reconcile", {"note": "n"}, "quantity"),
    ("unit_cost", {"cost": 1.234}, "cost"),
    ("unit_cost", {"cost": -1}, "cost"),
    ("unit_cost", {}, "cost"),
    ("avg_unit_cost", {"cost": 0.001}, "cost"),
    ("avg_unit_cost", {"cost": -5}, "cost"),
]


@pytest.mark.parametrize(("action", "body", "field"), BAD_BODIES)
def test_invalid_action_bodies_are_422_and_change_nothing(
    api: Api, session: Session, action: str, body: dict[str, Any], field: str
) -> None:
    part = create_part(api, on_hand_qty=5, unit_cost=2)
    before = ok(api.get(f"/parts/{part['id']}"))
    response = error(api.patch(f"/parts/{part['id']}/{action}", json=body), 422)
    assert field in response["errors"], response
    assert ok(api.get(f"/parts/{part['id']}")) == before
    assert len(ledger(session, part["id"])) == 1


@pytest.mark.parametrize(
    ("action", "body"), [("restock", {"quantity": 1, "cost": 1}), ("reconcile", {"quantity": 1, "note": "n"})]
)
def test_non_stock_parts_refuse_stock_actions(api: Api, session: Session, action: str, body: dict[str, Any]) -> None:
    part = create_part(api, "Service call", is_non_stock=True)
    response = error(api.patch(f"/parts/{part['id']}/{action}", json=body), 422)
    assert "non-stock" in response["message"]
    assert len(ledger(session, part["id"])) == 1


def test_stock_limit(api: Api) -> None:
    part = create_part(api, on_hand_qty=999_999_999)
    error(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": 1}), 422)
    error(api.patch(f"/parts/{part['id']}/reconcile", json={"quantity": 1, "note": "n"}), 422)
    big = ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 0.999, "cost": 9_999_999.99}))
    assert big["on_hand_qty"] == 999_999_999.999


def test_missing_part_and_bad_json(api: Api) -> None:
    assert (
        error(api.patch("/parts/999999/restock", json={"quantity": 1, "cost": 1}), 404)["message"] == "Part not found"
    )
    response = api.patch("/parts/1/restock", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    response = api.patch("/parts/1/restock", content=b"quantity=1", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_amounts_are_exact(api: Api, session: Session) -> None:
    """Ten restocks of 0.1 at 0.1 are exactly 1 (no float drift) on every backend."""
    part = create_part(api)
    for _ in range(10):
        ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 0.1, "cost": 0.1}))
    stock = assert_ledger_matches(session, part["id"])
    assert stock.on_hand_qty == Decimal("1.000")
    assert stock.avg_unit_cost == Decimal("0.10")
    assert ok(api.get(f"/parts/{part['id']}"))["on_hand_qty"] == 1
