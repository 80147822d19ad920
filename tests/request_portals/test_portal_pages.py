"""The public portal page `/portal/{uuid}`: filing a request without an account, the status link, and the abuse
controls (CSRF, honeypot, per-IP limit, size limits, nothing of the entity beyond the portal's own lists)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, create_location, db_rows, db_scalars, ok
from tests.helpers import Api, Tenant, make_user
from tests.request_portals.support import create_portal
from tests.web.pages import csrf, person, sign_in
from wrenchwork.core.ratelimit import RateLimiter
from wrenchwork.models import Attachment, PortalSubmission, WorkOrderRequest

STATUS_LINK = re.compile(r'href="(http://testserver/portal/status/[A-Za-z0-9_-]+)"')


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_limit(app: FastAPI) -> Iterator[None]:
    """Each test starts without the per-IP limit (the app, and so its limiter, lives for the whole session)."""
    app.state.portal_limiter = None
    yield
    del app.state.portal_limiter


@pytest.fixture
def portal(api: Api) -> dict[str, Any]:
    hall = create_location(api, "Hall B")
    pump = create_asset(api, "Pump 7", qr_code_attributes={"value": "PUMP-7"})
    create_asset(api, "Secret prototype")  # of the entity, not offered by the portal
    create_location(api, "Board room")
    return create_portal(
        api,
        "Report a problem",
        description="Tell us what is broken.",
        locations_ids=[hall["id"]],
        assets_ids=[pump["id"]],
        fields={"phone": "optional"},
    ) | {"hall": hall, "pump": pump}


def send(client: TestClient, portal: dict[str, Any], files: Any = None, **fields: str) -> httpx.Response:
    page = client.get(portal["url"])
    data = {"csrf_token": csrf(page), "title": "Leak under pump", "name": "Olga", "email": "olga@example.com"} | fields
    return client.post(portal["url"], data=data, files=files, follow_redirects=False)


def test_submit_without_an_account_and_follow_the_status_link(
    client: TestClient, api: Api, session: Session, tenant: Tenant, portal: dict[str, Any]
) -> None:
    page = client.get(portal["url"])
    assert page.status_code == 200
    assert "Report a problem" in page.text and "Tell us what is broken." in page.text
    assert "Hall B" in page.text and "Pump 7" in page.text
    assert "Secret prototype" not in page.text and "Board room" not in page.text  # only the portal's own lists

    sent = send(
        client,
        portal,
        files=[("photos", ("leak.png", png(), "image/png"))],
        description="Water on the floor",
        location_id=str(portal["hall"]["id"]),
        asset_id=str(portal["pump"]["id"]),
        phone="+44 1234",
    )
    assert sent.status_code == 303, sent.text
    status_url = sent.headers["location"]
    assert status_url.startswith("/portal/status/") and status_url.endswith("?new=1")

    R, C, A = WorkOrderRequest, PortalSubmission, Attachment
    stored = db_rows(session, select(R.id, R.title, R.description, R.status, R.location_id, R.asset_id,
                                     R.created_by_id, R.request_portal_id))  # fmt: skip
    request_id = stored[0][0]
    assert [tuple(r[1:]) for r in stored] == [
        ("Leak under pump", "Water on the floor", "pending", portal["hall"]["id"], portal["pump"]["id"], None,
         portal["id"]),
    ]  # fmt: skip
    contact = db_rows(session, select(C.request_id, C.name, C.email, C.phone))
    assert [tuple(c) for c in contact] == [(request_id, "Olga", "olga@example.com", "+44 1234")]
    photo = db_rows(session, select(A.owner_type, A.owner_id, A.kind))
    assert [tuple(p) for p in photo] == [("work_order_requests", request_id, "image")]

    detail = ok(api.get(f"/work_order_requests/{request_id}"))
    assert detail["request_portal"] == {"id": portal["id"], "uuid": portal["uuid"], "title": "Report a problem"}
    assert detail["created_by"] is None and len(detail["images"]) == 1
    listed = api.get("/work_order_requests", params={"filter[request_portal_id_eq]": portal["id"]}).json()["data"]
    assert [r["id"] for r in listed] == [request_id] and listed[0]["request_portal"] == detail["request_portal"]

    shown = client.get(status_url)
    assert shown.status_code == 200
    link = STATUS_LINK.search(shown.text)
    _check_submitter(client, api, session, tenant, request_id)
    assert link, shown.text
    assert "Received, waiting for review" in shown.text
    ok(api.patch(f"/work_order_requests/{request_id}", json={"work_order_request": {"status": "approved"}}))
    again = client.get(link.group(1))
    assert "Accepted: the work is planned" in again.text and "Leak under pump" in again.text
    assert "Thank you" not in again.text  # the private link alone, without the just-sent notice
    assert client.get("/portal/status/not-a-token").status_code == 404


def _check_submitter(client: TestClient, api: Api, session: Session, tenant: Tenant, request_id: int) -> None:
    """The submitter's contact: on the request's admin page and the extension endpoint, to those who may read it."""
    answer = api.get(f"/work_order_requests/{request_id}/portal_submission").json()
    created = db_scalars(session, select(PortalSubmission.created_at))[0]
    assert answer["data"] == {"request_id": request_id, "name": "Olga", "email": "olga@example.com",
                              "phone": "+44 1234", "created_at": answer["data"]["created_at"]}  # fmt: skip
    assert answer["data"]["created_at"].startswith(created.strftime("%Y-%m-%dT%H:%M:%S"))
    own = ok(api.post("/work_order_requests", json={"work_order_request": {"title": "Typed in"}}), 201)
    assert ok(api.get(f"/work_order_requests/{own['id']}/portal_submission")) is None  # not filed on a portal
    assert api.get("/work_order_requests/999999/portal_submission").status_code == 404
    _, technician = make_user(session, tenant, "technician")
    assert api.as_key(technician).get(f"/work_order_requests/{request_id}/portal_submission").status_code == 200
    _, requester = make_user(session, tenant, "requester")  # sees only the requests it created
    refused = api.as_key(requester).get(f"/work_order_requests/{request_id}/portal_submission")
    assert (refused.status_code, refused.json()["message"]) == (404, "Request not found")

    _, email = person(session, tenant, "admin")
    sign_in(client, email)
    page = client.get(f"/requests/{request_id}").text
    assert "Submitted by" in page and "Olga" in page and 'href="mailto:olga@example.com"' in page
    assert 'href="tel:+441234"' in page
    assert "Submitted by" not in client.get(f"/requests/{own['id']}").text
    client.cookies.clear()


def test_qr_value_preselects_an_offered_asset_only(client: TestClient, api: Api, portal: dict[str, Any]) -> None:
    page = client.get(portal["url"], params={"asset": "PUMP-7"})
    assert f'<option value="{portal["pump"]["id"]}" selected>' in page.text
    create_asset(api, "Hidden", qr_code_attributes={"value": "HIDDEN-1"})
    other = client.get(portal["url"], params={"asset": "HIDDEN-1"})
    assert " selected>" not in other.text and "Hidden" not in other.text


def test_refusals_come_back_in_words(client: TestClient, session: Session, portal: dict[str, Any]) -> None:
    cases = [
        ({"title": ""}, 422, "Title"),
        ({"email": ""}, 422, "Email is required"),
        ({"email": "not-an-address"}, 422, "Email"),
        ({"asset_id": "999999"}, 422, "Asset is not a asset offered on this portal"),
        ({"location_id": "abc"}, 422, "Location"),
        ({"title": "x" * 301}, 422, "Title"),
    ]
    for fields, status, words in cases:
        answer = send(client, portal, **fields)
        assert answer.status_code == status, (fields, answer.text)
        assert words in answer.text, (fields, answer.text)
        assert 'value="Olga"' in answer.text or fields.get("name") == ""  # what was typed comes back
    not_image = [("photos", ("notes.txt", b"just text", "text/plain"))]
    assert send(client, portal, files=not_image).status_code == 422
    too_many = [("photos", (f"p{n}.png", png(), "image/png")) for n in range(4)]
    answer = send(client, portal, files=too_many)
    assert answer.status_code == 422 and "at most 3 photos" in answer.text
    assert db_scalars(session, select(WorkOrderRequest.id)) == []
    assert db_scalars(session, select(Attachment.id)) == []


def test_csrf_honeypot_and_rate_limit(
    client: TestClient, app: FastAPI, session: Session, portal: dict[str, Any]
) -> None:
    data = {"title": "No token", "name": "A", "email": "a@example.com"}
    assert client.post(portal["url"], data=data, follow_redirects=False).status_code == 403
    trapped = send(client, portal, website="http://spam.example")
    assert trapped.status_code == 200 and "Thank you" in trapped.text and "/portal/status/" not in trapped.text
    assert db_scalars(session, select(WorkOrderRequest.id)) == []

    app.state.portal_limiter = RateLimiter("2 per hour")
    assert send(client, portal).status_code == 303
    assert send(client, portal).status_code == 303
    refused = send(client, portal)
    assert refused.status_code == 429 and "Too many requests" in refused.text
    assert len(db_scalars(session, select(WorkOrderRequest.id))) == 2


def test_closed_and_unknown_portals(client: TestClient, api: Api, session: Session, portal: dict[str, Any]) -> None:
    page = client.get(portal["url"])
    ok(api.patch(f"/request_portals/{portal['id']}", json={"request_portal": {"enabled": False}}))
    closed = client.get(portal["url"])
    assert closed.status_code == 200 and "This request portal is closed" in closed.text
    assert "Pump 7" not in closed.text
    refused = client.post(portal["url"], data={"csrf_token": csrf(page), "title": "x"}, follow_redirects=False)
    assert refused.status_code == 403 and "closed" in refused.text
    assert db_scalars(session, select(WorkOrderRequest.id)) == []
    assert client.get("/portal/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/portal/" + "x" * 500).status_code == 404
