"""Downtime link (extension): a work order takes its asset offline and back online; `downtime_tracking`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, db_rows, error, ok
from tests.helpers import Api, Tenant, make_entity
from tests.work_orders.support import create_work_order, update_work_order
from wrenchwork.models import Asset, Downtime


def test_a_work_order_takes_its_asset_offline_and_back_online(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Freezer")

    created = create_work_order(api, asset_id=asset["id"], asset_status="offline", downtime_reason="Leaking")

    tracking = created["downtime_tracking"]
    assert set(tracking) == {"id", "started_at", "ended_at", "status"}
    assert (tracking["ended_at"], tracking["status"]) == (None, "offline")
    assert created["asset"] == {"id": asset["id"], "name": "Freezer", "status": "offline"}
    [(reason, work_order_id, ended)] = db_rows(
        session, select(Downtime.reason, Downtime.work_order_id, Downtime.ended_at)
    )
    assert (reason, work_order_id, ended) == ("Leaking", created["id"], None)
    listed = api.get("/work_orders").json()["data"][0]
    assert listed["downtime_tracking"] == tracking

    back = update_work_order(api, created["id"], asset_status="online", status_id=5)

    assert back["asset"]["status"] == "online"
    assert back["downtime_tracking"]["id"] == tracking["id"]
    assert back["downtime_tracking"]["status"] == "online" and back["downtime_tracking"]["ended_at"] is not None
    [(status,)] = db_rows(session, select(Asset.status))
    assert status == "online"
    # Already online: nothing changes.
    again = update_work_order(api, created["id"], asset_status="online")
    assert again["downtime_tracking"] == back["downtime_tracking"]


def test_asset_status_needs_an_asset_and_a_reason_needs_offline(api: Api, session: Session) -> None:
    error(api.post("/work_orders", json={"work_order": {"title": "x", "asset_status": "offline"}}), 422)
    asset = create_asset(api, "Pump")
    body = {"title": "x", "asset_id": asset["id"], "asset_status": "online", "downtime_reason": "why"}
    error(api.post("/work_orders", json={"work_order": body}), 422)
    assert db_rows(session, select(Downtime.id)) == []


def test_the_asset_status_endpoint_accepts_a_work_order_of_the_entity(
    api: Api, session: Session, tenant: Tenant
) -> None:
    asset = create_asset(api, "Compressor")
    work_order = create_work_order(api, asset_id=asset["id"])
    foreign = create_work_order(api.as_entity(make_entity(session, tenant)), "Theirs")

    body = {"status": "offline", "work_order_id": foreign["id"]}
    error(api.patch(f"/assets/{asset['id']}/status", json=body), 422)
    ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "work_order_id": work_order["id"]}))

    tracking = ok(api.get(f"/work_orders/{work_order['id']}"))["downtime_tracking"]
    assert tracking is not None and tracking["status"] == "offline"
