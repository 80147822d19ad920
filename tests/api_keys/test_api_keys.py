"""API keys (extension): issued once, stored as a SHA-256 hash, listed without secrets, revoked with DELETE."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_tenant, make_user
from wrenchwork.models import ApiKey, UserRole

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ITEM_KEYS = {"id", "name", "prefix", "user_id", "last_used_at", "revoked_at", "created_at", "created_by_id"}
INVALID_KEY = {"status": "error", "message": "Invalid API key"}


def db_key(session: Session, key_id: int) -> ApiKey | None:
    session.expire_all()
    found = session.get(ApiKey, key_id)
    session.commit()  # SQLite holds its write lock from BEGIN until the transaction ends
    return found


def db_key_ids(session: Session) -> list[int]:
    session.expire_all()
    ids = list(session.scalars(select(ApiKey.id).order_by(ApiKey.id)))
    session.commit()
    return ids


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "success"
    data: dict[str, Any] = body["data"]
    return data


def key_body(user_id: int, name: str = "Integration") -> dict[str, Any]:
    return {"api_key": {"name": name, "user_id": user_id}}


def test_create_returns_the_token_once(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = make_user(session, tenant)

    response = api.post("/api_keys", json=key_body(user_id, "ERP sync"))

    data = created(response)
    assert set(data) == ITEM_KEYS | {"token"}
    token = data["token"]
    assert isinstance(token, str) and len(token) >= 32
    assert data["prefix"] == token[:12]
    assert (data["name"], data["user_id"], data["created_by_id"]) == ("ERP sync", user_id, tenant.admin_id)
    assert (data["last_used_at"], data["revoked_at"]) == (None, None)
    assert TIMESTAMP.match(data["created_at"])
    assert response.json()["meta"]["entity"]["id"] == tenant.entity_id

    listed = api.get("/api_keys")
    assert listed.status_code == 200, listed.text
    assert token not in listed.text
    item = next(k for k in listed.json()["data"] if k["id"] == data["id"])
    assert set(item) == ITEM_KEYS
    assert item["prefix"] == token[:12]


def test_new_token_authenticates_as_its_user(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = make_user(session, tenant, role="requester")
    token = created(api.post("/api_keys", json=key_body(user_id)))["token"]

    response = api.as_key(token).get(f"/users/{user_id}")

    assert response.status_code == 200, response.text
    # It acts as the requester, not as the admin who created it: an admin-only list is refused.
    assert api.as_key(token).get("/api_keys").status_code == 403


def test_only_a_sha256_of_the_token_is_stored(api: Api, session: Session, tenant: Tenant) -> None:
    data = created(api.post("/api_keys", json=key_body(tenant.admin_id)))
    token = data["token"]

    row = db_key(session, data["id"])

    assert row is not None
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", row.token_hash)
    assert row.prefix == token[:12]
    stored = [str(getattr(row, c.key)) for c in ApiKey.__table__.columns]
    assert not any(token in value for value in stored)


def test_list_shows_no_secrets(api: Api, session: Session, tenant: Tenant) -> None:
    tokens = [created(api.post("/api_keys", json=key_body(tenant.admin_id, f"k{i}")))["token"] for i in range(2)]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]

    response = api.get("/api_keys")

    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["data"]) == 3  # the tenant's own key and the two new ones
    for item in body["data"]:
        assert set(item) == ITEM_KEYS
    for secret in [*tokens, *hashes, tenant.token]:
        assert secret not in response.text
    assert body["meta"]["sort"] == ["created_at desc"]


def test_list_holds_the_keys_of_this_entity_users_only(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    make_user(session, tenant, entity_id=second)
    make_user(session, make_tenant(session))
    here_id, _ = make_user(session, tenant)

    items = api.get("/api_keys").json()["data"]

    assert sorted(k["user_id"] for k in items) == sorted([tenant.admin_id, here_id])


def test_revoke_answers_204_and_the_key_then_answers_401(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = make_user(session, tenant)
    data = created(api.post("/api_keys", json=key_body(user_id)))
    assert api.as_key(data["token"]).get("/users").status_code == 200

    response = api.delete(f"/api_keys/{data['id']}")

    assert response.status_code == 204
    assert response.content == b""
    refused = api.as_key(data["token"]).get("/users")
    assert refused.status_code == 401
    assert refused.json() == INVALID_KEY
    row = db_key(session, data["id"])
    assert row is not None and row.revoked_at is not None
    item = next(k for k in api.get("/api_keys").json()["data"] if k["id"] == data["id"])
    assert TIMESTAMP.match(item["revoked_at"])


def test_revoking_does_not_touch_other_keys(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, kept_token = make_user(session, tenant)
    data = created(api.post("/api_keys", json=key_body(user_id)))

    assert api.delete(f"/api_keys/{data['id']}").status_code == 204

    assert api.as_key(kept_token).get("/users").status_code == 200


def test_revoking_the_own_key_locks_it_out(api: Api, session: Session, tenant: Tenant) -> None:
    own = next(k for k in api.get("/api_keys").json()["data"] if k["user_id"] == tenant.admin_id)
    assert api.delete(f"/api_keys/{own['id']}").status_code == 204
    assert api.get("/users").json() == INVALID_KEY


def test_key_of_a_user_outside_this_entity_is_404(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site", admin_role=None)
    _, elsewhere_token = make_user(session, tenant, entity_id=second)
    foreign = make_tenant(session)
    _own, *outside = db_key_ids(session)  # the tenant's own key comes first
    assert len(outside) == 2

    for key_id in [*outside, 999999]:
        response = api.delete(f"/api_keys/{key_id}")
        assert response.status_code == 404, response.text
        assert response.json() == {"status": "error", "message": "API key not found"}

    assert api.as_key(elsewhere_token).as_entity(second).get("/users").status_code == 200
    assert api.as_key(foreign.token).as_entity(foreign.entity_id).get("/users").status_code == 200


def test_create_for_a_user_outside_this_entity_is_422(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site", admin_role=None)
    elsewhere_id, _ = make_user(session, tenant, entity_id=second)
    foreign = make_tenant(session)
    before = db_key_ids(session)

    for user_id in (elsewhere_id, foreign.admin_id):
        response = api.post("/api_keys", json=key_body(user_id))
        assert response.status_code == 422, response.text
        assert "api_key.user_id" in response.json()["errors"]
    assert db_key_ids(session) == before


@pytest.mark.parametrize(
    "body",
    [{"api_key": {"name": "", "user_id": 1}}, {"api_key": {"name": "x"}}, {"api_key": {"name": "x", "user_id": "1"}}],
)
def test_create_validates_the_body(api: Api, body: dict[str, Any]) -> None:
    response = api.post("/api_keys", json=body)
    assert response.status_code == 422, response.text
    assert any(k.startswith("api_key.") for k in response.json()["errors"])


@pytest.mark.parametrize("role", ["limited_admin", "technician", "requester"])
def test_non_admins_get_403(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    user_id, token = make_user(session, tenant, role=role)
    before = db_key_ids(session)
    own_key_id = before[-1]
    as_user = api.as_key(token)

    for response in (
        as_user.get("/api_keys"),
        as_user.post("/api_keys", json=key_body(user_id)),
        as_user.delete(f"/api_keys/{own_key_id}"),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["status"] == "error"
    assert db_key_ids(session) == before
    row = db_key(session, own_key_id)
    assert row is not None and row.revoked_at is None


def test_last_used_at_is_set_when_the_key_is_used(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, _ = make_user(session, tenant)
    data = created(api.post("/api_keys", json=key_body(user_id)))
    fresh = db_key(session, data["id"])
    assert fresh is not None and fresh.last_used_at is None

    assert api.as_key(data["token"]).get("/users").status_code == 200

    row = db_key(session, data["id"])
    assert row is not None and row.last_used_at is not None
    item = next(k for k in api.get("/api_keys").json()["data"] if k["id"] == data["id"])
    assert TIMESTAMP.match(item["last_used_at"]), item


def test_last_used_at_is_minute_precise_as_documented(
    api: Api, client: TestClient, session: Session, tenant: Tenant
) -> None:
    user_id, _ = make_user(session, tenant)
    data = created(api.post("/api_keys", json=key_body(user_id)))
    key = session.get(ApiKey, data["id"])
    assert key is not None
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=20)
    key.last_used_at = recent
    session.commit()

    assert api.as_key(data["token"]).get("/users").status_code == 200
    row = db_key(session, data["id"])
    assert row is not None and row.last_used_at == recent  # used within the minute: not rewritten

    key.last_used_at = recent - timedelta(minutes=1)
    session.commit()
    assert api.as_key(data["token"]).get("/users").status_code == 200
    row = db_key(session, data["id"])
    assert row is not None and row.last_used_at is not None
    assert abs(row.last_used_at - datetime.now(UTC)) < timedelta(seconds=30)

    # What the document and docs/api.md tell integrators.
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ApiKeyItem"]
    assert "precise to the minute" in schema["properties"]["last_used_at"]["description"]
    docs = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    assert "`last_used_at` is precise to the minute" in docs


def test_key_for_a_user_with_roles_beyond_the_callers_reach_is_refused(
    api: Api, session: Session, tenant: Tenant
) -> None:
    """A key acts in every entity of its user: minting one for a user who is admin elsewhere would escalate."""
    secret = make_entity(session, tenant, "Secret Site", admin_role=None)
    user_id, _ = make_user(session, tenant, role="technician")
    session.add(UserRole(user_id=user_id, entity_id=secret, role="admin"))
    session.commit()
    before = db_key_ids(session)

    response = api.post("/api_keys", json=key_body(user_id))

    assert response.status_code == 403, response.text
    assert response.json()["status"] == "error"
    assert db_key_ids(session) == before


def test_revoking_a_key_of_a_user_with_roles_beyond_the_callers_reach_is_403(
    api: Api, session: Session, tenant: Tenant
) -> None:
    elsewhere = make_entity(session, tenant, "Elsewhere", admin_role="technician")
    user_id, token = make_user(session, tenant, role="technician")
    session.add(UserRole(user_id=user_id, entity_id=elsewhere, role="technician"))
    session.commit()
    key_id = db_key_ids(session)[-1]

    response = api.delete(f"/api_keys/{key_id}")

    assert response.status_code == 403, response.text
    row = db_key(session, key_id)
    assert row is not None and row.revoked_at is None
    assert api.as_key(token).get("/users").status_code == 200
