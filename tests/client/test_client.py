"""The client against a running server: resources, paging, actions, errors and batches as an integrator uses them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tests.client.conftest import QUICK
from tests.helpers import Tenant, make_user
from wrenchwork.client import (
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    Unprocessable,
    models,
)


def make_assets(client: Client, count: int) -> list[int]:
    """`count` assets through batches (more than 100 ops go as several requests)."""
    with client.batch() as batch:
        for n in range(count):
            batch.post("/assets", {"asset": {"name": f"Asset {n:03d}", "model": "even" if n % 2 == 0 else "odd"}})
    assert [result.status for result in batch.results] == [201] * count
    return [result.data["id"] for result in batch.results]


def test_a_list_pages_through_every_record_exactly_once(client: Client) -> None:
    ids = make_assets(client, 105)

    seen = [asset.id for asset in client.assets.list(per_page=25)]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 105
    by_name = [asset.name for asset in client.assets.list(sort="name desc", per_page=40)]
    assert by_name == [f"Asset {n:03d}" for n in reversed(range(105))]

    even = list(client.assets.list(filter={"model_eq": "even"}, search="Asset 1", per_page=2))
    assert sorted(asset.name for asset in even) == [f"Asset {n:03d}" for n in range(100, 105, 2)]
    assert all(isinstance(asset, models.AssetListItem) for asset in even)

    page = client.assets.page(2, per_page=50, filter={"id_in": ids[:60]})
    assert (page.total, page.page, page.total_pages, len(page.data)) == (60, 2, 2, 10)
    assert list(client.assets.list(filter={"name_eq": "nothing"})) == []


def test_create_get_update_delete(client: Client) -> None:
    site = client.locations.create(name="Site")
    pump = client.assets.create({"name": "Pump", "purchase_cost": Decimal("1200.50")}, location_id=site.id)
    assert isinstance(pump, models.AssetDetail)
    assert (pump.name, pump.purchase_cost, pump.location and pump.location.id) == ("Pump", 1200.5, site.id)

    changed = client.assets.update(pump.id, serial_number="SN-1")
    assert (changed.serial_number, changed.name) == ("SN-1", "Pump")
    assert client.assets.get(pump.id).serial_number == "SN-1"

    client.assets.update(pump.id, qr_code_attributes={"value": "PUMP-1"})
    assert b"<svg" in client.request("GET", f"/assets/{pump.id}/qr_code.svg")  # not JSON: the bytes
    client.assets.delete(pump.id)
    with pytest.raises(NotFound) as missing:
        client.assets.get(pump.id)
    assert (missing.value.status, missing.value.message) == (404, "Asset not found")


def test_documented_actions(client: Client) -> None:
    part = client.parts.create(name="Filter", on_hand_qty=10, unit_cost="4.00")
    restocked = client.parts.restock(part.id, 10, Decimal("6.00"), note="delivery")
    assert (restocked.on_hand_qty, restocked.avg_unit_cost) == (20, 5)
    assert client.parts.reconcile(part.id, -3, "counted").on_hand_qty == 17
    assert client.parts.set_unit_cost(part.id, "7.25").unit_cost == 7.25
    kinds = [entry.type for entry in client.parts.transactions(part.id, per_page=2)]
    assert sorted(kinds) == ["cost_update", "initial", "reconcile", "restock"]

    pump = client.assets.create(name="Pump")
    assert client.assets.set_status(pump.id, "offline", reason="leak").status == "offline"
    assert [downtime.reason for downtime in client.assets.downtimes(pump.id)] == ["leak"]

    order = client.work_orders.create(title="Fix the pump", asset_id=pump.id)
    assert client.work_orders.set_status(order.id, 2).status.id == 2
    client.work_orders.add_comment(order.id, "On it")
    assert [comment.body for comment in client.work_orders.comments(order.id)] == ["On it"]


def test_errors_carry_status_message_and_field_errors(
    client: Client, server_url: str, tenant: Tenant, session: Session
) -> None:
    with pytest.raises(Unprocessable) as invalid:
        client.assets.create(name="", purchase_cost="-1")
    assert invalid.value.status == 422
    assert set(invalid.value.errors) == {"asset.name", "asset.purchase_cost"}
    assert all(messages for messages in invalid.value.errors.values())

    site = client.locations.create(name="Site")
    client.assets.create(name="Pump", location_id=site.id)
    with pytest.raises(Conflict) as in_use:
        client.locations.delete(site.id)
    assert in_use.value.status == 409 and in_use.value.message

    with Client(server_url, "wrong", tenant.entity_id, retry=QUICK) as stranger, pytest.raises(Unauthorized) as unknown:
        stranger.assets.page()
    assert (unknown.value.status, unknown.value.message) == (401, "Invalid API key")
    with Client(server_url, tenant.token, retry=QUICK) as unscoped:
        assert [entity.id for entity in unscoped.entities.list()] == [tenant.entity_id]
        with pytest.raises(BadRequest) as no_entity:
            unscoped.assets.page()
    assert no_entity.value.status == 400
    _, token = make_user(session, tenant, role="technician")
    with Client(server_url, token, tenant.entity_id, retry=QUICK) as technician, pytest.raises(Forbidden) as refused:
        technician.vendors.create(name="Acme")
    assert refused.value.status == 403


def test_batch_answers_each_op_and_atomic_batches_roll_back(client: Client) -> None:
    with client.batch() as batch:
        first = batch.post("/locations", {"location": {"name": "Hall"}})
        batch.post("/locations", {"location": {"name": ""}})
        listed = batch.get("/locations", {"filter": {"name_eq": "Hall"}})
    assert [result.status for result in batch.results] == [201, 422, 200]
    assert batch.results[first].data["name"] == "Hall"
    error = batch.results[1].error
    assert isinstance(error, Unprocessable) and "location.name" in error.errors
    assert [location["name"] for location in batch.results[listed].data] == ["Hall"]
    with pytest.raises(Unprocessable):
        batch.results[1].raise_for_status()

    atomic = client.batch(atomic=True)
    atomic.post("/locations", {"location": {"name": "Annex"}})
    atomic.post("/locations", {"location": {"name": ""}})
    atomic.post("/locations", {"location": {"name": "Never"}})
    results = atomic.send()
    assert [result.status for result in results] == [201, 422, 424]
    assert atomic.rolled_back is True
    assert [location.name for location in client.locations.list()] == ["Hall"]
