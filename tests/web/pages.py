"""Helpers for page tests: a person with a password, signed in through the sign-in form."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import Tenant, make_user
from wrenchwork.models import User
from wrenchwork.users.passwords import hash_password

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Hashing is slow by design: every test person shares one hash of the one password.
_HASH: list[str] = []


def csrf(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def person(session: Session, tenant: Tenant, role: str = "technician", entity_id: int | None = None) -> tuple[int, str]:
    """A user with a role and a password; returns (id, e-mail)."""
    user_id, _ = make_user(session, tenant, role, entity_id)
    user = session.get(User, user_id)
    assert user is not None
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    user.password_hash = _HASH[0]
    session.commit()
    return user_id, user.email


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf(form), "next": "/"},
        follow_redirects=False,
    )


def post(client: TestClient, path: str, data: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
    """A form sent from the page at `path`'s own page, with the page's CSRF token."""
    token = csrf(client.get("/"))
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
