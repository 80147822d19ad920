"""`wrenchwork demo`: the demo data set goes into an entity of its own and never touches the records that were
there before, even with --force."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.catalog.support import ok as ok_response
from tests.cli.support import Cli, init_token, ok, refused, snapshot
from tests.helpers import Api
from wrenchwork.models import ApiKey, Asset, Customer, Entity, Part, User, UserRole, WorkOrder, WorkOrderPart

LOADED = (
    "6 users, 12 locations, 4 vendors and 14 assets, 7 parts with 20 ledger lines, 3 procedure templates, "
    "7 work orders, 5 requests, 6 PM schedules, 8 files."
)
Db = Callable[[Any], list[Any]]


def real_data(
    api: Api, colleague: str = "tia.ng@example.com", asset_code: str = "WP-1", part_number: str = "SEAL-32"
) -> dict[str, Any]:
    """What a team has entered in its entity before trying the demo: a site, a pump, its spare seal with 13 in
    stock, and a colleague."""
    room = ok_response(api.post("/locations", json={"location": {"name": "Pump house"}}), 201)
    pump = ok_response(
        api.post("/assets", json={"asset": {"name": "Well pump", "asset_code": asset_code, "location_id": room["id"]}}),
        201,
    )
    seal = ok_response(
        api.post(
            "/parts",
            json={"part": {"name": "Pump seal", "number": part_number, "on_hand_qty": 13, "unit_cost": "21.50",
                           "assets_ids": [pump["id"]]}},
        ),
        201,
    )  # fmt: skip
    user = ok_response(api.post("/users", json={"user": {"name": "Colleague", "email": colleague}}), 201)
    return {"room": room, "pump": pump, "seal": seal, "user": user}


def unchanged(before: dict[str, set[str]], after: dict[str, set[str]]) -> None:
    """Every row there before is still there, value for value (rows may only have been added)."""
    for table, rows in before.items():
        assert rows <= after[table], (table, rows - after[table])


def test_demo_loads_into_an_entity_of_its_own(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))

    output = ok(wrenchwork.invoke("demo"))

    assert output == f"Demo data loaded into entity 'North Warehouse' (id 2): {LOADED}\n"
    main, warehouse = Api(served, token, 1), Api(served, token, 2)
    listed = ok_response(main.as_entity(None).get("/entities"))
    assert [(e["id"], e["name"]) for e in listed] == [(1, "Main Facility"), (2, "North Warehouse")]
    assert listed[0]["description"] is None and listed[0]["address"] is None
    assert listed[1]["timezone"].startswith("America/Chicago: -0")
    for resource, count in [("locations", 12), ("assets", 14), ("parts", 7), ("work_orders", 10), ("vendors", 4)]:
        assert main.get(f"/{resource}").json()["meta"]["pagination"]["total"] == 0, resource
        assert warehouse.get(f"/{resource}").json()["meta"]["pagination"]["total"] == count, resource
    roles = {tuple(r) for r in db(select(User.email, UserRole.role, UserRole.entity_id).join(UserRole))}
    assert roles == {
        ("admin@example.com", "admin", 1),
        ("admin@example.com", "admin", 2),  # whoever creates an entity becomes its admin, as with POST /entities
        ("maria.lopez@example.com", "limited_admin", 2),
        ("james.carter@example.com", "technician", 2),
        ("aisha.khan@example.com", "technician", 2),
        ("tom.novak@example.com", "technician", 2),
        ("priya.shah@example.com", "technician", 2),
        ("daniel.brooks@example.com", "requester", 2),
    }
    tom = ok_response(warehouse.get("/users", params={"filter[email_eq]": "tom.novak@example.com"}))[0]
    assert (tom["regular_rate"], tom["overtime_rate1"], tom["overtime_rate2"]) == (39.75, 59.63, 79.5)
    assert tom["created_by_id"] == 1


def test_demo_never_touches_existing_records(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    main = Api(served, token, 1)
    real = real_data(main)
    before = snapshot(db)

    output = ok(wrenchwork.invoke("demo"))

    seal = ok_response(main.get(f"/parts/{real['seal']['id']}"))
    assert (seal["on_hand_qty"], seal["reserved"]) == (13, 0)
    unchanged(before, snapshot(db))
    assert output.startswith("Demo data loaded into entity 'North Warehouse' (id 2)")
    assert [t["type"] for t in ok_response(main.get(f"/parts/{real['seal']['id']}/transactions"))] == ["initial"]
    assert [p["id"] for p in ok_response(main.get("/parts"))] == [real["seal"]["id"]]
    assert [a["id"] for a in ok_response(main.get("/assets"))] == [real["pump"]["id"]]
    assert [loc["id"] for loc in ok_response(main.get("/locations"))] == [real["room"]["id"]]
    assert ok_response(main.get("/work_orders")) == []
    demo_parts = ok_response(main.as_entity(2).get("/parts", params={"per_page": 100}))
    assert len(demo_parts) == 7 and real["seal"]["id"] not in {p["id"] for p in demo_parts}


def test_demo_leaves_a_user_with_a_demo_address_alone(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    main = Api(served, token, 1)
    maria = real_data(main, colleague="maria.lopez@example.com")["user"]
    before = snapshot(db)

    ok(wrenchwork.invoke("demo"))

    unchanged(before, snapshot(db))
    # The colleague keeps her one role and gains none; the demo's own Maria has a tagged address.
    permissions = ok_response(main.get(f"/users/{maria['id']}"))["permissions"]
    assert [(p["entity_id"], p["role"]) for p in permissions] == [(1, "technician")]
    demo_team = ok_response(main.as_entity(2).get("/users", params={"per_page": 100}))
    assert "maria.lopez+2@example.com" in {u["email"] for u in demo_team}
    assert maria["id"] not in {u["id"] for u in demo_team}


def test_demo_refuses_an_entity_that_holds_data(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    real_data(Api(served, token, 1))
    before = snapshot(db)

    result = wrenchwork.invoke("demo", "--entity", "Main Facility")

    assert refused(result, 1) == (
        "Error: Entity 'Main Facility' (id 1) already holds data, and the demo loads into an entity of its own: "
        "name a new one with --entity, or add the demo to this one with --force\n"
    )
    assert snapshot(db) == before


def test_demo_twice_is_refused_the_second_time(wrenchwork: Cli, db: Db) -> None:
    ok(wrenchwork.invoke("demo"))
    before = snapshot(db)

    stderr = refused(wrenchwork.invoke("demo"), 1)

    assert stderr.startswith("Error: Entity 'North Warehouse' (id 2) already holds data")
    assert snapshot(db) == before


def test_demo_into_a_named_entity(wrenchwork: Cli, db: Db) -> None:
    ok(wrenchwork.invoke("init"))

    created = ok(wrenchwork.invoke("demo", "--entity", "Training Plant"))
    empty = ok(wrenchwork.invoke("demo", "--entity", "Main Facility"))  # holds nothing yet: no --force needed

    assert created == f"Demo data loaded into entity 'Training Plant' (id 2): {LOADED}\n"
    assert empty == f"Demo data loaded into entity 'Main Facility' (id 1): {LOADED}\n"
    assert [tuple(r) for r in db(select(Entity.id, Entity.name).order_by(Entity.id))] == [
        (1, "Main Facility"),
        (2, "Training Plant"),
    ]
    per_entity = db(select(WorkOrder.entity_id, func.count()).group_by(WorkOrder.entity_id).order_by("entity_id"))
    assert [tuple(r) for r in per_entity] == [(1, 10), (2, 10)]
    # The second team got tagged addresses: each e-mail stays unique in the customer.
    assert db(select(func.count(User.id)).where(User.email == "james.carter+2@example.com"))[0][0] == 1


def test_demo_force_adds_next_to_existing_data_and_changes_none(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    main = Api(served, token, 1)
    real = real_data(main, asset_code="PMP-007", part_number="SEA-0032")  # the demo's own code and number
    # Lookups the demo also uses: it reuses them as they are.
    hvac = ok_response(main.post("/categories", json={"category": {"name": "HVAC"}}), 201)
    ok_response(main.post("/storerooms", json={"storeroom": {"name": "Main storeroom"}}), 201)
    before = snapshot(db)

    output = ok(wrenchwork.invoke("demo", "--entity", "Main Facility", "--force"))

    assert output.startswith("Demo data loaded into entity 'Main Facility' (id 1): ")
    unchanged(before, snapshot(db))
    seal = ok_response(main.get(f"/parts/{real['seal']['id']}"))
    assert (seal["on_hand_qty"], seal["reserved"], seal["assets"]) == (
        13,
        0,
        [{"id": real["pump"]["id"], "name": "Well pump"}],
    )
    assert db(select(func.count(WorkOrderPart.id)).where(WorkOrderPart.part_id == real["seal"]["id"]))[0][0] == 0
    demo_parts = db(select(Part.number).where(Part.entity_id == 1).order_by(Part.id))
    numbers = [r[0] for r in demo_parts]
    assert numbers[:2] == ["SEA-0032", "FLT-2424"]  # the real seal, then the demo's own parts
    assert "SEA-0032-2" in numbers  # the demo's seal, numbered next to the real one
    codes = db(select(Asset.asset_code).where(Asset.entity_id == 1, Asset.name == "Transfer Pump"))
    assert [r[0] for r in codes] == ["PMP-007-2"]
    vendors = ok_response(main.get("/vendors", params={"filter[categories_id_eq]": str(hvac["id"])}))
    assert [v["name"] for v in vendors] == ["Summit HVAC & Refrigeration"]


def test_demo_refuses_two_entities_of_one_name(wrenchwork: Cli, db: Db, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    ok_response(Api(served, token, 1).post("/entities", json={"entity": {"name": "Main Facility"}}), 201)
    before = snapshot(db)

    stderr = refused(wrenchwork.invoke("demo", "--entity", "Main Facility"), 1)

    assert stderr == "Error: 2 entities are named 'Main Facility': name one that is unique\n"
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "string should have at least 1 character"), ("x" * 201, "string should have at most 200 characters")],
)
def test_demo_refuses_an_entity_name_the_api_refuses(wrenchwork: Cli, db: Db, name: str, message: str) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    assert refused(wrenchwork.invoke("demo", "--entity", name), 2) == f"Error: --entity: {message}\n"
    assert snapshot(db) == before


def test_demo_on_an_empty_database_bootstraps_first(wrenchwork: Cli, db: Db) -> None:
    output = ok(wrenchwork.invoke("demo"))

    init_token(output)
    assert output.endswith(f"Demo data loaded into entity 'North Warehouse' (id 2): {LOADED}\n")
    assert db(select(func.count(Customer.id)))[0][0] == 1
    assert db(select(func.count(Entity.id)))[0][0] == 2
    assert db(select(func.count(ApiKey.id)))[0][0] == 1
