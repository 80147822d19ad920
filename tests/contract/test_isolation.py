"""§3 Isolation: records of another customer or another entity look exactly like missing ones."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.contract.resources import WITH_DELETE, WITH_DETAIL, Resource
from tests.contract.support import MISSING_ID, all_ids, assert_error, each_resource, ok_list
from tests.helpers import Api, Tenant, make_tenant


def _foreign_records(session: Session, tenant: Tenant, resource: Resource) -> tuple[int, int, int | None, Tenant]:
    """(record of another customer, record of this customer outside this scope, where the latter shows, other)."""
    other = make_tenant(session)
    foreign = resource.create(session, other)
    elsewhere, shown_in = resource.elsewhere(session, tenant)
    session.commit()
    return foreign, elsewhere, shown_in, other


@each_resource()
def test_foreign_records_never_listed(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    mine = resource.create(session, tenant)
    foreign, elsewhere, _, _ = _foreign_records(session, tenant, resource)
    listed = all_ids(api, resource)
    assert mine in listed
    assert foreign not in listed and elsewhere not in listed
    # Not even when asked for by id, by search or by any filter.
    for params in (
        [("filter[id_eq]", str(foreign))],
        [("filter[id_in]", f"{foreign},{elsewhere}")],
        [("filter[id_gteq]", str(min(foreign, elsewhere)))],
        [("filter[id_not_in]", str(mine))],
    ):
        body = ok_list(api, resource, params)
        found = {item["id"] for item in body["data"]}
        assert not found & {foreign, elsewhere}, params
        assert body["meta"]["pagination"]["total"] == len(found), params


@each_resource()
def test_totals_are_per_scope(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    for _ in range(3):
        resource.create(session, tenant)
    _, _, shown_in, other = _foreign_records(session, tenant, resource)
    for _ in range(2):
        resource.create(session, other)
    session.commit()
    body = ok_list(api, resource)
    assert body["meta"]["pagination"]["total"] == resource.real_total(session, tenant, tenant.entity_id)
    assert body["meta"]["pagination"]["total"] == len(body["data"])
    other_api = Api(api.client, other.token, other.entity_id)
    other_body = ok_list(other_api, resource)
    assert other_body["meta"]["pagination"]["total"] == resource.real_total(session, other, other.entity_id)
    assert not {item["id"] for item in body["data"]} & {item["id"] for item in other_body["data"]}
    if shown_in is not None:
        there = ok_list(api.as_entity(shown_in), resource)
        assert there["meta"]["pagination"]["total"] == resource.real_total(session, tenant, shown_in)


@each_resource()
def test_record_elsewhere_shows_in_its_own_scope(
    api: Api, session: Session, tenant: Tenant, resource: Resource
) -> None:
    """The positive control of the isolation tests: the hidden record is real and visible where it belongs."""
    foreign, elsewhere, shown_in, other = _foreign_records(session, tenant, resource)
    assert foreign in all_ids(Api(api.client, other.token, other.entity_id), resource)
    if shown_in is not None:
        assert elsewhere in all_ids(api.as_entity(shown_in), resource)
        if resource.detail_path is not None:
            assert api.as_entity(shown_in).get(resource.detail(elsewhere)).status_code == 200


@each_resource(*WITH_DETAIL)
def test_foreign_detail_is_404_like_missing(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    foreign, elsewhere, _, _ = _foreign_records(session, tenant, resource)
    missing = assert_error(api.get(resource.detail(MISSING_ID)), 404, resource.not_found)
    for record in (foreign, elsewhere):
        response = api.get(resource.detail(record))
        assert response.status_code == 404
        assert response.json() == missing
        assert response.headers["content-type"] == "application/json"


@each_resource(*WITH_DETAIL)
def test_detail_of_own_record(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    record = resource.create(session, tenant)
    session.commit()
    response = api.get(resource.detail(record))
    assert response.status_code == 200
    assert response.json()["data"]["id"] == record


@each_resource(*WITH_DELETE)
def test_foreign_delete_is_404_like_missing(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    """DELETE of another customer's or another entity's record answers like a missing id and removes nothing."""
    foreign, elsewhere, shown_in, other = _foreign_records(session, tenant, resource)
    missing = assert_error(api.delete(resource.detail(MISSING_ID)), 404, resource.not_found)
    for record in (foreign, elsewhere):
        response = api.delete(resource.detail(record))
        assert response.status_code == 404, response.text
        assert response.json() == missing
    assert foreign in all_ids(Api(api.client, other.token, other.entity_id), resource)
    if shown_in is not None:
        assert elsewhere in all_ids(api.as_entity(shown_in), resource)
    # The removal itself works where the record belongs, and afterwards the id is missing there too.
    other_api = Api(api.client, other.token, other.entity_id)
    assert resource.remove is not None
    resource.remove(other_api, foreign)
    assert_error(other_api.get(resource.detail(foreign)), 404, resource.not_found)
    assert_error(other_api.delete(resource.detail(foreign)), 404, resource.not_found)
