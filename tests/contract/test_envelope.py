"""§1 Envelope: exactly {status, data, meta}; meta.entity of the X-Entity-Id entity; meta.customer; list meta."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tests.contract.resources import WITH_DETAIL, Resource, create_entity
from tests.contract.support import (
    BASE_META_KEYS,
    NULL_ENTITY_META,
    api_for,
    assert_list_envelope,
    each_resource,
    ok_list,
)
from tests.helpers import Api, Tenant
from wrenchwork.models import Customer


def _tokyo_entity(session: Session, tenant: Tenant) -> int:
    """An entity whose meta differs from every default, so a wrong source of meta.entity shows."""
    return create_entity(
        session,
        tenant,
        name="Tokyo Plant",
        currency="JPY",
        timezone="Asia/Tokyo",
        datetime_format="YYYY-MM-DD - 23:59",
    )


def _expected_entity_meta(entity_id: int) -> dict[str, object]:
    offset = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%z")
    return {
        "id": entity_id,
        "name": "Tokyo Plant",
        "currency": "JPY",
        "currency_symbol": "¥",
        "datetime_format": "YYYY-MM-DD - 23:59",
        "timezone": f"Asia/Tokyo: {offset[:3]}:{offset[3:]}",
    }


def _customer(session: Session, tenant: Tenant) -> dict[str, object]:
    customer = session.get(Customer, tenant.customer_id)
    assert customer is not None
    session.commit()
    return {"id": customer.id, "name": customer.name}


@each_resource()
def test_list_envelope_and_meta(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    tokyo = _tokyo_entity(session, tenant)
    record = resource.create(session, tenant, tokyo)
    session.commit()

    response = api_for(api.as_entity(tokyo), resource).get(resource.list_path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_list_envelope(body)
    meta = body["meta"]
    if resource.entity_header:
        assert meta["entity"] == _expected_entity_meta(tokyo)
    else:
        assert meta["entity"] == NULL_ENTITY_META
    assert meta["customer"] == _customer(session, tenant)
    total = resource.real_total(session, tenant, tokyo)
    assert meta["pagination"] == {"total": total, "page": 1, "per_page": 50, "total_pages": 1}
    assert meta["sort"] == list(resource.default_sort)
    assert meta["search"] is None
    assert meta["filter"] == {}
    assert record in [item["id"] for item in body["data"]]
    assert len(body["data"]) == total


@each_resource()
def test_meta_entity_follows_the_header(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    """The same key, two entities: meta.entity is the one named by X-Entity-Id (all null on /entities)."""
    tokyo = _tokyo_entity(session, tenant)
    session.commit()
    main = ok_list(api, resource)["meta"]["entity"]
    other = ok_list(api.as_entity(tokyo), resource)["meta"]["entity"]
    if resource.entity_header:
        assert main["id"] == tenant.entity_id and main["name"] == "Main Facility"
        assert main["currency_symbol"] == "$" and main["timezone"] == "Etc/UTC: +00:00"
        assert other == _expected_entity_meta(tokyo)
    else:
        assert main == other == NULL_ENTITY_META


@each_resource()
def test_list_meta_echoes_what_was_sent(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    record = resource.create(session, tenant)
    session.commit()
    sort = f"{resource.sortable[-1]} desc"
    body = ok_list(
        api,
        resource,
        [("sort", sort), ("search", "zz"), ("filter[id_eq]", str(record)), ("page", "2"), ("per_page", "7")],
    )
    meta = body["meta"]
    assert meta["sort"] == [sort]
    assert meta["search"] == "zz"
    assert meta["filter"] == {"id_eq": str(record)}
    assert meta["pagination"]["page"] == 2 and meta["pagination"]["per_page"] == 7


@each_resource()
def test_filter_echo_keeps_the_value_as_sent(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    a = resource.create(session, tenant)
    b = resource.create(session, tenant)
    session.commit()
    raw = f" {a} ,{b}"
    body = ok_list(api, resource, [("filter[id_in]", raw), ("filter[id_not_null]", "1")])
    assert body["meta"]["filter"] == {"id_in": raw, "id_not_null": "1"}
    assert sorted(item["id"] for item in body["data"]) == sorted([a, b])
    repeated = ok_list(api, resource, [("filter[id_in][]", str(a)), ("filter[id_in][]", str(b))])
    assert repeated["meta"]["filter"] == {"id_in": [str(a), str(b)]}


@each_resource(*WITH_DETAIL)
def test_detail_envelope(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    tokyo = _tokyo_entity(session, tenant)
    record = resource.create(session, tenant, tokyo)
    session.commit()
    response = api.as_entity(tokyo).get(resource.detail(record))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"status", "data", "meta"}
    assert body["status"] == "success"
    assert isinstance(body["data"], dict) and body["data"]["id"] == record
    assert set(body["meta"]) == BASE_META_KEYS
    assert body["meta"]["entity"] == _expected_entity_meta(tokyo)
    assert body["meta"]["customer"] == _customer(session, tenant)


@each_resource()
def test_list_items_match_detail(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    """Every listed id is a record of the list's own shape; with a detail path, it answers 200 there too."""
    created = [resource.create(session, tenant) for _ in range(3)]
    session.commit()
    body = ok_list(api, resource)
    listed = {item["id"]: item for item in body["data"]}
    assert set(created) <= set(listed)
    keys = {frozenset(item) for item in body["data"]}
    assert len(keys) == 1, "every list item has the same keys"
    if resource.detail_path is not None:
        for record in created:
            response = api.get(resource.detail(record))
            assert response.status_code == 200
            assert response.json()["data"]["id"] == record
