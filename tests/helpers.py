"""Factories and a small client wrapper shared by every test module."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from wrenchwork.api_keys.service import issue
from wrenchwork.models import Entity, User, UserRole
from wrenchwork.system.bootstrap import create_customer

_seq = itertools.count(1)


@dataclass
class Tenant:
    customer_id: int
    entity_id: int
    admin_id: int
    token: str


def make_tenant(session: Session, name: str | None = None) -> Tenant:
    n = next(_seq)
    made = create_customer(session, name or f"Customer {n}", "Main Facility", f"admin{n}@example.com", "Ada", "Admin")
    session.commit()
    return Tenant(made.customer.id, made.entity.id, made.admin.id, made.token)


def make_entity(session: Session, tenant: Tenant, name: str = "Second Site", admin_role: str | None = "admin") -> int:
    entity = Entity(
        customer_id=tenant.customer_id,
        name=name,
        datetime_format="MM/DD/YYYY - 11:59 PM",
        timezone="Etc/UTC",
        currency="USD",
    )
    session.add(entity)
    session.flush()
    if admin_role:
        session.add(UserRole(user_id=tenant.admin_id, entity_id=entity.id, role=admin_role))
    session.commit()
    return entity.id


def make_user(
    session: Session, tenant: Tenant, role: str = "technician", entity_id: int | None = None, **overrides: Any
) -> tuple[int, str]:
    """A user with one role and an API key; returns (user id, token)."""
    n = next(_seq)
    fields: dict[str, Any] = {"name": f"User{n}", "surname": "Tester", "email": f"user{n}@example.com"}
    fields.update(overrides)
    user = User(customer_id=tenant.customer_id, **fields)
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, entity_id=entity_id or tenant.entity_id, role=role))
    _, token = issue(session, tenant.customer_id, user.id, "test key", None)
    session.commit()
    return user.id, token


class Api:
    """Sends requests with a key and an entity, like an integration would."""

    def __init__(self, client: TestClient, token: str, entity_id: int | None) -> None:
        self.client = client
        self.token = token
        self.entity_id = entity_id

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.entity_id is not None:
            headers["X-Entity-Id"] = str(self.entity_id)
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith(("/api/", "/healthz", "/readyz")) else "/api/v1" + path
        return self.client.request(method, url, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def as_entity(self, entity_id: int | None) -> Api:
        return Api(self.client, self.token, entity_id)

    def as_key(self, token: str) -> Api:
        return Api(self.client, token, self.entity_id)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Collects every SQL statement sent to the database while the block runs, but the import runner's: it polls
    for queued imports in the background of the tests' app (imports/runner.py), whatever the request."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "import_jobs" not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
