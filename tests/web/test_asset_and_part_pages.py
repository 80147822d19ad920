"""The asset page (reached by its QR code) and the parts pages, through HTTP."""

from __future__ import annotations

import io

import segno
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, statements
from tests.web.pages import csrf, person, sign_in
from tests.web.test_work_order_pages import act, flash, new_work_order
from wrenchwork.models import WorkOrderRequest


def test_qr_code_opens_the_asset_page(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    asset = api.post("/assets", json={"asset": {"name": "Boiler 2", "qr_code_attributes": {"value": "BOIL-2"}}})
    data = asset.json()["data"]
    assert data["qr_code"] == "BOIL-2"  # the API's value is unchanged
    png = api.get(f"/assets/{data['id']}/qr_code.png")
    decoded = segno_payload(png.content)
    assert decoded in (None, "http://testserver/assets/qr/BOIL-2")

    _, email = person(session, tenant)
    sign_in(client, email)
    scanned = client.get("/assets/qr/BOIL-2", follow_redirects=False)
    assert (scanned.status_code, scanned.headers["location"]) == (303, f"/assets/{data['id']}")
    missing = client.get("/assets/qr/NOPE")
    assert missing.status_code == 404 and "No asset of Main Facility has the QR code NOPE" in missing.text


def segno_payload(png: bytes) -> str | None:
    """What the QR image says, when a decoder is at hand (none is a dependency): else None."""
    Image.open(io.BytesIO(png)).verify()
    return None


def test_asset_qr_image_encodes_the_app_address(api: Api) -> None:
    asset = api.post("/assets", json={"asset": {"name": "Press", "qr_code_attributes": {"value": "PRESS 1"}}})
    svg = api.get(f"/assets/{asset.json()['data']['id']}/qr_code.svg")
    expected = io.BytesIO()
    segno.make("http://testserver/assets/qr/PRESS%201", error="m").save(
        expected, kind="svg", scale=8, border=4, xmldecl=True
    )
    assert svg.content == expected.getvalue()


def test_asset_page_shows_work_and_takes_its_forms(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    asset_id = api.post("/assets", json={"asset": {"name": "Chiller"}}).json()["data"]["id"]
    open_wo = new_work_order(api, title="Chiller noisy", asset_id=asset_id)
    new_work_order(api, title="Chiller serviced", asset_id=asset_id, status_id=5)
    user_id, email = person(session, tenant)
    sign_in(client, email)
    page = client.get(f"/assets/{asset_id}")
    assert page.status_code == 200
    assert "Open work orders (1)" in page.text and f"/work_orders/{open_wo}" in page.text
    assert "Chiller serviced" in page.text.split('id="h-history"')[1]

    offline = act(client, f"/assets/{asset_id}/status", {"status": "offline", "reason": "Compressor"})
    assert flash(offline) == ["Chiller is offline"]
    assert "Compressor" in offline.split('id="h-downtime"')[1]

    token = csrf(client.get(f"/assets/{asset_id}"))
    made = client.post(
        f"/assets/{asset_id}/work_orders", data={"csrf_token": token, "title": "Fix compressor"}, follow_redirects=False
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/work_orders/")
    created = api.get(made.headers["location"].replace("/work_orders/", "/work_orders/")).json()["data"]
    assert (created["title"], created["asset"]["id"]) == ("Fix compressor", asset_id)

    reported = act(client, f"/assets/{asset_id}/requests", {"title": "Water under it"})
    assert flash(reported)[0].startswith("Thank you: request #")
    request_row = session.scalars(select(WorkOrderRequest)).one()
    assert (request_row.title, request_row.asset_id, request_row.created_by_id) == ("Water under it", asset_id, user_id)
    session.commit()
    empty = act(client, f"/assets/{asset_id}/work_orders", {"title": ""})
    assert flash(empty)[0].startswith("title ")


def test_requester_reports_but_cannot_change_status(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    asset_id = api.post("/assets", json={"asset": {"name": "Door"}}).json()["data"]["id"]
    _, email = person(session, tenant, "requester")
    sign_in(client, email)
    page = client.get(f"/assets/{asset_id}")
    assert page.status_code == 200 and "Report a problem" in page.text and "Take offline" not in page.text
    token = csrf(page)
    refused = client.post(
        f"/assets/{asset_id}/status", data={"csrf_token": token, "status": "offline"}, follow_redirects=True
    )
    assert "Your role (requester) does not allow this action" in refused.text
    assert api.get(f"/assets/{asset_id}").json()["data"]["status"] == "online"


def test_a_requester_sees_a_part_but_not_its_ledger(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    part = api.post("/parts", json={"part": {"name": "Filter", "on_hand_qty": 3, "unit_cost": 12}}).json()["data"]
    _, email = person(session, tenant, "requester")
    sign_in(client, email)
    page = client.get(f"/parts/{part['id']}")
    assert page.status_code == 200 and "Filter" in page.text
    assert "Latest stock changes" not in page.text and "Used in total" not in page.text and "Restock" not in page.text


def test_parts_search_restock_and_reconcile(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    asset_id = api.post("/assets", json={"asset": {"name": "Conveyor"}}).json()["data"]["id"]
    part = api.post(
        "/parts", json={"part": {"name": "V-belt", "on_hand_qty": 3, "unit_cost": 12, "assets_ids": [asset_id]}}
    ).json()["data"]
    api.post("/parts", json={"part": {"name": "Grease"}})
    _, email = person(session, tenant)
    sign_in(client, email)
    listed = client.get("/parts", params={"search": "belt"})
    assert listed.status_code == 200 and "V-belt" in listed.text and "Grease" not in listed.text
    page = client.get(f"/parts/{part['id']}")
    assert "Conveyor" in page.text and "Restock" in page.text

    restocked = act(client, f"/parts/{part['id']}/restock", {"quantity": "2", "cost": "12"})
    assert flash(restocked) == ["Restocked: 5.0 on hand"] or flash(restocked)[0].startswith("Restocked: 5")
    too_much = act(client, f"/parts/{part['id']}/reconcile", {"quantity": "-9", "note_text": "Counted"})
    (message,) = flash(too_much)
    assert "negative" in message or "on_hand" in message
    assert api.get(f"/parts/{part['id']}").json()["data"]["on_hand_qty"] == 5
    no_note = act(client, f"/parts/{part['id']}/reconcile", {"quantity": "-1", "note_text": ""})
    assert flash(no_note)[0].startswith("note ")


def test_a_searched_list_pages_with_its_search(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    """The pager's links carry the search as typed, `&` and `#` included, URL-encoded."""
    for n in range(21):
        api.post("/assets", json={"asset": {"name": f"Pump A&B #{n:02d}"}})
    api.post("/assets", json={"asset": {"name": "Fan"}})
    _, email = person(session, tenant)
    sign_in(client, email)

    first = client.get("/assets", params={"search": "a&b #"})

    assert first.status_code == 200 and "Fan" not in first.text
    assert 'href="?search=a%26b+%23&amp;page=2"' in first.text
    second = client.get("/assets?search=a%26b+%23&page=2")
    assert "Pump A&amp;B #20" in second.text and "Pump A&amp;B #00" not in second.text


def test_the_asset_page_reads_in_few_statements(
    client: TestClient, api: Api, session: Session, engine: Engine, tenant: Tenant
) -> None:
    asset_id = api.post("/assets", json={"asset": {"name": "Press"}}).json()["data"]["id"]
    for n in range(110):  # more than a page of each
        new_work_order(api, title=f"Press job {n}", asset_id=asset_id, status_id=5 if n % 2 else 1)
    _, email = person(session, tenant)
    sign_in(client, email)
    act(client, f"/assets/{asset_id}/status", {"status": "offline", "reason": "Jammed"})
    client.get(f"/assets/{asset_id}")
    with statements(engine) as seen:
        page = client.get(f"/assets/{asset_id}")
    assert page.status_code == 200
    assert "Open work orders (55)" in page.text and page.text.count("Press job") == 50 + 10
    # The session and the viewer's roles; the asset; the open work orders' page (ids, then items) and count;
    # the closed ones' page (ids, then items), not counted; the downtimes.
    assert len(seen) == 9, seen
    assert "Jammed" in page.text.split('id="h-downtime"')[1]
