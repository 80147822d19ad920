"""A server process believes an API key it authenticated for a few seconds (core/auth.py `KnownKeys`): no lookup
for a known key, a change made through the process applies to its next request, one made elsewhere within the
cache's lifetime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_user, statements
from wrenchwork.core import auth
from wrenchwork.core.auth import KnownKeys

INVALID_KEY = {"status": "error", "message": "Invalid API key"}


class Clock:
    """The monotonic clock as core/auth.py sees it (and only it), moved on by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(auth, "monotonic", fake)
    yield fake


def key_lookups(seen: list[str]) -> int:
    return sum(1 for statement in seen if "token_hash" in statement)


def test_a_known_key_is_not_looked_up_again(api: Api, engine: Engine, clock: Clock) -> None:
    assert api.get("/users").status_code == 200  # learns the key (and notes its use)
    with statements(engine) as seen:
        for _ in range(3):
            assert api.get("/users").status_code == 200
            assert api.post("/locations", json={"location": {"name": "Hall"}}).status_code == 201
    assert key_lookups(seen) == 0

    clock.now += 5.5  # the cache's lifetime (5 s by default) has passed
    with statements(engine) as seen:
        assert api.get("/users").status_code == 200
        assert api.get("/users").status_code == 200
    assert key_lookups(seen) == 1


def test_the_cache_is_per_entity(api: Api, session: Session, tenant: Tenant, clock: Clock) -> None:
    second = make_entity(session, tenant, "Second Site", admin_role=None)
    assert api.get("/users").status_code == 200
    refused = api.as_entity(second).get("/users")
    assert refused.status_code == 403, refused.text


def test_revoking_through_this_process_applies_at_once(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    assert api.as_key(token).get("/users").status_code == 200
    key_id = next(k["id"] for k in api.get("/api_keys").json()["data"] if k["user_id"] == user_id)

    assert api.delete(f"/api_keys/{key_id}").status_code == 204

    assert api.as_key(token).get("/users").json() == INVALID_KEY


def test_deactivating_a_user_applies_at_once(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    assert api.as_key(token).get("/users").status_code == 200

    updated = api.patch(f"/users/{user_id}", json={"user": {"status": "inactive"}})
    assert updated.status_code == 200, updated.text

    assert api.as_key(token).get("/users").json() == INVALID_KEY


def test_a_role_change_applies_at_once(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant, role="admin")
    assert api.as_key(token).get("/api_keys").status_code == 200

    permissions = [{"entity_id": tenant.entity_id, "role": "requester"}]
    updated = api.patch(f"/users/{user_id}", json={"user": {"permissions": permissions}})
    assert updated.status_code == 200, updated.text

    refused = api.as_key(token).get("/api_keys")
    assert refused.status_code == 403, refused.text


def test_an_entity_renamed_shows_at_once(api: Api, tenant: Tenant) -> None:
    assert api.get("/users").json()["meta"]["entity"]["name"] == "Main Facility"
    renamed = api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"name": "North Plant"}})
    assert renamed.status_code == 200, renamed.text
    assert api.get("/users").json()["meta"]["entity"]["name"] == "North Plant"


def test_a_key_revoked_elsewhere_is_refused_within_the_lifetime(
    api: Api, app: FastAPI, engine: Engine, session: Session, tenant: Tenant, clock: Clock
) -> None:
    user_id, token = make_user(session, tenant)
    assert api.as_key(token).get("/users").status_code == 200
    # Another process (the command line, a second server worker) revokes the key: this one is not told.
    with engine.begin() as connection:
        connection.execute(text("UPDATE api_keys SET revoked_at = created_at WHERE user_id = :u"), {"u": user_id})

    clock.now += app.state.settings.api_key_cache_seconds - 0.5
    assert api.as_key(token).get("/users").status_code == 200  # still believed, as documented
    clock.now += 1
    assert api.as_key(token).get("/users").json() == INVALID_KEY


def test_a_lookup_older_than_a_forget_is_not_kept(clock: Clock) -> None:
    known = KnownKeys(5)
    generation = known.generation  # a lookup starts...
    known.forget()  # ...a commit that revokes the key forgets every key meanwhile...
    known.keep("digest", 1, ("row",), generation)  # ...and the lookup's (old) row arrives
    assert known.get("digest", 1) is None

    known.keep("digest", 1, ("row",), known.generation)
    assert known.get("digest", 1) == ("row",)
    clock.now += 5.01
    assert known.get("digest", 1) is None


def test_a_lifetime_of_zero_keeps_nothing() -> None:
    known = KnownKeys(0)
    known.keep("digest", 1, ("row",), known.generation)
    assert known.get("digest", 1) is None


def test_the_cache_holds_a_bounded_number_of_keys(clock: Clock) -> None:
    known = KnownKeys(5)
    for n in range(KnownKeys.MAX_KEYS + 1):
        known.keep(f"digest{n}", 1, (n,), known.generation)
    assert len(known._rows) <= KnownKeys.MAX_KEYS
    assert known.get(f"digest{KnownKeys.MAX_KEYS}", 1) == (KnownKeys.MAX_KEYS,)
