"""Locations: documented create/list/get/update, the parent tree with path/root_id/has_children, lists, roles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    LIST_META,
    LOCATION_DETAIL_KEYS,
    LOCATION_LIST_KEYS,
    TIMESTAMP,
    create_asset,
    create_location,
    db_get,
    db_rows,
    db_scalars,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user, statements
from wrenchwork.models import Location


def tree_in_db(session: Session) -> dict[str, tuple[int | None, int | None, str]]:
    """{name: (parent_id, root_id, path)} of every location."""
    rows = db_rows(session, select(Location.name, Location.parent_id, Location.root_id, Location.path))
    return {name: (parent_id, root_id, path) for name, parent_id, root_id, path in rows}


def test_create_top_level_location_answers_the_documented_detail(api: Api, session: Session, tenant: Tenant) -> None:
    response = api.post(
        "/locations",
        json={"location": {"name": "Building A", "description": "Head office", "address": "101-123 Example St"}},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body["meta"]) == {"entity", "customer"}
    data = body["data"]
    assert set(data) == LOCATION_DETAIL_KEYS
    assert TIMESTAMP.match(data.pop("created_at")) and TIMESTAMP.match(data.pop("updated_at"))
    assert data == {
        "id": data["id"],
        "name": "Building A",
        "description": "Head office",
        "address": "101-123 Example St",
        "parent": None,
        "root_id": data["id"],
        "path": "Building A",
        "has_children": False,
        "qr_code": None,
        "images": [],
        "documents": [],
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }
    stored = db_get(session, Location, data["id"])
    assert stored is not None
    assert (stored.entity_id, stored.parent_id, stored.root_id, stored.path) == (
        tenant.entity_id,
        None,
        data["id"],
        "Building A",
    )


def test_child_locations_carry_parent_root_and_path(api: Api, session: Session) -> None:
    building = create_location(api, "Building A")
    room = create_location(
        api,
        "Main Conference Room",
        building["id"],
        description="Large conference room with projector and whiteboard. Seats up to 12 people.",
    )
    desk = create_location(api, "Desk 3", room["id"])

    assert room["parent"] == {"id": building["id"], "name": "Building A"}
    assert (room["root_id"], room["path"], room["has_children"]) == (
        building["id"],
        "Building A > Main Conference Room",
        False,
    )
    assert desk["parent"] == {"id": room["id"], "name": "Main Conference Room"}
    assert (desk["root_id"], desk["path"]) == (building["id"], "Building A > Main Conference Room > Desk 3")
    assert ok(api.get(f"/locations/{building['id']}"))["has_children"] is True
    # Assets at a location are not its children.
    store = create_location(api, "Store")
    create_asset(api, "Shelf", location_id=store["id"])
    assert ok(api.get(f"/locations/{store['id']}"))["has_children"] is False
    fetched_room = ok(api.get(f"/locations/{room['id']}"))
    assert fetched_room["has_children"] is True
    assert fetched_room["path"] == "Building A > Main Conference Room"
    assert tree_in_db(session) == {
        "Store": (None, store["id"], "Store"),
        "Building A": (None, building["id"], "Building A"),
        "Main Conference Room": (building["id"], building["id"], "Building A > Main Conference Room"),
        "Desk 3": (room["id"], building["id"], "Building A > Main Conference Room > Desk 3"),
    }


def test_list_items_have_the_documented_shape(api: Api) -> None:
    building = create_location(api, "Building A")
    room = create_location(api, "Main Conference Room", building["id"], address="101-123 Example St")

    response = api.get("/locations")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["meta"]) == LIST_META
    assert body["meta"]["sort"] == ["name asc"]
    assert body["meta"]["pagination"] == {"total": 2, "page": 1, "per_page": 50, "total_pages": 1}
    assert [set(item) for item in body["data"]] == [LOCATION_LIST_KEYS, LOCATION_LIST_KEYS]
    first, second = body["data"]
    assert first["id"] == building["id"] and first["parent"] is None
    assert {k: v for k, v in second.items() if k not in ("created_at", "updated_at")} == {
        "id": room["id"],
        "name": "Main Conference Room",
        "description": None,
        "address": "101-123 Example St",
        "parent": {"id": building["id"], "name": "Building A"},
        "path": "Building A > Main Conference Room",
        "qr_code": None,
        "image": {"small": None, "medium": None},
    }
    assert TIMESTAMP.match(second["created_at"]) and TIMESTAMP.match(second["updated_at"])


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_the_fields_sent(api: Api, session: Session, tenant: Tenant, method: str) -> None:
    location = create_location(api, "Room", description="Old", address="1 Main St")
    manager_id, token = make_user(session, tenant, role="limited_admin")

    data = ok(
        getattr(api.as_key(token), method)(
            f"/locations/{location['id']}", json={"location": {"description": None, "address": "2 Main St"}}
        )
    )

    assert (data["name"], data["description"], data["address"], data["path"]) == ("Room", None, "2 Main St", "Room")
    assert (data["created_by_id"], data["updated_by_id"]) == (tenant.admin_id, manager_id)
    stored = db_get(session, Location, location["id"])
    assert stored is not None
    assert (stored.description, stored.address, stored.updated_by_id) == (None, "2 Main St", manager_id)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"name": None}, id="null-name"),
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"name": "x" * 201}, id="long-name"),
        pytest.param({"floor": 3}, id="unknown-field"),
        pytest.param({"parent_id": "abc"}, id="parent-not-an-id"),
        pytest.param({"parent_id": 0}, id="parent-zero"),
    ],
)
def test_invalid_updates_are_422(api: Api, session: Session, fields: dict[str, Any]) -> None:
    location = create_location(api, "Room")

    error(api.patch(f"/locations/{location['id']}", json={"location": fields}), 422)

    assert tree_in_db(session) == {"Room": (None, location["id"], "Room")}


def test_create_needs_a_wrapped_name(api: Api, session: Session) -> None:
    error(api.post("/locations", json={"location": {"description": "x"}}), 422)
    error(api.post("/locations", json={"name": "Room"}), 422)

    assert db_scalars(session, select(func.count()).select_from(Location)) == [0]


# ---- hierarchy rules ------------------------------------------------------------------------------------------


def test_a_missing_or_foreign_parent_is_422_on_create(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    foreign = create_location(api.as_entity(other), "Elsewhere")

    for parent_id in (999999, foreign["id"]):
        body = error(api.post("/locations", json={"location": {"name": "Room", "parent_id": parent_id}}), 422)
        assert "location.parent_id" in body["errors"]

    assert db_scalars(session, select(Location.name).where(Location.entity_id == tenant.entity_id)) == []


@pytest.mark.parametrize("target", ["self", "child", "grandchild", "missing", "foreign"])
def test_a_parent_that_makes_a_cycle_or_is_not_here_is_422_on_update(
    api: Api, session: Session, tenant: Tenant, target: str
) -> None:
    top = create_location(api, "Top")
    child = create_location(api, "Child", top["id"])
    grandchild = create_location(api, "Grandchild", child["id"])
    other = make_entity(session, tenant)
    foreign = create_location(api.as_entity(other), "Elsewhere")
    parent_id = {
        "self": top["id"],
        "child": child["id"],
        "grandchild": grandchild["id"],
        "missing": 999999,
        "foreign": foreign["id"],
    }[target]
    before = tree_in_db(session)

    body = error(api.patch(f"/locations/{top['id']}", json={"location": {"parent_id": parent_id}}), 422)

    assert "location.parent_id" in body["errors"]
    assert tree_in_db(session) == before


def test_renaming_a_location_rewrites_every_descendant_path_and_asset_reference(api: Api, session: Session) -> None:
    building = create_location(api, "Building A")
    floor = create_location(api, "Floor 1", building["id"])
    room = create_location(api, "Room 101", floor["id"])
    other = create_location(api, "Building B")
    in_room = create_asset(api, "Projector", location_id=room["id"])
    on_floor = create_asset(api, "Copier", location_id=floor["id"])

    renamed = ok(api.patch(f"/locations/{building['id']}", json={"location": {"name": "HQ"}}))

    assert renamed["path"] == "HQ"
    assert ok(api.get(f"/locations/{floor['id']}"))["path"] == "HQ > Floor 1"
    assert ok(api.get(f"/locations/{room['id']}"))["path"] == "HQ > Floor 1 > Room 101"
    assert ok(api.get(f"/locations/{room['id']}"))["parent"] == {"id": floor["id"], "name": "Floor 1"}
    assert ok(api.get(f"/locations/{floor['id']}"))["parent"] == {"id": building["id"], "name": "HQ"}
    assert ok(api.get(f"/assets/{in_room['id']}"))["location"] == {
        "id": room["id"],
        "name": "Room 101",
        "path": "HQ > Floor 1 > Room 101",
    }
    listed = {a["id"]: a["location"] for a in api.get("/assets").json()["data"]}
    assert listed == {
        in_room["id"]: {"id": room["id"], "name": "Room 101", "path": "HQ > Floor 1 > Room 101"},
        on_floor["id"]: {"id": floor["id"], "name": "Floor 1", "path": "HQ > Floor 1"},
    }
    by_id = {item["id"]: item["path"] for item in api.get("/locations").json()["data"]}
    assert by_id == {
        building["id"]: "HQ",
        floor["id"]: "HQ > Floor 1",
        room["id"]: "HQ > Floor 1 > Room 101",
        other["id"]: "Building B",
    }
    assert tree_in_db(session) == {
        "HQ": (None, building["id"], "HQ"),
        "Floor 1": (building["id"], building["id"], "HQ > Floor 1"),
        "Room 101": (floor["id"], building["id"], "HQ > Floor 1 > Room 101"),
        "Building B": (None, other["id"], "Building B"),
    }

    # Renaming a middle node leaves its ancestors alone.
    ok(api.put(f"/locations/{floor['id']}", json={"location": {"name": "Level 1"}}))
    assert ok(api.get(f"/assets/{in_room['id']}"))["location"]["path"] == "HQ > Level 1 > Room 101"
    assert tree_in_db(session)["Room 101"] == (floor["id"], building["id"], "HQ > Level 1 > Room 101")
    assert tree_in_db(session)["HQ"] == (None, building["id"], "HQ")


def test_moving_a_location_moves_its_subtree(api: Api, session: Session) -> None:
    building_a = create_location(api, "Building A")
    building_b = create_location(api, "Building B")
    floor = create_location(api, "Floor 1", building_a["id"])
    room = create_location(api, "Room 101", floor["id"])
    asset = create_asset(api, "Projector", location_id=room["id"])

    moved = ok(api.patch(f"/locations/{floor['id']}", json={"location": {"parent_id": building_b["id"]}}))

    assert moved["parent"] == {"id": building_b["id"], "name": "Building B"}
    assert (moved["root_id"], moved["path"], moved["has_children"]) == (building_b["id"], "Building B > Floor 1", True)
    room_now = ok(api.get(f"/locations/{room['id']}"))
    assert (room_now["root_id"], room_now["path"]) == (building_b["id"], "Building B > Floor 1 > Room 101")
    assert ok(api.get(f"/locations/{building_a['id']}"))["has_children"] is False
    assert ok(api.get(f"/locations/{building_b['id']}"))["has_children"] is True
    assert ok(api.get(f"/assets/{asset['id']}"))["location"]["path"] == "Building B > Floor 1 > Room 101"
    assert tree_in_db(session)["Room 101"] == (floor["id"], building_b["id"], "Building B > Floor 1 > Room 101")

    # "parent_id": null makes it top-level; its subtree follows.
    top = ok(api.patch(f"/locations/{floor['id']}", json={"location": {"parent_id": None, "name": "Annex"}}))
    assert (top["parent"], top["root_id"], top["path"]) == (None, floor["id"], "Annex")
    assert tree_in_db(session) == {
        "Building A": (None, building_a["id"], "Building A"),
        "Building B": (None, building_b["id"], "Building B"),
        "Annex": (None, floor["id"], "Annex"),
        "Room 101": (floor["id"], floor["id"], "Annex > Room 101"),
    }
    assert ok(api.get(f"/assets/{asset['id']}"))["location"]["path"] == "Annex > Room 101"


def test_moving_under_a_sibling_subtree_keeps_paths_consistent(api: Api, session: Session) -> None:
    site = create_location(api, "Site")
    a = create_location(api, "A", site["id"])
    b = create_location(api, "B", site["id"])
    a1 = create_location(api, "A1", a["id"])

    ok(api.patch(f"/locations/{a['id']}", json={"location": {"parent_id": b["id"]}}))

    assert tree_in_db(session) == {
        "Site": (None, site["id"], "Site"),
        "B": (site["id"], site["id"], "Site > B"),
        "A": (b["id"], site["id"], "Site > B > A"),
        "A1": (a["id"], site["id"], "Site > B > A > A1"),
    }
    # The old ancestor cannot now move under its former child's new subtree.
    error(api.patch(f"/locations/{b['id']}", json={"location": {"parent_id": a1["id"]}}), 422)


# ---- lists ----------------------------------------------------------------------------------------------------


@pytest.fixture
def places(api: Api, tenant: Tenant) -> dict[str, int]:
    plant = create_location(api, "Plant", description="Main plant", address="1 Factory Rd")
    hall = create_location(api, "Hall 2", plant["id"], address="1 Factory Rd")
    cell = create_location(api, "Cell 7", hall["id"], description="Welding cell")
    office = create_location(api, "Office")
    return {
        "plant": plant["id"],
        "hall": hall["id"],
        "cell": cell["id"],
        "office": office["id"],
        "admin": tenant.admin_id,
    }


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("parent_id_eq", "{plant}", {"hall"}),
        ("parent_id_null", "true", {"plant", "office"}),
        ("parent_id_in", "{plant},{hall}", {"hall", "cell"}),
        ("root_id_eq", "{plant}", {"plant", "hall", "cell"}),
        ("root_id_eq", "{office}", {"office"}),
        ("name_cont", "ALL", {"hall"}),
        ("name_eq", "Office", {"office"}),
        ("path_start", "Plant > Hall 2", {"hall", "cell"}),
        ("path_end", "Cell 7", {"cell"}),
        ("description_null", "true", {"hall", "office"}),
        ("description_cont", "weld", {"cell"}),
        ("address_eq", "1 Factory Rd", {"plant", "hall"}),
        ("address_blank", "true", {"cell", "office"}),
        ("id_not_in", "{plant},{office}", {"hall", "cell"}),
        ("created_by_id_eq", "{admin}", {"plant", "hall", "cell", "office"}),
        ("updated_by_id_eq", "{admin}", {"plant", "hall", "cell", "office"}),
        ("created_at_gteq", "2000-01-01T00:00:00Z", {"plant", "hall", "cell", "office"}),
        ("created_at_gt", "2999-01-01T00:00:00Z", set()),
        ("updated_at_lt", "2999-01-01T00:00:00+02:00", {"plant", "hall", "cell", "office"}),
        ("qr_code_null", "true", {"plant", "hall", "cell", "office"}),
    ],
)
def test_filters_select_exactly_the_matching_locations(
    api: Api, places: dict[str, int], key: str, value: str, expected: set[str]
) -> None:
    sent = value.format(**places)

    response = api.get("/locations", params={f"filter[{key}]": sent})

    assert set(ids(response)) == {places[name] for name in expected}
    assert response.json()["meta"]["filter"] == {key: sent}


def test_default_sort_is_name_asc_and_paging_works(api: Api, places: dict[str, int]) -> None:
    p = places
    assert ids(api.get("/locations")) == [p["cell"], p["hall"], p["office"], p["plant"]]
    assert ids(api.get("/locations", params={"sort": "path asc"})) == [p["office"], p["plant"], p["hall"], p["cell"]]
    second = api.get("/locations", params={"per_page": 3, "page": 2})
    assert ids(second) == [p["plant"]]
    assert second.json()["meta"]["pagination"] == {"total": 4, "page": 2, "per_page": 3, "total_pages": 2}
    assert ids(api.get("/locations", params={"search": "factory"})) == [p["hall"], p["plant"]]
    ecole = create_location(api, "École Annex")
    assert ids(api.get("/locations", params={"search": "école"})) == [ecole["id"]]
    assert ids(api.get("/locations", params={"filter[name_start]": "ÉCOLE"})) == [ecole["id"]]
    error(api.get("/locations", params={"sort": "colour asc"}), 422)
    error(api.get("/locations", params={"filter[parent_id_eq]": "x"}), 422)


def test_location_list_issues_the_same_number_of_statements_for_any_page_size(
    api: Api, engine: Engine, client: TestClient
) -> None:
    roots = [create_location(api, f"Root {i}")["id"] for i in range(3)]
    for i in range(30):
        create_location(api, f"Room {i:02}", roots[i % 3])
    api.get("/locations")  # warm-up

    counts = []
    for params in ({"per_page": 1}, {"per_page": 100}, {"per_page": 1, "filter[parent_id_not_null]": "true"}):
        with statements(engine) as seen:
            assert api.get("/locations", params=params).status_code == 200
        counts.append(len(seen))
    params = {"per_page": 25, "filter[parent_id_not_null]": "true"}
    with statements(engine) as seen:
        assert len(api.get("/locations", params=params).json()["data"]) == 25
    counts.append(len(seen))

    assert counts[0] == counts[1], counts
    assert counts[2] == counts[3], counts


# ---- roles and entities ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_technicians_and_requesters_cannot_create_change_or_delete_locations(
    api: Api, session: Session, tenant: Tenant, role: str
) -> None:
    location = create_location(api, "Room")
    _, token = make_user(session, tenant, role=role)
    user = api.as_key(token)

    error(user.post("/locations", json={"location": {"name": "Mine"}}), 403)
    error(user.patch(f"/locations/{location['id']}", json={"location": {"name": "Mine"}}), 403)
    error(user.put(f"/locations/{location['id']}", json={"location": {"name": "Mine"}}), 403)
    error(user.delete(f"/locations/{location['id']}"), 403)

    assert tree_in_db(session) == {"Room": (None, location["id"], "Room")}


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_every_role_can_read_locations(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    location = create_location(api, "Room")
    _, token = make_user(session, tenant, role=role)

    assert ids(api.as_key(token).get("/locations")) == [location["id"]]
    assert ok(api.as_key(token).get(f"/locations/{location['id']}"))["name"] == "Room"


def test_limited_admins_can_manage_locations(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="limited_admin")
    manager = api.as_key(token)

    location = ok(manager.post("/locations", json={"location": {"name": "Room"}}), 201)
    ok(manager.patch(f"/locations/{location['id']}", json={"location": {"name": "Room 2"}}))
    assert manager.delete(f"/locations/{location['id']}").status_code == 204
    assert db_get(session, Location, location["id"]) is None


def test_another_entitys_location_is_404_and_never_listed(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    theirs = create_location(api.as_entity(other), "Theirs")
    ours = create_location(api, "Ours")

    assert ids(api.get("/locations")) == [ours["id"]]
    assert ids(api.get("/locations", params={"filter[id_eq]": theirs["id"]})) == []
    assert error(api.get(f"/locations/{theirs['id']}"), 404)["message"] == "Location not found"
    error(api.patch(f"/locations/{theirs['id']}", json={"location": {"name": "Mine"}}), 404)
    error(api.put(f"/locations/{theirs['id']}", json={"location": {"name": "Mine"}}), 404)
    error(api.delete(f"/locations/{theirs['id']}"), 404)

    stored = db_get(session, Location, theirs["id"])
    assert stored is not None and stored.name == "Theirs"
