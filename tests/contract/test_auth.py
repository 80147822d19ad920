"""§2 Authentication (401 Invalid API key), X-Entity-Id (400/403) and roles (403), on every list and detail path."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.contract.resources import RESOURCES, ROLES, Resource, create_entity
from tests.contract.support import INVALID_KEY, Cases, assert_error, each_resource, get_list
from tests.helpers import Api, Tenant, make_tenant, make_user
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import ApiKey


def _paths(session: Session, tenant: Tenant) -> list[tuple[Resource, str]]:
    """(resource, path) for every list and every detail of a real record of the tenant."""
    paths: list[tuple[Resource, str]] = []
    for resource in RESOURCES:
        paths.append((resource, resource.list_path))
        if resource.detail_path is not None:
            paths.append((resource, resource.detail(resource.create(session, tenant))))
    session.commit()
    return paths


def _revoked_token(session: Session, tenant: Tenant) -> str:
    user_id, token = make_user(session, tenant, role="admin")
    key = session.query(ApiKey).filter(ApiKey.user_id == user_id).one()
    key.revoked_at = utcnow()
    session.commit()
    return token


def _inactive_token(session: Session, tenant: Tenant) -> str:
    _, token = make_user(session, tenant, role="admin", status="inactive")
    return token


BAD_AUTHORIZATION: dict[str, Callable[[Session, Tenant], dict[str, str]]] = {
    "missing": lambda s, t: {},
    "bearer-alone": lambda s, t: {"Authorization": "Bearer"},
    "bearer-empty": lambda s, t: {"Authorization": "Bearer "},
    "basic": lambda s, t: {"Authorization": "Basic x"},
    "basic-with-token": lambda s, t: {"Authorization": f"Basic {t.token}"},
    "no-scheme": lambda s, t: {"Authorization": t.token},
    "token-with-junk": lambda s, t: {"Authorization": f"Bearer {t.token} x"},
    "unknown": lambda s, t: {"Authorization": "Bearer ww_" + secrets.token_urlsafe(32)},
    "truncated": lambda s, t: {"Authorization": f"Bearer {t.token[:-1]}"},
    "revoked": lambda s, t: {"Authorization": f"Bearer {_revoked_token(s, t)}"},
    "inactive-user": lambda s, t: {"Authorization": f"Bearer {_inactive_token(s, t)}"},
}


def test_bad_api_key_is_401_everywhere(client: TestClient, session: Session, tenant: Tenant) -> None:
    paths = _paths(session, tenant)
    cases = Cases()
    for case, make_headers in BAD_AUTHORIZATION.items():
        headers = make_headers(session, tenant)
        for resource, path in paths:
            with cases.case(f"{case} {path}"):
                sent = headers | ({"X-Entity-Id": str(tenant.entity_id)} if resource.entity_header else {})
                response = client.get("/api/v1" + path, headers=sent)
                assert response.status_code == 401, response.text
                assert response.json() == INVALID_KEY
    cases.verify()


def test_bad_key_wins_over_bad_entity_header(client: TestClient, session: Session, tenant: Tenant) -> None:
    """A caller who is not authenticated learns nothing about entities: 401 before any 400/403."""
    for resource, path in _paths(session, tenant):
        for entity in (None, "abc", "999999"):
            headers = {"Authorization": "Bearer nope"} | ({} if entity is None else {"X-Entity-Id": entity})
            response = client.get("/api/v1" + path, headers=headers)
            assert response.status_code == 401, f"{resource.name} {path} {entity}: {response.text}"
            assert response.json() == INVALID_KEY


def test_scheme_is_case_insensitive(client: TestClient, session: Session, tenant: Tenant) -> None:
    for resource, path in _paths(session, tenant):
        headers = {"Authorization": f"bearer {tenant.token}", "X-Entity-Id": str(tenant.entity_id)}
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 200, f"{resource.name}: {response.text}"


BAD_ENTITY_HEADERS = {
    None: "X-Entity-Id header is required",
    "": "X-Entity-Id header is required",
    "abc": "X-Entity-Id header must be an integer",
    "1.5": "X-Entity-Id header must be an integer",
    "-1": "X-Entity-Id header must be an integer",
    "+1": "X-Entity-Id header must be an integer",
    "1e3": "X-Entity-Id header must be an integer",
    "0x1": "X-Entity-Id header must be an integer",
    "1,2": "X-Entity-Id header must be an integer",
    "1 2": "X-Entity-Id header must be an integer",
}


def test_bad_entity_header_is_400(client: TestClient, session: Session, tenant: Tenant) -> None:
    cases = Cases()
    for resource, path in _paths(session, tenant):
        if not resource.entity_header:
            continue
        for value, message in BAD_ENTITY_HEADERS.items():
            with cases.case(f"{value!r} {path}"):
                headers = {"Authorization": f"Bearer {tenant.token}"} | (
                    {} if value is None else {"X-Entity-Id": value}
                )
                assert_error(client.get("/api/v1" + path, headers=headers), 400, message)
    cases.verify()


@each_resource(*(r for r in RESOURCES if not r.entity_header))
def test_list_without_entity_header_ignores_one(api: Api, resource: Resource) -> None:
    """A list that takes no X-Entity-Id (GET /entities): a stray or junk one changes nothing."""
    plain = api.as_entity(None).get(resource.list_path).json()
    for junk in ("abc", "999999", str(api.entity_id)):
        response = api.as_entity(None).get(resource.list_path, headers={"X-Entity-Id": junk})
        assert response.status_code == 200
        assert response.json()["data"] == plain["data"]
        assert response.json()["meta"]["entity"] == plain["meta"]["entity"]


def test_foreign_or_roleless_entity_is_403(client: TestClient, session: Session, tenant: Tenant) -> None:
    other = make_tenant(session)
    roleless = create_entity(session, tenant, role=None)
    session.commit()
    for resource, path in _paths(session, tenant):
        if not resource.entity_header:
            continue
        for entity in (other.entity_id, roleless, 999999):
            headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": str(entity)}
            assert_error(
                client.get("/api/v1" + path, headers=headers), 403, f"You do not have permission on entity {entity}"
            )


@each_resource()
def test_list_roles(client: TestClient, session: Session, tenant: Tenant, resource: Resource) -> None:
    """The roles a list admits answer 200; the others 403 with the documented message."""
    cases = Cases()
    for role in ROLES:
        _, token = make_user(session, tenant, role=role)
        with cases.case(role):
            response = get_list(Api(client, token, tenant.entity_id), resource)
            if role in resource.list_roles:
                assert response.status_code == 200, response.text
            else:
                assert_error(response, 403, f"Your role ({role}) does not allow this action")
    cases.verify()


def test_entity_header_zero_is_400(client: TestClient, session: Session, tenant: Tenant) -> None:
    cases = Cases()
    for resource, path in _paths(session, tenant):
        if not resource.entity_header:
            continue
        for value in ("0", "00"):
            with cases.case(f"{value!r} {path}"):
                headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": value}
                assert_error(client.get("/api/v1" + path, headers=headers), 400)
    cases.verify()
