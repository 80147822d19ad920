from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_user
from tests.webhooks.support import subscribe


def test_crud_and_the_secret_shown_once(api: Api) -> None:
    created = subscribe(api, "https://hooks.example.com/in", ["work_order.*", "part.low_stock"], description="ERP")
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["part.low_stock", "work_order.*"] and created["enabled"] is True
    hook_id = created["id"]
    shown = api.get(f"/webhooks/{hook_id}").json()["data"]
    assert "secret" not in shown and shown["description"] == "ERP"
    assert [h["id"] for h in api.get("/webhooks").json()["data"]] == [hook_id]
    changed = api.patch(f"/webhooks/{hook_id}", json={"webhook": {"enabled": False, "description": None}})
    assert changed.status_code == 200
    assert changed.json()["data"]["enabled"] is False and changed.json()["data"]["description"] is None
    rotated = api.post(f"/webhooks/{hook_id}/rotate_secret").json()["data"]
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"] is not None
    assert api.delete(f"/webhooks/{hook_id}").status_code == 204
    assert api.get(f"/webhooks/{hook_id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x", "event_types": ["*"]}, "webhook.url"),
        ({"url": "http://example.com:99999/x", "event_types": ["*"]}, "webhook.url"),
        ({"url": "http://example.com:port/x", "event_types": ["*"]}, "webhook.url"),
        ({"url": "http://[::1/x", "event_types": ["*"]}, "webhook.url"),
        ({"url": "https://example.com/x", "event_types": ["work_order"]}, "webhook.event_types"),
        ({"url": "https://example.com/x", "event_types": ["nothing.*"]}, "webhook.event_types"),
        ({"url": "https://example.com/x", "event_types": []}, "webhook.event_types"),
        ({"url": "https://example.com/x"}, "webhook.event_types"),
    ],
)
def test_invalid_bodies_are_422(api: Api, body: dict[str, object], field: str) -> None:
    response = api.post("/webhooks", json={"webhook": body})
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
     "http://[::1]/x", "http://[fd00:ec2::254]/x", "http://192.168.1.10/x", "http://0.0.0.0/x"],
)  # fmt: skip
def test_private_addresses_are_refused(api: Api, app: FastAPI, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", False)
    response = api.post("/webhooks", json={"webhook": {"url": url, "event_types": ["*"]}})
    assert response.status_code == 422, response.text
    assert "webhook.url" in response.json()["errors"]


def test_admins_only(api: Api, session: Session, tenant: Tenant) -> None:
    for role in ("limited_admin", "technician"):
        _, token = make_user(session, tenant, role)
        assert api.as_key(token).get("/webhooks").status_code == 403
        assert api.as_key(token).post("/webhooks", json={"webhook": {"url": "https://a.example/x"}}).status_code == 403
