"""Purchasing: `filter[low_stock_eq]=true` lists stocked parts at or below min_qty; `reorder_qty` in the detail."""

from __future__ import annotations

from tests.catalog.support import error, ids, ok
from tests.helpers import Api
from tests.parts.support import create_part


def test_low_stock_filter(api: Api) -> None:
    below = create_part(api, "Below", on_hand_qty=2, min_qty=5, desired_qty=10)
    at = create_part(api, "At", on_hand_qty=5, min_qty=5)
    above = create_part(api, "Above", on_hand_qty=5.001, min_qty=5)
    no_minimum = create_part(api, "No minimum", on_hand_qty=0)
    non_stock = create_part(api, "Non-stock", is_non_stock=True, min_qty=1)
    low = [at["id"], below["id"]]  # name asc
    assert ids(api.get("/parts", params={"filter[low_stock_eq]": "true"})) == low
    assert ids(api.get("/parts", params={"filter[low_stock_true]": "1"})) == low
    others = [above["id"], no_minimum["id"], non_stock["id"]]
    assert ids(api.get("/parts", params={"filter[low_stock_eq]": "false"})) == others
    assert ids(api.get("/parts", params={"filter[low_stock_false]": "true"})) == others
    # It follows the stock: a restock takes a part off the list, a reconcile puts it back.
    ok(api.patch(f"/parts/{below['id']}/restock", json={"quantity": 4, "cost": 1}))
    assert ids(api.get("/parts", params={"filter[low_stock_eq]": "true"})) == [at["id"]]
    ok(api.patch(f"/parts/{above['id']}/reconcile", json={"quantity": -0.001, "note": "count"}))
    assert ids(api.get("/parts", params={"filter[low_stock_eq]": "true", "sort": "name desc"})) == [
        at["id"],
        above["id"],
    ]
    # And the part's settings: a reorder point given to a part with none puts it on the list.
    ok(api.patch(f"/parts/{no_minimum['id']}", json={"part": {"min_qty": 1}}))
    assert ids(api.get("/parts", params={"filter[low_stock_eq]": "true"})) == [above["id"], at["id"], no_minimum["id"]]
    ok(api.patch(f"/parts/{no_minimum['id']}", json={"part": {"min_qty": None}}))
    assert api.get("/parts", params={"filter[low_stock_eq]": "true"}).json()["meta"]["filter"] == {
        "low_stock_eq": "true"
    }
    error(api.get("/parts", params={"filter[low_stock_eq]": "maybe"}), 422)
    error(api.get("/parts", params={"filter[low_stock_gt]": "1"}), 422)


def test_reorder_qty(api: Api) -> None:
    part = create_part(api, on_hand_qty=3, min_qty=2, desired_qty=8.5)
    assert ok(api.get(f"/parts/{part['id']}"))["reorder_qty"] == 5.5
    ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 10, "cost": 1}))
    assert ok(api.get(f"/parts/{part['id']}"))["reorder_qty"] == 0  # above the desired level: nothing to order
    assert ok(api.patch(f"/parts/{part['id']}", json={"part": {"desired_qty": None}}))["reorder_qty"] is None
    assert create_part(api, "Non-stock", is_non_stock=True, desired_qty=3)["reorder_qty"] is None
    assert "reorder_qty" not in ok(api.get("/parts"))[0]
