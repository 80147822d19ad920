"""The portals' admin page: create and edit with the field settings, open/close, the QR poster, and roles."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, db_rows, ok
from tests.helpers import Api, Tenant
from tests.request_portals.support import create_portal
from tests.web.pages import person, post, sign_in
from wrenchwork.models import RequestPortal


def test_create_edit_close_and_poster(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    pump = create_asset(api, "Pump 7")
    _, email = person(session, tenant, "admin")
    sign_in(client, email)
    assert "New request portal" in client.get("/admin/portals/new").text
    fields = {f"field_{n}": "optional" for n in ("description", "location", "asset", "photos", "name", "email")}
    made = post(
        client,
        "/admin/portals",
        {"title": "Hall B", "description": "Tell us", "enabled": "true", "field_phone": "required", **fields,
         "assets_ids": str(pump["id"]), "default_asset_id": str(pump["id"])},
    )  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/admin/portals"
    (portal,) = ok(api.get("/request_portals"))
    assert portal["fields"]["phone"] == "required" and portal["assets"] == [{"id": pump["id"], "name": "Pump 7"}]
    assert portal["default_asset"] == {"id": pump["id"], "name": "Pump 7"} and portal["enabled"] is True
    listing = client.get("/admin/portals")
    assert "Hall B" in listing.text and portal["url"] in listing.text

    refused = post(client, f"/admin/portals/{portal['id']}", {"title": "", **fields})
    assert refused.status_code == 303 and refused.headers["location"] == f"/admin/portals/{portal['id']}"
    assert "Title" in client.get(refused.headers["location"]).text
    assert post(client, f"/admin/portals/{portal['id']}/enabled", {"enabled": "false"}).status_code == 303
    assert db_rows(session, select(RequestPortal.enabled)) == [(False,)]

    poster = client.get(f"/admin/portals/{portal['id']}/poster")
    assert poster.status_code == 200
    assert f"http://testserver{portal['url']}" in poster.text and "<svg" in poster.text


def test_only_managers(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    portal = create_portal(api)
    _, email = person(session, tenant, "technician")
    sign_in(client, email)
    assert client.get("/admin/portals").status_code == 403
    assert client.get(f"/admin/portals/{portal['id']}/poster").status_code == 403
    assert post(client, "/admin/portals", {"title": "x"}).status_code == 403
    assert not re.search(r'href="/admin/portals"', client.get("/assets").text)
