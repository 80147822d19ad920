"""Users: the documented list and detail, and the create/update extension endpoints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_tenant, make_user
from wrenchwork.models import ApiKey, Customer, User, UserRole

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# The user object exactly as the published docs show it (spec/clickmaint-api-examples.txt, `"full_name"`).
SPEC_USER: dict[str, Any] = {
    "id": 1,
    "name": "John",
    "surname": "Doe",
    "full_name": "John Doe",
    "language": "en",
    "email": "john-doe@acme-corporation.com",
    "unconfirmed_email": "jdoe@acme-corporation.com",
    "phone_number": "+12222222222",
    "job_title": "Maintenance Manager",
    "status": "active",
    "can_be_assigned_to_wo": True,
    "auth_type": "api_key",
    "avatar": "/api/v1/store/attachments/image/1/upload/small-abc123def456.jpg",
    "regular_rate": 41,
    "overtime_rate1": 61.5,
    "overtime_rate2": 82,
    "permissions": [{"entity": "Main Facility", "entity_id": 1, "role": "admin", "user_role_id": 2}],
    "activity": {"last_login": "2026-02-23T21:38:35Z", "login_count": 47},
    "tenant": "acme-corporation",
    "invitation_details": {
        "sent_at": "2025-12-02T22:21:48Z",
        "due_at": "2025-12-07T22:21:48Z",
        "accepted_at": "2025-12-03T17:15:55Z",
    },
    "created_at": "2025-07-17T19:19:20Z",
    "updated_at": "2025-09-24T14:20:25Z",
    "created_by_id": 1,
    "updated_by_id": 2,
}
# Fields the example fills but this server may leave null (no avatar upload, no e-mail confirmation flow...).
NULLABLE = {"unconfirmed_email", "phone_number", "job_title", "avatar", "created_by_id", "updated_by_id"}
ENTITY_META_KEYS = {"id", "name", "currency", "currency_symbol", "datetime_format", "timezone"}


def assert_same_shape(actual: Any, example: Any, path: str = "user") -> None:
    """Same keys at every level as the documented example, and values of the same JSON type."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(example), f"{path}: {sorted(set(actual) ^ set(example))}"
        for key, value in example.items():
            if actual[key] is None and (key in NULLABLE or path.endswith("invitation_details")):
                continue
            if key == "last_login" and actual[key] is None:
                continue
            assert_same_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), path
        for item in actual:
            assert_same_shape(item, example[0], f"{path}[]")
    elif isinstance(example, bool):
        assert isinstance(actual, bool), path
    elif isinstance(example, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), path
    elif isinstance(example, str):
        assert isinstance(actual, str), path
        if TIMESTAMP.match(example):
            assert TIMESTAMP.match(actual), f"{path}: {actual}"
    else:  # pragma: no cover - the example has no other types
        raise AssertionError(path)


def data_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert field in body["errors"], body
        assert body["message"].startswith(field), body
    return body


def db_user(session: Session, user_id: int) -> User | None:
    session.expire_all()
    found = session.get(User, user_id)
    session.commit()  # SQLite holds its write lock from BEGIN until the transaction ends
    return found


def db_roles(session: Session, user_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.execute(select(UserRole.entity_id, UserRole.role).where(UserRole.user_id == user_id)).all()
    session.commit()
    return {entity_id: role for entity_id, role in rows}


def db_user_ids_by_email(session: Session, email: str) -> list[int]:
    session.expire_all()
    ids = list(session.scalars(select(User.id).where(User.email == email)))
    session.commit()
    return ids


def new_user(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": "Maria", "surname": "Lopez", "email": "maria@example.com"}
    fields.update(overrides)
    return {"user": fields}


# ---- GET /users, GET /users/{id} -------------------------------------------------------------------------------


def test_list_shows_only_users_with_a_role_in_the_entity(api: Api, session: Session, tenant: Tenant) -> None:
    tech_id, _ = make_user(session, tenant, role="technician", name="Bob")
    second = make_entity(session, tenant, "Second Site")
    elsewhere_id, _ = make_user(session, tenant, role="technician", entity_id=second, name="Carl")
    make_user(session, make_tenant(session), role="technician", name="Dora")

    body = api.get("/users").json()

    assert [u["id"] for u in body["data"]] == [tenant.admin_id, tech_id]  # sorted by name: Ada, Bob
    assert body["meta"]["pagination"]["total"] == 2
    assert body["meta"]["entity"]["id"] == tenant.entity_id
    assert set(body["meta"]["entity"]) == ENTITY_META_KEYS
    second_list = api.as_entity(second).get("/users").json()["data"]
    assert [u["id"] for u in second_list] == [tenant.admin_id, elsewhere_id]


def test_list_needs_the_entity_header_and_a_role_there(api: Api, session: Session, tenant: Tenant) -> None:
    assert_error(api.as_entity(None).get("/users"), 400)
    hidden = make_entity(session, tenant, "Hidden", admin_role=None)
    assert_error(api.as_entity(hidden).get("/users"), 403)


def test_list_filters_like_the_documented_example(api: Api, session: Session, tenant: Tenant) -> None:
    make_user(session, tenant, role="requester", can_be_assigned_to_wo=False)

    body = api.get("/users", params={"filter[can_be_assigned_to_wo_eq]": "true"}).json()

    assert [u["id"] for u in body["data"]] == [tenant.admin_id]
    assert body["meta"]["filter"] == {"can_be_assigned_to_wo_eq": "true"}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_user_object_matches_the_documented_example(api: Api, session: Session) -> None:
    acme = make_tenant(session, "Acme Corporation")
    acme_api = api.as_key(acme.token).as_entity(acme.entity_id)
    created = data_of(
        acme_api.post(
            "/users",
            json=new_user(
                name="John",
                surname="Doe",
                email="john-doe@acme-corporation.com",
                phone_number="+12222222222",
                job_title="Maintenance Manager",
                regular_rate=41,
                overtime_rate1=61.5,
                overtime_rate2=82,
                permissions=[{"entity_id": acme.entity_id, "role": "admin"}],
            ),
        ),
        201,
    )

    assert created.pop("invitation_url").startswith("http://testserver/password/")
    for user in (data_of(acme_api.get(f"/users/{created['id']}")), data_of(acme_api.get("/users"))[1]):
        assert_same_shape(user, SPEC_USER)
        assert user["id"] == created["id"]
        assert (user["name"], user["surname"], user["full_name"]) == ("John", "Doe", "John Doe")
        assert (user["language"], user["status"], user["auth_type"]) == ("en", "active", "api_key")
        assert user["email"] == "john-doe@acme-corporation.com"
        assert (user["phone_number"], user["job_title"]) == ("+12222222222", "Maintenance Manager")
        assert user["can_be_assigned_to_wo"] is True
        assert (user["regular_rate"], user["overtime_rate1"], user["overtime_rate2"]) == (41, 61.5, 82)
        assert user["tenant"] == "acme-corporation"
        # Creating a user invites them: the link is shown once, its dates follow it (users/invitations.py).
        invitation = user["invitation_details"]
        assert invitation["sent_at"] is not None and invitation["accepted_at"] is None
        assert parse_time(invitation["due_at"]) - parse_time(invitation["sent_at"]) == timedelta(hours=72)
        assert "invitation_url" not in user
        assert user["activity"] == {"last_login": None, "login_count": 0}
        assert (user["created_by_id"], user["updated_by_id"]) == (acme.admin_id, acme.admin_id)
        (permission,) = user["permissions"]
        role_id = session.scalar(select(UserRole.id).where(UserRole.user_id == created["id"]))
        session.commit()
        assert permission == {
            "entity": "Main Facility",
            "entity_id": acme.entity_id,
            "role": "admin",
            "user_role_id": role_id,
        }


def test_tenant_is_the_customer_slug(api: Api, session: Session, tenant: Tenant) -> None:
    slug = session.scalar(select(Customer.slug).where(Customer.id == tenant.customer_id))
    session.commit()
    user = data_of(api.get(f"/users/{tenant.admin_id}"))
    assert user["tenant"] == slug
    assert re.fullmatch(r"customer-\d+", user["tenant"]), user["tenant"]


def test_permissions_list_every_entity_the_caller_can_see(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    user_id, _ = make_user(session, tenant, role="technician")
    session.add(UserRole(user_id=user_id, entity_id=second, role="requester"))
    session.commit()

    permissions = data_of(api.get(f"/users/{user_id}"))["permissions"]

    assert [(p["entity"], p["entity_id"], p["role"]) for p in permissions] == [
        ("Main Facility", tenant.entity_id, "technician"),
        ("Second Site", second, "requester"),
    ]
    assert all(isinstance(p["user_role_id"], int) for p in permissions)


def test_activity_counts_the_use_of_the_user_key(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    before = data_of(api.get(f"/users/{user_id}"))["activity"]
    assert before == {"last_login": None, "login_count": 0}

    assert api.as_key(token).get("/users").status_code == 200

    after = data_of(api.get(f"/users/{user_id}"))["activity"]
    assert after["login_count"] == 1
    assert TIMESTAMP.match(after["last_login"]), after
    moment = datetime.strptime(after["last_login"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=2)
    row = db_user(session, user_id)
    assert row is not None
    assert row.login_count == 1 and row.last_login_at is not None


def test_a_key_used_again_after_a_long_pause_counts_as_a_new_login(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    assert api.as_key(token).get("/users").status_code == 200
    key = session.scalars(select(ApiKey).where(ApiKey.user_id == user_id)).one()
    session.commit()  # end the read: SQLite holds its write lock from BEGIN until then

    # Used again within the same minute: still one login.
    assert api.as_key(token).get("/users").status_code == 200
    assert data_of(api.get(f"/users/{user_id}"))["activity"]["login_count"] == 1

    # The key has been idle for an hour: the next use is a second login.
    key.last_used_at = datetime.now(UTC) - timedelta(hours=1)
    session.commit()
    assert api.as_key(token).get("/users").status_code == 200
    assert data_of(api.get(f"/users/{user_id}"))["activity"]["login_count"] == 2


def test_using_a_key_leaves_the_users_own_timestamps_alone(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    edited = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    user = session.get(User, user_id)
    assert user is not None
    user.updated_at = edited
    session.commit()
    key = session.scalars(select(ApiKey).where(ApiKey.user_id == user_id)).one()
    session.commit()

    assert api.as_key(token).get("/users").status_code == 200  # first use: a login
    key.last_used_at = datetime.now(UTC) - timedelta(hours=1)
    session.commit()
    assert api.as_key(token).get("/users").status_code == 200  # after a pause: another login

    shown = data_of(api.get(f"/users/{user_id}"))
    assert shown["activity"]["login_count"] == 2
    assert shown["updated_at"] == "2025-03-04T05:06:07Z"
    row = db_user(session, user_id)
    assert row is not None and row.updated_at == edited and row.updated_by_id is None


def test_a_login_is_not_a_change_of_the_user(api: Api, session: Session, tenant: Tenant) -> None:
    """Using a key records the login in `activity` and the key's `last_used_at` only: the user's `updated_at`
    (when its record last changed) stays as it was, and so does the key's."""
    user_id, token = make_user(session, tenant)
    long_ago = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    session.execute(update(User).where(User.id == user_id).values(updated_at=long_ago))
    session.execute(update(ApiKey).where(ApiKey.user_id == user_id).values(updated_at=long_ago))
    session.commit()

    assert api.as_key(token).get("/entities").status_code == 200

    after = data_of(api.get(f"/users/{user_id}"))
    assert after["activity"]["login_count"] == 1
    assert after["updated_at"] == "2024-01-02T03:04:05Z"
    key = session.scalars(select(ApiKey).where(ApiKey.user_id == user_id)).one()
    assert key.last_used_at is not None and key.updated_at == long_ago


def test_full_name_without_a_surname_is_the_name(api: Api) -> None:
    user = data_of(api.post("/users", json={"user": {"name": "  Bo  ", "email": "bo@example.com"}}), 201)
    assert (user["name"], user["surname"], user["full_name"]) == ("Bo", "", "Bo")


def test_get_user_outside_the_entity_is_404(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    elsewhere_id, _ = make_user(session, tenant, entity_id=second)
    foreign = make_tenant(session)

    for user_id in (elsewhere_id, foreign.admin_id, 999999):
        response = api.get(f"/users/{user_id}")
        assert response.status_code == 404, response.text
        assert response.json() == {"status": "error", "message": "User not found"}


# ---- POST /users -----------------------------------------------------------------------------------------------


def test_create_answers_201_and_stores_the_user(api: Api, session: Session, tenant: Tenant) -> None:
    response = api.post(
        "/users",
        json=new_user(language="es", job_title="Electrician", regular_rate="39.75", can_be_assigned_to_wo=False),
    )

    user = data_of(response, 201)
    assert set(user) == {*SPEC_USER, "invitation_url"}  # the link, shown this once
    assert response.json()["meta"]["entity"]["id"] == tenant.entity_id
    assert (user["name"], user["surname"], user["full_name"], user["email"]) == (
        "Maria",
        "Lopez",
        "Maria Lopez",
        "maria@example.com",
    )
    assert (user["language"], user["job_title"], user["regular_rate"]) == ("es", "Electrician", 39.75)
    assert user["can_be_assigned_to_wo"] is False
    assert (user["overtime_rate1"], user["overtime_rate2"]) == (0, 0)
    row = db_user(session, user["id"])
    assert row is not None
    assert (row.customer_id, row.email, row.language, row.regular_rate, row.created_by_id) == (
        tenant.customer_id,
        "maria@example.com",
        "es",
        Decimal("39.75"),
        tenant.admin_id,
    )


def test_permissions_default_to_technician_in_the_current_entity(api: Api, session: Session, tenant: Tenant) -> None:
    make_entity(session, tenant, "Second Site")
    user = data_of(api.post("/users", json=new_user()), 201)

    assert [(p["entity_id"], p["role"]) for p in user["permissions"]] == [(tenant.entity_id, "technician")]
    assert db_roles(session, user["id"]) == {tenant.entity_id: "technician"}


def test_create_with_roles_in_several_entities(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    permissions = [{"entity_id": tenant.entity_id, "role": "requester"}, {"entity_id": second, "role": "limited_admin"}]

    user = data_of(api.post("/users", json=new_user(permissions=permissions)), 201)

    assert db_roles(session, user["id"]) == {tenant.entity_id: "requester", second: "limited_admin"}


@pytest.mark.parametrize("role", ["limited_admin", "technician", "requester"])
def test_create_is_admin_only(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    _, token = make_user(session, tenant, role=role)

    assert_error(api.as_key(token).post("/users", json=new_user()), 403)
    assert db_user_ids_by_email(session, "maria@example.com") == []


def test_duplicate_email_in_the_customer_is_409(api: Api, session: Session, tenant: Tenant) -> None:
    first = data_of(api.post("/users", json=new_user()), 201)
    second = make_entity(session, tenant, "Second Site")

    body = assert_error(api.as_entity(second).post("/users", json=new_user(name="Other")), 409)

    assert body["errors"] == {"user.email": ["is already taken"]}
    assert db_user_ids_by_email(session, "maria@example.com") == [first["id"]]


def test_same_email_in_another_customer_is_allowed(api: Api, session: Session) -> None:
    data_of(api.post("/users", json=new_user()), 201)
    other = make_tenant(session)

    created = data_of(api.as_key(other.token).as_entity(other.entity_id).post("/users", json=new_user()), 201)

    assert len(db_user_ids_by_email(session, "maria@example.com")) == 2
    row = db_user(session, created["id"])
    assert row is not None and row.customer_id == other.customer_id


def test_granting_where_the_caller_is_not_admin_is_403(api: Api, session: Session, tenant: Tenant) -> None:
    tech_site = make_entity(session, tenant, "Tech Site", admin_role="technician")
    permissions = [{"entity_id": tenant.entity_id, "role": "technician"}, {"entity_id": tech_site, "role": "admin"}]

    assert_error(api.post("/users", json=new_user(permissions=permissions)), 403)
    assert db_user_ids_by_email(session, "maria@example.com") == []


def test_granting_in_an_entity_without_any_role_is_403(api: Api, session: Session, tenant: Tenant) -> None:
    hidden = make_entity(session, tenant, "Hidden", admin_role=None)
    response = api.post("/users", json=new_user(permissions=[{"entity_id": hidden, "role": "technician"}]))
    assert_error(response, 403)


def test_entity_of_another_customer_is_422(api: Api, session: Session) -> None:
    foreign = make_tenant(session)

    response = api.post("/users", json=new_user(permissions=[{"entity_id": foreign.entity_id, "role": "admin"}]))

    assert_error(response, 422, "user.permissions.0.entity_id")
    assert db_user_ids_by_email(session, "maria@example.com") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("regular_rate", "41.005"),
        ("regular_rate", 41.005),
        ("overtime_rate1", -1),
        ("overtime_rate2", "-0.01"),
        ("email", "not-an-email"),
        ("email", None),
        ("name", ""),
        ("role", "admin"),
        ("status", "invited"),
        ("language", "xx"),
    ],
)
def test_create_rejects_invalid_values(api: Api, session: Session, field: str, value: Any) -> None:
    response = api.post("/users", json=new_user(**{field: value}))

    assert_error(response, 422, f"user.{field}")
    assert db_user_ids_by_email(session, "maria@example.com") == []


def test_create_rejects_an_unknown_role(api: Api) -> None:
    response = api.post("/users", json=new_user(permissions=[{"entity_id": 1, "role": "owner"}]))
    assert_error(response, 422, "user.permissions.0.role")


def test_create_requires_name_and_email(api: Api) -> None:
    assert_error(api.post("/users", json={"user": {"name": "X"}}), 422, "user.email")
    assert_error(api.post("/users", json={"user": {"email": "x@example.com"}}), 422, "user.name")


# ---- PATCH /users/{id} -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_changes_only_the_sent_fields(api: Api, session: Session, tenant: Tenant, method: str) -> None:
    user = data_of(api.post("/users", json=new_user(job_title="Electrician", phone_number="+1555")), 201)

    response = api.request(method, f"/users/{user['id']}", json={"user": {"job_title": "Lead", "regular_rate": 50}})

    updated = data_of(response)
    assert (updated["job_title"], updated["regular_rate"]) == ("Lead", 50)
    assert (updated["name"], updated["email"], updated["phone_number"]) == ("Maria", "maria@example.com", "+1555")
    assert updated["permissions"] == user["permissions"]
    row = db_user(session, user["id"])
    assert row is not None
    assert (row.job_title, row.regular_rate, row.phone_number, row.name) == ("Lead", Decimal("50"), "+1555", "Maria")


def test_update_clears_nullable_fields_and_refuses_null_elsewhere(api: Api, session: Session) -> None:
    user = data_of(api.post("/users", json=new_user(job_title="Electrician")), 201)

    assert data_of(api.patch(f"/users/{user['id']}", json={"user": {"job_title": None}}))["job_title"] is None
    assert_error(api.patch(f"/users/{user['id']}", json={"user": {"name": None}}), 422, "user.name")
    row = db_user(session, user["id"])
    assert row is not None
    assert (row.job_title, row.name) == (None, "Maria")


def test_update_to_a_taken_email_is_409(api: Api, session: Session, tenant: Tenant) -> None:
    user = data_of(api.post("/users", json=new_user()), 201)
    admin_email = data_of(api.get(f"/users/{tenant.admin_id}"))["email"]

    assert_error(api.patch(f"/users/{user['id']}", json={"user": {"email": admin_email}}), 409)
    row = db_user(session, user["id"])
    assert row is not None and row.email == "maria@example.com"


def test_permissions_replace_roles_only_where_the_caller_is_admin(api: Api, session: Session, tenant: Tenant) -> None:
    administered = make_entity(session, tenant, "Administered")
    not_administered = make_entity(session, tenant, "Tech Only", admin_role="technician")
    user_id, _ = make_user(session, tenant, role="technician")
    session.add_all(
        [
            UserRole(user_id=user_id, entity_id=administered, role="requester"),
            UserRole(user_id=user_id, entity_id=not_administered, role="limited_admin"),
        ]
    )
    session.commit()

    response = api.patch(
        f"/users/{user_id}", json={"user": {"permissions": [{"entity_id": tenant.entity_id, "role": "limited_admin"}]}}
    )

    assert response.status_code == 200, response.text
    # Main: changed; Administered: not listed, so removed; Tech Only: outside the caller's reach, kept.
    assert db_roles(session, user_id) == {tenant.entity_id: "limited_admin", not_administered: "limited_admin"}


def test_permissions_can_add_a_role_in_another_administered_entity(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")
    user_id, _ = make_user(session, tenant, role="technician")
    permissions = [{"entity_id": tenant.entity_id, "role": "technician"}, {"entity_id": second, "role": "requester"}]

    user = data_of(api.patch(f"/users/{user_id}", json={"user": {"permissions": permissions}}))

    assert [(p["entity_id"], p["role"]) for p in user["permissions"]] == [
        (tenant.entity_id, "technician"),
        (second, "requester"),
    ]
    assert db_roles(session, user_id) == {tenant.entity_id: "technician", second: "requester"}


def test_permissions_in_an_entity_the_caller_does_not_administer_is_403(
    api: Api, session: Session, tenant: Tenant
) -> None:
    tech_site = make_entity(session, tenant, "Tech Site", admin_role="technician")
    user_id, _ = make_user(session, tenant, role="technician")

    response = api.patch(
        f"/users/{user_id}", json={"user": {"permissions": [{"entity_id": tech_site, "role": "admin"}]}}
    )

    assert_error(response, 403)
    assert db_roles(session, user_id) == {tenant.entity_id: "technician"}


def test_admin_cannot_remove_their_own_admin_role(api: Api, session: Session, tenant: Tenant) -> None:
    response = api.patch(
        f"/users/{tenant.admin_id}",
        json={"user": {"permissions": [{"entity_id": tenant.entity_id, "role": "technician"}]}},
    )

    assert_error(response, 422, "user.permissions")
    assert db_roles(session, tenant.admin_id) == {tenant.entity_id: "admin"}


def test_admin_cannot_deactivate_themselves(api: Api, session: Session, tenant: Tenant) -> None:
    assert_error(api.patch(f"/users/{tenant.admin_id}", json={"user": {"status": "inactive"}}), 422, "user.status")
    row = db_user(session, tenant.admin_id)
    assert row is not None and row.status == "active"
    assert api.get("/users").status_code == 200


def test_deactivated_user_key_answers_401(api: Api, session: Session, tenant: Tenant) -> None:
    user_id, token = make_user(session, tenant)
    assert api.as_key(token).get("/users").status_code == 200

    updated = data_of(api.patch(f"/users/{user_id}", json={"user": {"status": "inactive"}}))

    assert updated["status"] == "inactive"
    response = api.as_key(token).get("/users")
    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Invalid API key"}
    row = db_user(session, user_id)
    assert row is not None and row.status == "inactive"
    # Reactivated, the same key works again.
    data_of(api.patch(f"/users/{user_id}", json={"user": {"status": "active"}}))
    assert api.as_key(token).get("/users").status_code == 200


@pytest.mark.parametrize("role", ["limited_admin", "technician", "requester"])
def test_update_is_admin_only(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    _, token = make_user(session, tenant, role=role)

    assert_error(api.as_key(token).patch(f"/users/{tenant.admin_id}", json={"user": {"name": "Eve"}}), 403)
    row = db_user(session, tenant.admin_id)
    assert row is not None and row.name == "Ada"


def test_update_of_a_user_outside_the_entity_is_404(api: Api, session: Session, tenant: Tenant) -> None:
    foreign = make_tenant(session)
    second = make_entity(session, tenant, "Second Site", admin_role=None)
    elsewhere_id, _ = make_user(session, tenant, entity_id=second)

    for user_id in (foreign.admin_id, elsewhere_id):
        response = api.patch(f"/users/{user_id}", json={"user": {"name": "Eve"}})
        assert response.status_code == 404, response.text
        assert response.json() == {"status": "error", "message": "User not found"}
    row = db_user(session, foreign.admin_id)
    assert row is not None and row.name == "Ada"


def test_naming_an_entity_twice_is_422(api: Api, session: Session, tenant: Tenant) -> None:
    permissions = [
        {"entity_id": tenant.entity_id, "role": "admin"},
        {"entity_id": tenant.entity_id, "role": "requester"},
    ]
    assert_error(api.post("/users", json=new_user(permissions=permissions)), 422, "user.permissions")
    assert db_user_ids_by_email(session, "maria@example.com") == []


def test_admin_cannot_remove_their_own_admin_role_in_another_entity(api: Api, session: Session, tenant: Tenant) -> None:
    second = make_entity(session, tenant, "Second Site")

    response = api.patch(
        f"/users/{tenant.admin_id}", json={"user": {"permissions": [{"entity_id": tenant.entity_id, "role": "admin"}]}}
    )

    assert_error(response, 422, "user.permissions")
    assert db_roles(session, tenant.admin_id) == {tenant.entity_id: "admin", second: "admin"}


def test_profile_of_a_user_working_where_the_caller_is_not_admin_is_403(
    api: Api, session: Session, tenant: Tenant
) -> None:
    elsewhere = make_entity(session, tenant, "Elsewhere", admin_role="technician")
    user_id, token = make_user(session, tenant, role="technician")
    session.add(UserRole(user_id=user_id, entity_id=elsewhere, role="admin"))
    session.commit()

    before = db_user(session, user_id)
    assert before is not None

    for change in ({"status": "inactive"}, {"email": "taken-over@example.com"}, {"name": "Renamed"}):
        assert_error(api.patch(f"/users/{user_id}", json={"user": change}), 403)

    row = db_user(session, user_id)
    assert row is not None
    assert (row.status, row.email, row.name) == ("active", before.email, before.name)
    assert api.as_key(token).get("/users").status_code == 200
    # Their role here is still the caller's to set.
    permissions = [{"entity_id": tenant.entity_id, "role": "requester"}]
    assert data_of(api.patch(f"/users/{user_id}", json={"user": {"permissions": permissions}}))
    assert db_roles(session, user_id) == {tenant.entity_id: "requester", elsewhere: "admin"}
