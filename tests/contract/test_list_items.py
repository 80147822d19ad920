"""List items of assets, parts, work orders and part ledgers are rendered by the database (core/json_sql.py);
details are built in Python. On the demo plant (every kind of value: nulls, fractions, booleans, references,
links, custom statuses, downtime, timers, comments, requests) each list item must say exactly what its detail
says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from wrenchwork.assets.repository import LIST_PAGE as ASSET_PAGE
from wrenchwork.core import json_sql
from wrenchwork.models import Asset, Entity, Part, PartTransaction, WorkOrder
from wrenchwork.parts.repository import LEDGER_PAGE
from wrenchwork.parts.repository import LIST_PAGE as PART_PAGE
from wrenchwork.system.demo import load_demo
from wrenchwork.work_orders.repository import LIST_PAGE as WORK_ORDER_PAGE

# Keys a list item shows differently from the detail (documented shapes), or only in the list.
LIST_ONLY = {"image", "comments_count", "work_order_request_id"}
SHAPED_APART = {
    "vendors",  # the detail adds contacts and part numbers
    "measurement_unit",  # the detail adds short_name, vendors and image
}


@pytest.fixture
def plant(session: Session, tenant: Tenant, api: Api) -> Api:
    entity = session.get(Entity, tenant.entity_id)
    assert entity is not None
    entity.created_by_id = tenant.admin_id  # the demo works as the entity's creator
    load_demo(session, "Main Facility")
    session.commit()
    work_orders = ok(api.get("/work_orders", params={"per_page": 100}))
    open_one = next(w for w in work_orders if w["status"]["name"] == "open")
    ok(api.post(f"/work_orders/{open_one['id']}/timer/start", json={}))
    ok(api.post(f"/work_orders/{open_one['id']}/comments", json={"comment": {"body": "Checked the seals"}}), 201)
    waiting = {"work_order_status": {"name": "Waiting on parts", "base_status_id": 3}}
    status = ok(api.post("/work_order_statuses", json=waiting), 201)
    ok(api.patch(f"/work_orders/{work_orders[-1]['id']}", json={"work_order": {"status_id": status["id"]}}))
    return api


def _all(api: Api, path: str) -> list[dict[str, Any]]:
    return ok(api.get(path, params={"per_page": 100}))


@pytest.mark.parametrize("resource", ["assets", "parts", "work_orders"])
def test_list_items_say_what_the_details_say(plant: Api, resource: str) -> None:
    items = _all(plant, f"/{resource}")
    assert len(items) >= 5
    for item in items:
        detail = ok(plant.get(f"/{resource}/{item['id']}"))
        shared = [key for key in item if key not in LIST_ONLY | SHAPED_APART]
        assert {key: item[key] for key in shared} == {key: detail[key] for key in shared}, item["id"]
        for key in SHAPED_APART & item.keys():
            listed = item[key]
            if isinstance(listed, list):
                assert listed == [{"id": ref["id"], "name": ref["name"]} for ref in detail[key]]
            elif listed is not None:
                assert listed == {"id": detail[key]["id"], "name": detail[key]["name"]}
        # The list's thumbnail is the detail's first image (the demo gives some records photos).
        images = detail.get("images") or []
        first = images[0]["attachment_urls"] if images else {"small": None, "medium": None}
        thumbnail = {"small": first["small"], "medium": first["medium"]}
        assert item.get("image", thumbnail) == thumbnail, item["id"]


def test_ledger_items_say_what_each_transaction_says(plant: Api) -> None:
    parts = [part for part in _all(plant, "/parts") if not part["is_non_stock"]]
    checked = 0
    for part in parts[:5]:
        for line in _all(plant, f"/parts/{part['id']}/transactions"):
            assert line == ok(plant.get(f"/parts/{part['id']}/transactions/{line['id']}")), line["id"]
            checked += 1
    assert checked >= 5


def test_work_order_list_only_fields(plant: Api) -> None:
    items = _all(plant, "/work_orders")
    for item in items:
        comments = ok(plant.get(f"/work_orders/{item['id']}/comments", params={"per_page": 100}))
        assert item["comments_count"] == len(comments)
    assert any(item["comments_count"] for item in items)
    assert any(item["active_timer_current_user"] for item in items)
    assert any(item["status"]["is_custom"] for item in items)
    assert any(item["downtime_tracking"] for item in items)
    approved = [r for r in _all(plant, "/work_order_requests") if r["work_order_id"] is not None]
    assert approved
    by_id = {item["id"]: item for item in items}
    for request in approved:
        assert by_id[request["work_order_id"]]["work_order_request_id"] == request["id"]


@pytest.mark.parametrize(
    ("page", "model"),
    [(ASSET_PAGE, Asset), (PART_PAGE, Part), (WORK_ORDER_PAGE, WorkOrder), (LEDGER_PAGE, PartTransaction)],
    ids=["assets", "parts", "work_orders", "ledger"],
)
def test_sqlite_items_are_the_same_with_json_rewrapped(
    plant: Api, session: Session, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, page: Any, model: Any
) -> None:
    """Where SQLite would drop the JSON subtype, every nested value is wrapped in json() instead: same items."""
    if session.get_bind().dialect.name != "sqlite" or not json_sql.sqlite_keeps_json():
        pytest.skip("only where SQLite keeps the subtype: elsewhere the json() form is the one that runs")
    stmt = page.where(model.entity_id == tenant.entity_id).order_by(model.id)
    connection = session.connection().execution_options(compiled_cache=None)
    params = {"caller_id": tenant.admin_id}

    def items() -> list[Any]:
        return [json.loads(row.item) for row in connection.execute(stmt, params)]

    kept = items()
    monkeypatch.setattr(json_sql, "sqlite_keeps_json", lambda: False)
    assert "json(CASE" in str(stmt.compile(session.get_bind()))
    assert items() == kept
    assert len(kept) >= 5
