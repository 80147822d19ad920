"""GET /parts/{id}/transactions (sort, search, filters, meta.total_used) and GET .../transactions/{id}."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.catalog.support import error, ids, ok
from tests.helpers import Api, Tenant
from tests.parts.support import TRANSACTION_KEYS, assert_ledger_matches, create_part, ledger
from tests.parts.test_work_orders import assign, make_work_order, set_status
from wrenchwork.models import PartTransaction


def _history(api: Api, session: Session, tenant: Tenant) -> tuple[dict[str, Any], int]:
    """initial 10 @ 5, restock 4 @ 6 (invoice), reconcile -1, cost update, usage 3 then returned, usage 2.5."""
    part = create_part(api, on_hand_qty=10, unit_cost=5)
    path = f"/parts/{part['id']}"
    ok(api.patch(f"{path}/restock", json={"quantity": 4, "cost": 6, "note": "Invoice INV-1 received"}))
    ok(api.patch(f"{path}/reconcile", json={"quantity": -1, "note": "Broken in the bin"}))
    ok(api.patch(f"{path}/unit_cost", json={"cost": 7, "note": "New price list"}))
    wo = make_work_order(session, tenant.entity_id)
    assign(session, wo, part["id"], "3")
    set_status(session, wo, "completed")
    set_status(session, wo, "open")
    assign(session, wo, part["id"], "2.5", add=False)
    set_status(session, wo, "completed")
    return part, wo


def test_list_shape_default_sort_and_total_used(api: Api, session: Session, tenant: Tenant) -> None:
    part, wo = _history(api, session, tenant)
    response = api.get(f"/parts/{part['id']}/transactions")
    assert response.status_code == 200
    body = response.json()
    items = body["data"]
    assert all(list(item) == list(TRANSACTION_KEYS_ORDER) for item in items)
    # updated_at desc, ties by id desc: the newest first.
    assert [i["type"] for i in items] == [
        "usage", "usage_return", "usage", "cost_update", "reconcile", "restock", "initial"
    ]  # fmt: skip
    restock = items[-2]
    assert {k: restock[k] for k in ("note", "work_order_id", "cost", "total_cost", "quantity")} == {
        "note": "Invoice INV-1 received", "work_order_id": None, "cost": 6, "total_cost": 24, "quantity": 4,
    }  # fmt: skip
    assert restock["created_by"] == {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert (restock["images"], restock["documents"]) == ([], [])
    assert items[0]["work_order_id"] == wo
    meta = body["meta"]
    assert meta["sort"] == ["updated_at desc"]
    assert meta["pagination"] == {"total": 7, "page": 1, "per_page": 50, "total_pages": 1}
    assert meta["total_used"] == 2.5  # 3 used, 3 returned, 2.5 used
    assert assert_ledger_matches(session, part["id"]).used_qty == Decimal("2.5")  # the part keeps it as it goes
    assert list(meta) == ["entity", "customer", "pagination", "sort", "search", "filter", "total_used"]


TRANSACTION_KEYS_ORDER = (
    "id", "note", "type", "work_order_id", "cost", "total_cost", "quantity", "images", "documents", "created_at",
    "updated_at", "created_by", "updated_by",
)  # fmt: skip
assert set(TRANSACTION_KEYS_ORDER) == TRANSACTION_KEYS


def test_total_used_over_the_filtered_set_across_pages(api: Api, session: Session, tenant: Tenant) -> None:
    part, _ = _history(api, session, tenant)
    path = f"/parts/{part['id']}/transactions"
    page = api.get(path, params={"per_page": 2, "page": 2}).json()
    assert len(page["data"]) == 2
    assert page["meta"]["pagination"] == {"total": 7, "page": 2, "per_page": 2, "total_pages": 4}
    assert page["meta"]["total_used"] == 2.5
    usage_only = api.get(path, params={"filter[type_eq]": "usage", "per_page": 1}).json()
    assert usage_only["meta"]["total_used"] == 5.5
    assert usage_only["meta"]["pagination"]["total"] == 2
    returns = api.get(path, params={"filter[type_eq]": "usage_return"}).json()
    assert returns["meta"]["total_used"] == -3
    past_the_end = api.get(path, params={"per_page": 2, "page": 9}).json()
    assert (past_the_end["data"], past_the_end["meta"]["total_used"]) == ([], 2.5)
    assert past_the_end["meta"]["pagination"]["total"] == 7
    none = api.get(path, params={"filter[type_eq]": "restock", "per_page": 1, "page": 3}).json()
    assert (none["data"], none["meta"]["total_used"], none["meta"]["pagination"]["total"]) == ([], 0, 1)


def test_search_and_filters(api: Api, session: Session, tenant: Tenant) -> None:
    part, wo = _history(api, session, tenant)
    path = f"/parts/{part['id']}/transactions"
    lines = {t.type: t.id for t in ledger(session, part["id"])}

    def found(**params: Any) -> list[int]:
        return ids(api.get(path, params=params))

    assert found(search="invoice") == [lines["restock"]]
    assert found(**{"filter[note_cont]": "invoice"}) == [lines["restock"]]
    assert found(**{"filter[type_in]": "restock,reconcile"}) == [lines["reconcile"], lines["restock"]]
    assert len(found(**{"filter[work_order_id_eq]": wo})) == 3
    assert found(**{"filter[quantity_lt]": "0"}) == [lines["reconcile"]]
    assert found(**{"filter[cost_eq]": "7"}) == [lines["cost_update"]]
    assert found(**{"filter[note_null]": "true"}) == [lines["initial"]]
    assert found(**{"filter[created_at_gt]": "2999-01-01T00:00:00Z"}) == []
    assert len(found(**{"filter[created_at_lt]": "2999-01-01"})) == 7
    assert found(sort="quantity asc,id asc")[0] == lines["reconcile"]
    error(api.get(path, params={"filter[type_eq]": "theft"}), 422)
    error(api.get(path, params={"filter[colour_eq]": "red"}), 422)
    error(api.get(path, params={"sort": "note asc"}), 422)


def test_default_sort_is_by_updated_at(api: Api, session: Session) -> None:
    part = create_part(api)
    for n in range(3):
        ok(api.patch(f"/parts/{part['id']}/restock", json={"quantity": 1, "cost": n}))
    first, second, third, fourth = (t.id for t in ledger(session, part["id"]))
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    session.execute(update(PartTransaction).where(PartTransaction.id == third).values(updated_at=moment))
    session.commit()
    assert ids(api.get(f"/parts/{part['id']}/transactions")) == [fourth, second, first, third]


def test_detail(api: Api, session: Session, tenant: Tenant) -> None:
    part = create_part(api, on_hand_qty=2, unit_cost=26.15)
    ok(
        api.patch(
            f"/parts/{part['id']}/restock",
            json={"quantity": 2, "cost": 26.15, "note": "Purchase order PO-12345 received"},
        )
    )
    line = ledger(session, part["id"])[-1]
    item = ok(api.get(f"/parts/{part['id']}/transactions/{line.id}"))
    assert list(item) == list(TRANSACTION_KEYS_ORDER)
    assert {k: item[k] for k in ("id", "note", "type", "work_order_id", "cost", "total_cost", "quantity")} == {
        "id": line.id, "note": "Purchase order PO-12345 received", "type": "restock", "work_order_id": None,
        "cost": 26.15, "total_cost": 52.3, "quantity": 2,
    }  # fmt: skip
    listed = ok(api.get(f"/parts/{part['id']}/transactions"))
    assert listed[0] == item
    other = create_part(api, "Other")
    body = error(api.get(f"/parts/{other['id']}/transactions/{line.id}"), 404)
    assert body["message"] == "Part transaction not found"
    error(api.get(f"/parts/{part['id']}/transactions/999999"), 404)
    error(api.get(f"/parts/999999/transactions/{line.id}"), 404)
    error(api.get(f"/parts/{part['id']}/transactions/abc"), 422)


def test_ledger_total_of_a_new_part_after_a_deleted_one(api: Api) -> None:
    """The ledger's total is a counter per part: it must not outlive its part (SQLite may reuse the id)."""
    gone = create_part(api, "Old filter", on_hand_qty=5, unit_cost=2)
    for _ in range(3):
        ok(api.patch(f"/parts/{gone['id']}/restock", json={"quantity": 1, "cost": 2}))
    assert api.delete(f"/parts/{gone['id']}").status_code == 204
    fresh = create_part(api, "New filter", on_hand_qty=1, unit_cost=2)
    response = api.get(f"/parts/{fresh['id']}/transactions", params={"per_page": 1, "page": 2})
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["meta"]["pagination"]["total"] == 1
