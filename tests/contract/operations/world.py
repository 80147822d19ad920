"""One data set for every operation check: a customer with three entities and a user per role, another customer,
bad keys, and a record behind every path parameter of the document in each place a caller may come from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, select
from sqlalchemy.orm import Session

from tests.contract.operations.catalog import API, MISSING_ID, Operation, Place, maker_for, record_prefixes
from tests.contract.resources import ROLES, create_entity
from tests.helpers import Api, Tenant, make_entity, make_tenant, make_user
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import ApiKey, Base

# Written by authentication itself on a key's use (core/auth.py `_note_use`): not a change a request makes.
_BOOKKEEPING = {"api_keys": {"last_used_at"}, "users": {"last_login_at", "login_count"}}


def _dump(table: Table) -> str:
    kept = [f'"{c.name}"' for c in table.columns if c.name not in _BOOKKEEPING.get(table.name, set())]
    return f'SELECT {", ".join(kept)} FROM "{table.name}"'


_DUMPS = [(table.name, _dump(table)) for table in Base.metadata.sorted_tables]


@dataclass
class Side:
    """A place requests come from: a tenant's admin in one entity, and the records made there."""

    name: str
    tenant: Tenant
    entity_id: int
    records: dict[str, int] = field(default_factory=dict)  # path prefix ("/work_orders/{id}") -> id
    unmade: dict[str, str] = field(default_factory=dict)  # path prefix -> why no record could be made

    def ids(self, op: Operation, missing: tuple[str, ...] = ()) -> dict[str, int]:
        """The ids of the side's records for the operation's path, MISSING_ID for the `missing` parameters."""
        found: dict[str, int] = {}
        for param in op.path_params:
            prefix = op.prefix(param)
            if param in missing:
                found[param] = MISSING_ID
                continue
            assert prefix in self.records, f"{op.key}: no record for {prefix}: {self.unmade.get(prefix)}"
            found[param] = self.records[prefix]
        return found


@dataclass
class World:
    app: FastAPI
    client: TestClient
    home: Side  # customer A, entity A1: the records the others try to reach
    sibling: Side  # customer A, entity A2: the same admin, another entity
    stranger: Side  # customer B
    roleless_entity: int  # an entity of customer A on which A's admin holds no role
    role_tokens: dict[str, str]  # a user of each role in A1
    revoked_token: str
    inactive_token: str

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.state.engine
        return engine

    def state(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (less what authentication writes): equal before and after means a request
        changed nothing. Read straight through the driver: it runs twice per test."""
        found: dict[str, list[tuple[Any, ...]]] = {}
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for table, statement in _DUMPS:
                cursor.execute(statement)
                found[table] = sorted(cursor.fetchall(), key=repr)
        return found

    def fresh(self, op: Operation) -> dict[str, int]:
        """New records of the home side for the operation's path parameters (for a call that changes them)."""
        prefixes = [op.prefix(param) for param in op.path_params]
        with self.app.state.sessionmaker() as session:
            made = _make(self.client, session, self.home, prefixes)
        missing = [p for p in prefixes if p not in made]
        assert not missing, f"{op.key}: no record for {missing}: {[self.home.unmade.get(p) for p in missing]}"
        return {param: made[op.prefix(param)] for param in op.path_params}

    @contextmanager
    def unchanged(self, label: str) -> Iterator[None]:
        before = self.state()
        yield
        after = self.state()
        changed = sorted(name for name in before if before[name] != after[name])
        assert not changed, f"{label}: the database changed in {changed}"


def request(
    client: TestClient,
    op: Operation,
    ids: Mapping[str, int | str],
    *,
    token: str | None,
    entity_id: int | str | None,
    body: Any = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    raw: bytes | None = None,
) -> httpx.Response:
    """One call of the operation as a client makes it: bearer key, X-Entity-Id (when the operation takes one)."""
    sent: dict[str, str] = {}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if op.scoped and entity_id is not None:
        sent["X-Entity-Id"] = str(entity_id)
    sent.update(headers or {})
    kwargs: dict[str, Any] = {"params": dict(query or {})}
    if raw is not None:
        kwargs["content"] = raw
        sent.setdefault("Content-Type", "application/json")
    elif body is not None:
        kwargs["json"] = body
    return client.request(op.method, API + op.url(ids), headers=sent, **kwargs)


def _make(client: TestClient, session: Session, side: Side, prefixes: list[str]) -> dict[str, int]:
    """Records for `prefixes` (parents first) in the side's entity; what cannot be made goes to `side.unmade`."""
    made: dict[str, int] = {}
    for prefix in prefixes:
        make = maker_for(prefix)
        if make is None:
            side.unmade[prefix] = (
                "nothing makes this record: register its resource in tests/contract/resources.py RESOURCES or add "
                "a maker to MAKERS in tests/contract/operations/catalog.py"
            )
            continue
        ids = {_param(p): made[p] for p in made if prefix.startswith(p + "/")}
        place = Place(session, side.tenant, side.entity_id, Api(client, side.tenant.token, side.entity_id), ids)
        try:
            made[prefix] = make(place)
            session.commit()
        except Exception as exc:  # reported by the tests that need the record
            session.rollback()
            side.unmade[prefix] = f"its maker failed: {exc!r}"
    return made


def _param(prefix: str) -> str:
    return prefix.rsplit("{", 1)[1].rstrip("}")


def _revoked(session: Session, tenant: Tenant) -> str:
    user_id, token = make_user(session, tenant, role="admin")
    key = session.scalars(select(ApiKey).where(ApiKey.user_id == user_id)).one()
    key.revoked_at = utcnow()
    session.commit()
    return token


def build_world(app: FastAPI, client: TestClient) -> World:
    with app.state.sessionmaker() as session:
        customer = make_tenant(session, "Home customer")
        sibling_entity = make_entity(session, customer, name="Sibling site", admin_role="admin")
        other = make_tenant(session, "Stranger customer")
        roleless = create_entity(session, customer, role=None)
        session.commit()
        world = World(
            app=app,
            client=client,
            home=Side("home", customer, customer.entity_id),
            sibling=Side("sibling", customer, sibling_entity),
            stranger=Side("stranger", other, other.entity_id),
            roleless_entity=roleless,
            role_tokens={role: make_user(session, customer, role=role)[1] for role in ROLES},
            revoked_token=_revoked(session, customer),
            inactive_token=make_user(session, customer, role="admin", status="inactive")[1],
        )
        for side in (world.home, world.sibling, world.stranger):
            side.records = _make(client, session, side, record_prefixes())
    return world
