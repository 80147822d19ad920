"""§8 meta.pagination.total of an unfiltered list is exact: a real COUNT(*) of the scope, after every change.

Unfiltered totals may come from per-scope counters (docs/api.md); these tests compare them with the table itself
after creates through the API and the database, removals, and changes in other scopes.
"""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from tests.contract.resources import USERS, WITH_WRITE, Resource
from tests.contract.support import each_resource, ok_list
from tests.helpers import Api, Tenant, make_entity, make_tenant

_n = itertools.count(1)


def _total(api: Api, resource: Resource) -> int:
    total: int = ok_list(api, resource)["meta"]["pagination"]["total"]
    return total


def _create_via_api(api: Api, tenant: Tenant, resource: Resource) -> int:
    assert resource.write is not None
    body = {resource.write.wrapper: resource.write.body(tenant, next(_n))}
    response = api.post(resource.write.path, json=body)
    assert response.status_code == 201, response.text
    record: int = response.json()["data"]["id"]
    return record


def _assert_exact(api: Api, session: Session, tenant: Tenant, resource: Resource, entity_id: int) -> int:
    scoped = api.as_entity(entity_id)
    total = _total(scoped, resource)
    assert total == resource.real_total(session, tenant, entity_id)
    # The unfiltered total agrees with a filtered one that matches everything (which is always counted).
    counted = ok_list(scoped, resource, [("filter[id_gt]", "0"), ("per_page", "1")])
    assert counted["meta"]["pagination"]["total"] == total
    return total


@each_resource()
def test_total_after_database_creates(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    start = _assert_exact(api, session, tenant, resource, tenant.entity_id)
    for _ in range(7):
        resource.create(session, tenant)
    session.commit()
    assert _assert_exact(api, session, tenant, resource, tenant.entity_id) == start + 7


@each_resource(*WITH_WRITE)
def test_total_after_api_creates(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    start = _assert_exact(api, session, tenant, resource, tenant.entity_id)
    created = [_create_via_api(api, tenant, resource) for _ in range(3)]
    assert _assert_exact(api, session, tenant, resource, tenant.entity_id) == start + 3
    listed = {item["id"] for item in ok_list(api, resource, [("per_page", "100")])["data"]}
    assert set(created) <= listed


@each_resource(*WITH_WRITE)
def test_failed_create_changes_no_total(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    assert resource.write is not None
    start = _assert_exact(api, session, tenant, resource, tenant.entity_id)
    body = resource.write.body(tenant, next(_n)) | {"unknown_field": 1}
    assert api.post(resource.write.path, json={resource.write.wrapper: body}).status_code == 422
    assert _assert_exact(api, session, tenant, resource, tenant.entity_id) == start


@each_resource(*(r for r in WITH_WRITE if r.remove is not None))
def test_total_after_removals(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    assert resource.remove is not None
    created = [_create_via_api(api, tenant, resource) for _ in range(4)]
    start = _assert_exact(api, session, tenant, resource, tenant.entity_id)
    for record in created[:3]:
        resource.remove(api, record)
    assert _assert_exact(api, session, tenant, resource, tenant.entity_id) == start - 3
    listed = {item["id"] for item in ok_list(api, resource, [("per_page", "100")])["data"]}
    assert created[3] in listed and not set(created[:3]) & listed


@each_resource()
def test_changes_elsewhere_leave_this_total_alone(
    api: Api, session: Session, tenant: Tenant, resource: Resource
) -> None:
    start = _assert_exact(api, session, tenant, resource, tenant.entity_id)
    other = make_tenant(session)
    for _ in range(3):
        resource.create(session, other)
        resource.elsewhere(session, tenant)
    session.commit()
    assert _assert_exact(api, session, tenant, resource, tenant.entity_id) == start
    other_api = Api(api.client, other.token, other.entity_id)
    _assert_exact(other_api, session, other, resource, other.entity_id)


def test_users_role_in_another_entity_leaves_this_total(api: Api, session: Session, tenant: Tenant) -> None:
    """Granting an existing user a role in a second entity (and a new user a role only there) through the API."""
    second = make_entity(session, tenant)
    user = _create_via_api(api, tenant, USERS)
    start = _assert_exact(api, session, tenant, USERS, tenant.entity_id)
    second_start = _assert_exact(api, session, tenant, USERS, second)

    permissions = [{"entity_id": tenant.entity_id, "role": "technician"}, {"entity_id": second, "role": "requester"}]
    response = api.patch(f"/users/{user}", json={"user": {"permissions": permissions}})
    assert response.status_code == 200, response.text
    body = {"name": "Only", "surname": "There", "email": "only-there@example.com"}
    response = api.post("/users", json={"user": body | {"permissions": [{"entity_id": second, "role": "admin"}]}})
    assert response.status_code == 201, response.text

    assert _assert_exact(api, session, tenant, USERS, tenant.entity_id) == start
    assert _assert_exact(api, session, tenant, USERS, second) == second_start + 2
    # Moving the user out of this entity (keeping the other role) is one fewer here, none fewer there.
    response = api.patch(f"/users/{user}", json={"user": {"permissions": permissions[1:]}})
    assert response.status_code == 200, response.text
    assert _assert_exact(api, session, tenant, USERS, tenant.entity_id) == start - 1
    assert _assert_exact(api, session, tenant, USERS, second) == second_start + 2
