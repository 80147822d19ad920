"""`/request_portals` (extension): shapes, the list mechanism, validation, roles and entity isolation."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, create_location, error, ids, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.request_portals.support import DEFAULT_FIELDS, PORTAL_KEYS, create_portal
from wrenchwork.models import RequestPortal

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_create_read_update_delete(api: Api, session: Session, tenant: Tenant) -> None:
    hall = create_location(api, "Hall")
    pump = create_asset(api, "Pump")
    made = create_portal(
        api,
        description="Report a problem",
        locations_ids=[hall["id"]],
        assets_ids=[pump["id"]],
        default_location_id=hall["id"],
        fields={"phone": "optional", "asset": "required"},
    )
    assert set(made) == PORTAL_KEYS
    assert UUID.match(made["uuid"])
    assert made["url"] == f"/portal/{made['uuid']}"
    assert made["title"] == "Main Request Portal" and made["enabled"] is True
    assert made["fields"] == DEFAULT_FIELDS | {"phone": "optional", "asset": "required"}
    assert made["locations"] == [{"id": hall["id"], "name": "Hall"}]
    assert made["assets"] == [{"id": pump["id"], "name": "Pump"}]
    assert made["default_location"] == {"id": hall["id"], "name": "Hall"} and made["default_asset"] is None
    assert made["created_by_id"] == tenant.admin_id
    assert ok(api.get(f"/request_portals/{made['id']}")) == made

    changed = ok(
        api.patch(f"/request_portals/{made['id']}", json={"request_portal": {"enabled": False, "title": "Plant"}})
    )
    assert changed["enabled"] is False and changed["title"] == "Plant"
    assert changed["uuid"] == made["uuid"]  # stable
    assert changed["assets"] == made["assets"]  # untouched when not sent
    put = ok(api.put(f"/request_portals/{made['id']}", json={"request_portal": {"description": None}}))
    assert put["description"] is None

    assert api.delete(f"/request_portals/{made['id']}").status_code == 204
    assert session.get(RequestPortal, made["id"]) is None
    error(api.get(f"/request_portals/{made['id']}"), 404)


def test_list_search_filter_sort(api: Api) -> None:
    a = create_portal(api, "Alpha")
    b = create_portal(api, "Beta", enabled=False)
    c = create_portal(api, "Gamma", description="boiler room")
    assert ids(api.get("/request_portals")) == [a["id"], b["id"], c["id"]]
    assert ids(api.get("/request_portals", params={"sort": "title desc"})) == [c["id"], b["id"], a["id"]]
    assert ids(api.get("/request_portals", params={"filter[enabled_eq]": "false"})) == [b["id"]]
    assert ids(api.get("/request_portals", params={"search": "BOILER"})) == [c["id"]]
    body = api.get("/request_portals", params={"per_page": 2}).json()
    assert body["meta"]["pagination"] == {"total": 3, "page": 1, "per_page": 2, "total_pages": 2}
    error(api.get("/request_portals", params={"filter[fields_eq]": "x"}), 422)
    error(api.get("/request_portals", params={"sort": "uuid asc"}), 422)


def test_validation(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    foreign = create_asset(api.as_entity(other), "Elsewhere")
    cases = [
        ({}, "request_portal.title"),
        ({"title": " "}, "request_portal.title"),
        ({"title": "x" * 201}, "request_portal.title"),
        ({"title": "T", "fields": {"name": "sometimes"}}, "request_portal.fields.name"),
        ({"title": "T", "fields": {"colour": "required"}}, "request_portal.fields.colour"),
        ({"title": "T", "assets_ids": [foreign["id"]]}, "request_portal.assets_ids"),
        ({"title": "T", "default_asset_id": foreign["id"]}, "request_portal.default_asset_id"),
        ({"title": "T", "fields": {"location": "required"}}, "request_portal.fields.location"),
        ({"title": "T", "locations_ids": None}, "request_portal.locations_ids"),
        ({"title": "T", "description": "x" * 5001}, "request_portal.description"),
        ({"title": "T", "uuid": "mine"}, "request_portal.uuid"),
    ]
    for body, field in cases:
        answer = error(api.post("/request_portals", json={"request_portal": body}), 422)
        assert field in answer["errors"], (body, answer)
    made = create_portal(api)
    answer = error(api.patch(f"/request_portals/{made['id']}", json={"request_portal": {"title": None}}), 422)
    assert answer["errors"] == {"request_portal.title": ["cannot be null"]}


def test_roles(api: Api, session: Session, tenant: Tenant, client: object) -> None:
    made = create_portal(api)
    _, technician = make_user(session, tenant, "technician")
    _, requester = make_user(session, tenant, "requester")
    _, limited = make_user(session, tenant, "limited_admin")
    tech = api.as_key(technician)
    assert ids(tech.get("/request_portals")) == [made["id"]]
    ok(tech.get(f"/request_portals/{made['id']}"))
    error(tech.post("/request_portals", json={"request_portal": {"title": "T"}}), 403)
    error(tech.patch(f"/request_portals/{made['id']}", json={"request_portal": {"title": "T"}}), 403)
    error(tech.delete(f"/request_portals/{made['id']}"), 403)
    req = api.as_key(requester)
    error(req.get("/request_portals"), 403)
    error(req.get(f"/request_portals/{made['id']}"), 403)
    ok(api.as_key(limited).post("/request_portals", json={"request_portal": {"title": "T"}}), 201)


def test_entities_are_isolated(api: Api, session: Session, tenant: Tenant) -> None:
    mine = create_portal(api)
    other = api.as_entity(make_entity(session, tenant))
    assert ids(other.get("/request_portals")) == []
    error(other.get(f"/request_portals/{mine['id']}"), 404)
    error(other.patch(f"/request_portals/{mine['id']}", json={"request_portal": {"title": "x"}}), 404)
    error(other.delete(f"/request_portals/{mine['id']}"), 404)
