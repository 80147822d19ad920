"""Vendors: the documented list and detail, and the extension create/update with contacts and links."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    CONTACT_KEYS,
    LIST_META,
    PRIMARY_CONTACT_KEYS,
    TIMESTAMP,
    VENDOR_DETAIL_KEYS,
    VENDOR_LIST_KEYS,
    create_asset,
    create_location,
    create_lookup,
    create_vendor,
    db_get,
    db_rows,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user, statements
from wrenchwork.models import (
    Vendor,
    VendorContact,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)

ROBERT = {
    "name": "Robert Smith",
    "role": "HVAC Technician",
    "email": "robert_smith@example.com",
    "phone": "1-493-480-9163",
    "extension": "989",
    "is_primary": True,
}
JANE = {
    "name": "Jane Roe",
    "role": "Dispatcher",
    "email": "jane@example.com",
    "phone": "555-0100",
    "extension": None,
    "is_primary": False,
}


def contacts_of(session: Session, vendor_id: int) -> list[tuple[str, bool]]:
    rows = db_rows(
        session,
        select(VendorContact.name, VendorContact.is_primary)
        .where(VendorContact.vendor_id == vendor_id)
        .order_by(VendorContact.id),
    )
    return [(name, primary) for name, primary in rows]


def linked(session: Session, table: Any, vendor_id: int, column: str) -> list[int]:
    return db_scalars(session, select(table.c[column]).where(table.c.vendor_id == vendor_id).order_by(table.c[column]))


def test_create_with_every_field_answers_the_documented_detail(api: Api, session: Session, tenant: Tenant) -> None:
    hvac = create_lookup(api, "/categories", "category", "HVAC")
    refrigeration = create_lookup(api, "/categories", "category", "Refrigeration")
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"])
    purifier = create_asset(api, "Air Purifier")

    response = api.post(
        "/vendors",
        json={
            "vendor": {
                "name": "Summit HVAC & Refrigeration",
                "description": "Commercial HVAC and refrigeration installation, maintenance, and repair services",
                "is_active": True,
                "assign_to_work_orders": True,
                "parts_supplier": True,
                "tax_id": "12-3456789",
                "address": "123 Example St",
                "rating": 5,
                "hourly_rate": 32.5,
                "categories_ids": [refrigeration["id"], hvac["id"]],
                "locations_ids": [room["id"]],
                "assets_ids": [purifier["id"]],
                "vendor_contacts_attributes": [ROBERT, JANE],
            }
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body["meta"]) == {"entity", "customer"}
    data = body["data"]
    assert set(data) == VENDOR_DETAIL_KEYS
    contacts = sorted(data.pop("vendor_contacts"), key=lambda c: c["id"])
    assert [set(c) for c in contacts] == [CONTACT_KEYS, CONTACT_KEYS]
    assert [{k: v for k, v in c.items() if k != "id"} for c in contacts] == [ROBERT, JANE]
    assert TIMESTAMP.match(data.pop("created_at")) and TIMESTAMP.match(data.pop("updated_at"))
    assert data == {
        "id": data["id"],
        "name": "Summit HVAC & Refrigeration",
        "description": "Commercial HVAC and refrigeration installation, maintenance, and repair services",
        "is_active": True,
        "assign_to_work_orders": True,
        "parts_supplier": True,
        "tax_id": "12-3456789",
        "address": "123 Example St",
        "rating": 5,
        "hourly_rate": 32.5,
        "locations": [{"id": room["id"], "name": "Main Conference Room", "path": "Building A > Main Conference Room"}],
        "categories": [{"id": hvac["id"], "name": "HVAC"}, {"id": refrigeration["id"], "name": "Refrigeration"}],
        "assets": [{"id": purifier["id"], "name": "Air Purifier"}],
        "parts": [],
        "images": [],
        "documents": [],
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }
    # GET answers the same detail.
    fetched = ok(api.get(f"/vendors/{data['id']}"))
    assert sorted(fetched.pop("vendor_contacts"), key=lambda c: c["id"]) == contacts
    assert {k: v for k, v in fetched.items() if k not in ("created_at", "updated_at")} == data

    vendor = db_get(session, Vendor, data["id"])
    assert vendor is not None
    assert (vendor.entity_id, vendor.tax_id, vendor.rating, str(vendor.hourly_rate)) == (
        tenant.entity_id,
        "12-3456789",
        5,
        "32.50",
    )
    assert contacts_of(session, vendor.id) == [("Robert Smith", True), ("Jane Roe", False)]
    assert linked(session, vendor_categories, vendor.id, "category_id") == sorted([hvac["id"], refrigeration["id"]])
    assert linked(session, vendor_locations, vendor.id, "location_id") == [room["id"]]
    assert linked(session, asset_vendors, vendor.id, "asset_id") == [purifier["id"]]


def test_list_items_have_the_documented_shape(api: Api, tenant: Tenant) -> None:
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"])
    vendor = create_vendor(api, "Summit", locations_ids=[room["id"]], vendor_contacts_attributes=[ROBERT])

    response = api.get("/vendors")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["meta"]) == LIST_META
    assert body["meta"]["sort"] == ["name asc"]
    assert body["meta"]["search"] is None
    assert body["meta"]["filter"] == {}
    assert body["meta"]["pagination"] == {"total": 1, "page": 1, "per_page": 50, "total_pages": 1}
    [item] = body["data"]
    assert set(item) == VENDOR_LIST_KEYS
    assert item["id"] == vendor["id"]
    assert item["locations"] == [{"id": room["id"], "name": "Main Conference Room"}]
    assert item["vendor_contacts"] == vendor["vendor_contacts"]
    assert item["parts"] == []
    assert item["image"] == {"small": None, "medium": None}
    admin = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert item["created_by"] == admin
    assert item["updated_by"] == admin


def test_a_vendor_with_only_a_name_gets_defaults(api: Api) -> None:
    data = create_vendor(api, "Bare")

    assert {k: data[k] for k in ("description", "tax_id", "address", "rating", "hourly_rate")} == dict.fromkeys(
        ("description", "tax_id", "address", "rating", "hourly_rate")
    )
    assert (data["is_active"], data["assign_to_work_orders"], data["parts_supplier"]) == (True, True, False)
    assert [data[k] for k in ("locations", "vendor_contacts", "categories", "assets", "parts")] == [[]] * 5


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_only_the_fields_sent(api: Api, session: Session, tenant: Tenant, method: str) -> None:
    vendor = create_vendor(api, "Summit", description="HVAC", tax_id="1", rating=4, hourly_rate=30)
    manager_id, token = make_user(session, tenant, role="limited_admin")

    data = ok(
        getattr(api.as_key(token), method)(
            f"/vendors/{vendor['id']}", json={"vendor": {"rating": 2, "description": None, "is_active": False}}
        )
    )

    assert (data["name"], data["tax_id"], data["hourly_rate"]) == ("Summit", "1", 30)
    assert (data["rating"], data["description"], data["is_active"]) == (2, None, False)
    assert (data["created_by_id"], data["updated_by_id"]) == (tenant.admin_id, manager_id)
    stored = db_get(session, Vendor, vendor["id"])
    assert stored is not None
    assert (stored.rating, stored.description, stored.is_active, stored.updated_by_id) == (2, None, False, manager_id)


@pytest.mark.parametrize(
    ("fields", "error_key"),
    [
        pytest.param({"name": None}, "vendor.name", id="null-name"),
        pytest.param({"name": ""}, "vendor.name", id="empty-name"),
        pytest.param({"rating": 0}, "vendor.rating", id="rating-0"),
        pytest.param({"rating": 6}, "vendor.rating", id="rating-6"),
        pytest.param({"hourly_rate": -1}, "vendor.hourly_rate", id="negative-rate"),
        pytest.param({"hourly_rate": 1.234}, "vendor.hourly_rate", id="rate-3-decimals"),
        pytest.param({"hourly_rate": "abc"}, "vendor.hourly_rate", id="rate-not-a-number"),
        pytest.param({"is_active": "maybe"}, "vendor.is_active", id="bool-not-a-bool"),
        pytest.param({"website": "x"}, "vendor.website", id="unknown-field"),
        pytest.param({"categories_ids": None}, "vendor.categories_ids", id="null-ids"),
        pytest.param({"categories_ids": ["a"]}, "vendor.categories_ids", id="ids-not-ints"),
        pytest.param({"vendor_contacts_attributes": [{"name": "A", "email": "no"}]}, None, id="bad-email"),
    ],
)
def test_invalid_updates_are_422_and_change_nothing(
    api: Api, session: Session, fields: dict[str, Any], error_key: str | None
) -> None:
    vendor = create_vendor(api, "Summit", rating=4, hourly_rate=30)

    body = error(api.patch(f"/vendors/{vendor['id']}", json={"vendor": fields}), 422)

    if error_key is not None:
        assert any(key.startswith(error_key) for key in body["errors"]), body
    stored = db_get(session, Vendor, vendor["id"])
    assert stored is not None
    assert (stored.name, stored.rating, str(stored.hourly_rate), stored.is_active) == ("Summit", 4, "30.00", True)
    assert contacts_of(session, vendor["id"]) == []


def test_create_needs_a_name(api: Api, session: Session) -> None:
    error(api.post("/vendors", json={"vendor": {"description": "no name"}}), 422)
    error(api.post("/vendors", json={"name": "unwrapped"}), 422)

    assert db_scalars(session, select(func.count()).select_from(Vendor)) == [0]


# ---- contacts -----------------------------------------------------------------------------------------------


def test_two_primary_contacts_in_one_request_is_422(api: Api, session: Session) -> None:
    body = {"vendor": {"name": "Summit", "vendor_contacts_attributes": [ROBERT, {**JANE, "is_primary": True}]}}

    error(api.post("/vendors", json=body), 422)

    assert db_scalars(session, select(func.count()).select_from(Vendor)) == [0]
    assert db_scalars(session, select(func.count()).select_from(VendorContact)) == [0]


def test_marking_another_contact_primary_unmarks_the_old_one(api: Api, session: Session) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT, JANE])
    by_name = {c["name"]: c["id"] for c in vendor["vendor_contacts"]}
    asset = create_asset(api, "Chiller", vendors_ids=[vendor["id"]])
    assert asset["vendors"][0]["primary_contact"]["id"] == by_name["Robert Smith"]

    data = ok(
        api.patch(
            f"/vendors/{vendor['id']}",
            json={"vendor": {"vendor_contacts_attributes": [{"id": by_name["Jane Roe"], "is_primary": True}]}},
        )
    )

    assert {c["name"]: c["is_primary"] for c in data["vendor_contacts"]} == {"Robert Smith": False, "Jane Roe": True}
    assert contacts_of(session, vendor["id"]) == [("Robert Smith", False), ("Jane Roe", True)]
    detail = ok(api.get(f"/assets/{asset['id']}"))
    assert detail["vendors"] == [
        {
            "id": vendor["id"],
            "name": "Summit",
            "primary_contact": {
                "id": by_name["Jane Roe"],
                "name": "Jane Roe",
                "email": "jane@example.com",
                "phone": "555-0100",
                "extension": None,
            },
        }
    ]


def test_a_new_primary_contact_replaces_the_old_primary(api: Api, session: Session) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT])

    data = ok(
        api.patch(
            f"/vendors/{vendor['id']}",
            json={"vendor": {"vendor_contacts_attributes": [{"name": "New Boss", "is_primary": True}]}},
        )
    )

    assert sorted((c["name"], c["is_primary"]) for c in data["vendor_contacts"]) == [
        ("New Boss", True),
        ("Robert Smith", False),
    ]
    assert contacts_of(session, vendor["id"]) == [("Robert Smith", False), ("New Boss", True)]


def test_contacts_are_changed_added_and_destroyed_by_id(api: Api, session: Session) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT, JANE])
    by_name = {c["name"]: c["id"] for c in vendor["vendor_contacts"]}

    data = ok(
        api.patch(
            f"/vendors/{vendor['id']}",
            json={
                "vendor": {
                    "vendor_contacts_attributes": [
                        {"id": by_name["Robert Smith"], "_destroy": True},
                        {"id": by_name["Jane Roe"], "phone": "555-0199"},
                        {"name": "Sam Lee", "email": "sam@example.com"},
                    ]
                }
            },
        )
    )

    contacts = {c["name"]: c for c in data["vendor_contacts"]}
    assert set(contacts) == {"Jane Roe", "Sam Lee"}
    assert contacts["Jane Roe"]["id"] == by_name["Jane Roe"]
    assert (contacts["Jane Roe"]["phone"], contacts["Jane Roe"]["role"]) == ("555-0199", "Dispatcher")
    assert contacts["Sam Lee"] == {
        "id": contacts["Sam Lee"]["id"],
        "name": "Sam Lee",
        "role": None,
        "email": "sam@example.com",
        "phone": None,
        "extension": None,
        "is_primary": False,
    }
    assert db_get(session, VendorContact, by_name["Robert Smith"]) is None
    assert contacts_of(session, vendor["id"]) == [("Jane Roe", False), ("Sam Lee", False)]


def test_destroying_the_primary_contact_leaves_no_primary_contact(api: Api) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT])
    asset = create_asset(api, "Chiller", vendors_ids=[vendor["id"]])
    contact_id = vendor["vendor_contacts"][0]["id"]

    ok(
        api.patch(
            f"/vendors/{vendor['id']}",
            json={"vendor": {"vendor_contacts_attributes": [{"id": contact_id, "_destroy": True}]}},
        )
    )

    assert ok(api.get(f"/assets/{asset['id']}"))["vendors"] == [
        {"id": vendor["id"], "name": "Summit", "primary_contact": None}
    ]


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param([{"email": "x@example.com"}], id="new-without-name"),
        pytest.param([{"_destroy": True}], id="destroy-without-id"),
        pytest.param([{"id": 999999, "name": "Ghost"}], id="unknown-id"),
        pytest.param([{"name": "A", "is_primary": True}, {"name": "B", "is_primary": True}], id="two-primaries"),
        pytest.param([{"name": "A", "colour": "red"}], id="unknown-field"),
    ],
)
def test_invalid_contact_rows_are_422(api: Api, session: Session, attributes: list[dict[str, Any]]) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT])

    error(api.patch(f"/vendors/{vendor['id']}", json={"vendor": {"vendor_contacts_attributes": attributes}}), 422)

    assert contacts_of(session, vendor["id"]) == [("Robert Smith", True)]


def test_a_contact_of_another_vendor_cannot_be_changed_through_this_one(api: Api, session: Session) -> None:
    mine = create_vendor(api, "Mine")
    theirs = create_vendor(api, "Theirs", vendor_contacts_attributes=[ROBERT])
    contact_id = theirs["vendor_contacts"][0]["id"]

    for row in ({"id": contact_id, "name": "Stolen"}, {"id": contact_id, "_destroy": True}):
        error(api.patch(f"/vendors/{mine['id']}", json={"vendor": {"vendor_contacts_attributes": [row]}}), 422)

    assert contacts_of(session, theirs["id"]) == [("Robert Smith", True)]
    assert contacts_of(session, mine["id"]) == []


# ---- links ----------------------------------------------------------------------------------------------------


def _link_targets(api: Api, field: str) -> list[int]:
    if field == "categories_ids":
        return [create_lookup(api, "/categories", "category", n)["id"] for n in ("C1", "C2", "C3")]
    if field == "locations_ids":
        return [create_location(api, n)["id"] for n in ("L1", "L2", "L3")]
    return [create_asset(api, n)["id"] for n in ("A1", "A2", "A3")]


LINK_FIELDS = [
    pytest.param("categories_ids", "categories", vendor_categories, "category_id", id="categories"),
    pytest.param("locations_ids", "locations", vendor_locations, "location_id", id="locations"),
    pytest.param("assets_ids", "assets", asset_vendors, "asset_id", id="assets"),
]


@pytest.mark.parametrize(("field", "key", "table", "column"), LINK_FIELDS)
def test_link_ids_replace_the_whole_set(
    api: Api, session: Session, field: str, key: str, table: Any, column: str
) -> None:
    first, second, third = _link_targets(api, field)
    vendor = create_vendor(api, "Summit", **{field: [first, second]})
    assert [ref["id"] for ref in vendor[key]] == [first, second]

    replaced = ok(api.patch(f"/vendors/{vendor['id']}", json={"vendor": {field: [third, second, third]}}))
    assert [ref["id"] for ref in replaced[key]] == [second, third]
    assert linked(session, table, vendor["id"], column) == [second, third]

    untouched = ok(api.patch(f"/vendors/{vendor['id']}", json={"vendor": {"name": "Summit 2"}}))
    assert [ref["id"] for ref in untouched[key]] == [second, third]

    cleared = ok(api.patch(f"/vendors/{vendor['id']}", json={"vendor": {field: []}}))
    assert cleared[key] == []
    assert linked(session, table, vendor["id"], column) == []


@pytest.mark.parametrize(("field", "key", "table", "column"), LINK_FIELDS)
def test_unknown_or_foreign_link_ids_are_422(
    api: Api, session: Session, tenant: Tenant, field: str, key: str, table: Any, column: str
) -> None:
    [mine, *_] = _link_targets(api, field)
    other = make_entity(session, tenant)
    [foreign, *_] = _link_targets(api.as_entity(other), field)
    vendor = create_vendor(api, "Summit", **{field: [mine]})

    for wrong in ([mine, 999999], [foreign]):
        body = error(api.patch(f"/vendors/{vendor['id']}", json={"vendor": {field: wrong}}), 422)
        assert f"vendor.{field}" in body["errors"]
        error(api.post("/vendors", json={"vendor": {"name": "New", field: wrong}}), 422)

    assert linked(session, table, vendor["id"], column) == [mine]
    assert db_scalars(session, select(Vendor.name).where(Vendor.entity_id == tenant.entity_id)) == ["Summit"]


def test_vendors_linked_through_assets_ids_show_on_the_asset(api: Api) -> None:
    asset = create_asset(api, "Chiller")
    vendor = create_vendor(api, "Summit", assets_ids=[asset["id"]])

    assert [v["id"] for v in ok(api.get(f"/assets/{asset['id']}"))["vendors"]] == [vendor["id"]]
    [item] = api.get("/assets").json()["data"]
    assert item["vendors"] == [{"id": vendor["id"], "name": "Summit"}]


def test_location_paths_in_vendor_detail_follow_renames(api: Api) -> None:
    building = create_location(api, "Building A")
    room = create_location(api, "Room 1", building["id"])
    vendor = create_vendor(api, "Summit", locations_ids=[room["id"]])

    ok(api.patch(f"/locations/{building['id']}", json={"location": {"name": "Building B"}}))

    assert ok(api.get(f"/vendors/{vendor['id']}"))["locations"] == [
        {"id": room["id"], "name": "Room 1", "path": "Building B > Room 1"}
    ]


# ---- lists ----------------------------------------------------------------------------------------------------


@pytest.fixture
def three_vendors(api: Api, tenant: Tenant) -> dict[str, int]:
    electrical = create_lookup(api, "/categories", "category", "Electrical")["id"]
    hvac = create_lookup(api, "/categories", "category", "HVAC")["id"]
    plant = create_location(api, "Plant")["id"]
    office = create_location(api, "Office")["id"]
    pump = create_asset(api, "Pump")["id"]
    made = {
        "acme": create_vendor(
            api, "Acme Electric", description="Electrical work", is_active=True, assign_to_work_orders=True,
            parts_supplier=False, tax_id="11-1111111", address="1 Main St", rating=3, hourly_rate=40,
            categories_ids=[electrical], locations_ids=[plant], assets_ids=[pump],
        ),
        "summit": create_vendor(
            api, "Summit HVAC", description="HVAC service", is_active=True, assign_to_work_orders=False,
            parts_supplier=True, tax_id="22-2222222", address="2 Side St", rating=5, hourly_rate=32.5,
            categories_ids=[hvac, electrical], locations_ids=[office],
        ),
        "old": create_vendor(
            api, "Old Supplier", is_active=False, assign_to_work_orders=False, parts_supplier=True,
            assets_ids=[pump],
        ),
    }  # fmt: skip
    result = {name: v["id"] for name, v in made.items()}
    result |= {"electrical": electrical, "hvac": hvac, "plant": plant, "office": office, "pump": pump}
    result["admin"] = tenant.admin_id
    return result


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("name_cont", "hvac", {"summit"}),
        ("name_start", "old", {"old"}),
        ("name_eq", "Acme Electric", {"acme"}),
        ("description_cont", "service", {"summit"}),
        ("description_null", "true", {"old"}),
        ("is_active_eq", "false", {"old"}),
        ("is_active_true", "true", {"acme", "summit"}),
        ("assign_to_work_orders_eq", "true", {"acme"}),
        ("parts_supplier_eq", "true", {"summit", "old"}),
        ("tax_id_eq", "22-2222222", {"summit"}),
        ("address_present", "true", {"acme", "summit"}),
        ("rating_gteq", "4", {"summit"}),
        ("rating_null", "true", {"old"}),
        ("hourly_rate_lt", "35", {"summit"}),
        ("hourly_rate_eq", "32.5", {"summit"}),
        ("categories_id_eq", "{electrical}", {"acme", "summit"}),
        ("categories_id_eq", "{hvac}", {"summit"}),
        ("categories_id_null", "true", {"old"}),
        ("locations_id_eq", "{plant}", {"acme"}),
        ("locations_id_in", "{plant},{office}", {"acme", "summit"}),
        ("assets_id_eq", "{pump}", {"acme", "old"}),
        ("assets_id_not_eq", "{pump}", {"summit"}),
        ("created_by_id_eq", "{admin}", {"acme", "summit", "old"}),
        ("updated_by_id_eq", "{admin}", {"acme", "summit", "old"}),
        ("created_at_gteq", "2000-01-01T00:00:00Z", {"acme", "summit", "old"}),
        ("created_at_gt", "2999-01-01T00:00:00Z", set()),
        ("updated_at_lt", "2999-01-01T00:00:00+02:00", {"acme", "summit", "old"}),
        ("id_in", "{acme},{old}", {"acme", "old"}),
    ],
)
def test_filters_select_exactly_the_matching_vendors(
    api: Api, three_vendors: dict[str, int], key: str, value: str, expected: set[str]
) -> None:
    sent = value.format(**three_vendors)

    response = api.get("/vendors", params={f"filter[{key}]": sent})

    assert set(ids(response)) == {three_vendors[name] for name in expected}
    assert response.json()["meta"]["filter"] == {key: sent}
    assert response.json()["meta"]["pagination"]["total"] == len(expected)


def test_default_sort_is_name_and_search_reads_the_text_fields(api: Api, three_vendors: dict[str, int]) -> None:
    v = three_vendors
    assert ids(api.get("/vendors")) == [v["acme"], v["old"], v["summit"]]
    by_rating = api.get("/vendors", params={"sort": "rating desc", "filter[rating_not_null]": "true"})
    assert ids(by_rating) == [v["summit"], v["acme"]]
    assert by_rating.json()["meta"]["sort"] == ["rating desc"]
    assert ids(api.get("/vendors", params={"search": "SERVICE"})) == [v["summit"]]
    assert ids(api.get("/vendors", params={"search": "2 side"})) == [v["summit"]]
    error(api.get("/vendors", params={"filter[colour_eq]": "red"}), 422)
    error(api.get("/vendors", params={"filter[rating_eq]": "five"}), 422)


def test_vendor_list_issues_the_same_number_of_statements_for_any_page_size(
    api: Api, engine: Engine, client: TestClient
) -> None:
    categories = [create_lookup(api, "/categories", "category", f"Cat {i}")["id"] for i in range(3)]
    locations = [create_location(api, f"Loc {i}")["id"] for i in range(3)]
    assets = [create_asset(api, f"Asset {i}")["id"] for i in range(3)]
    for i in range(32):
        create_vendor(
            api,
            f"Vendor {i:02}",
            categories_ids=categories[: 1 + i % 3],
            locations_ids=locations[: 1 + i % 3],
            assets_ids=assets[: 1 + i % 3],
            vendor_contacts_attributes=[{"name": f"C{i}", "is_primary": True}, {"name": f"D{i}"}],
        )
    assert len(api.get("/vendors", params={"per_page": 100}).json()["data"]) == 32  # warm-up

    counts = {}
    for params in (
        {"per_page": 1},
        {"per_page": 100},
        {"per_page": 1, "filter[name_start]": "Vendor"},
        {"per_page": 20, "filter[name_start]": "Vendor"},
    ):
        with statements(engine) as seen:
            assert api.get("/vendors", params=params).status_code == 200
        counts[tuple(params.items())] = len(seen)
    values = list(counts.values())
    assert values[0] == values[1], counts
    assert values[2] == values[3], counts


# ---- roles and entities -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_cannot_create_change_or_delete_vendors(
    api: Api, session: Session, tenant: Tenant, role: str
) -> None:
    vendor = create_vendor(api, "Summit")
    _, token = make_user(session, tenant, role=role)
    user = api.as_key(token)

    error(user.post("/vendors", json={"vendor": {"name": "Mine"}}), 403)
    error(user.patch(f"/vendors/{vendor['id']}", json={"vendor": {"name": "Mine"}}), 403)
    error(user.put(f"/vendors/{vendor['id']}", json={"vendor": {"name": "Mine"}}), 403)
    error(user.delete(f"/vendors/{vendor['id']}"), 403)

    assert db_scalars(session, select(Vendor.name)) == ["Summit"]


def test_technicians_can_read_vendors(api: Api, session: Session, tenant: Tenant) -> None:
    vendor = create_vendor(api, "Summit")
    _, token = make_user(session, tenant, role="technician")

    assert ids(api.as_key(token).get("/vendors")) == [vendor["id"]]
    assert ok(api.as_key(token).get(f"/vendors/{vendor['id']}"))["name"] == "Summit"


def test_limited_admins_can_manage_vendors(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="limited_admin")
    manager = api.as_key(token)

    vendor = ok(manager.post("/vendors", json={"vendor": {"name": "Summit"}}), 201)
    ok(manager.patch(f"/vendors/{vendor['id']}", json={"vendor": {"rating": 3}}))
    assert manager.delete(f"/vendors/{vendor['id']}").status_code == 204
    assert db_get(session, Vendor, vendor["id"]) is None


def test_another_entitys_vendor_is_404_and_never_listed(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    theirs = create_vendor(api.as_entity(other), "Theirs")
    ours = create_vendor(api, "Ours")

    assert ids(api.get("/vendors")) == [ours["id"]]
    assert ids(api.get("/vendors", params={"filter[id_eq]": theirs["id"]})) == []
    assert error(api.get(f"/vendors/{theirs['id']}"), 404)["message"] == "Vendor not found"
    error(api.patch(f"/vendors/{theirs['id']}", json={"vendor": {"name": "Mine"}}), 404)
    error(api.put(f"/vendors/{theirs['id']}", json={"vendor": {"name": "Mine"}}), 404)
    error(api.delete(f"/vendors/{theirs['id']}"), 404)

    stored = db_get(session, Vendor, theirs["id"])
    assert stored is not None and stored.name == "Theirs"


def test_primary_contact_keys_in_asset_detail(api: Api) -> None:
    vendor = create_vendor(api, "Summit", vendor_contacts_attributes=[ROBERT])

    asset = create_asset(api, "Chiller", vendors_ids=[vendor["id"]])

    [ref] = asset["vendors"]
    assert set(ref) == {"id", "name", "primary_contact"}
    assert set(ref["primary_contact"]) == PRIMARY_CONTACT_KEYS
    assert ref["primary_contact"] == {
        "id": vendor["vendor_contacts"][0]["id"],
        "name": "Robert Smith",
        "email": "robert_smith@example.com",
        "phone": "1-493-480-9163",
        "extension": "989",
    }
