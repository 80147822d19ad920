"""Custom work order statuses (extension): ids above the built-in ones, mapped behaviour, guarded changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import db_get, db_scalars, error, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.work_orders.support import create_work_order, update_work_order
from wrenchwork.models import WorkOrder, WorkOrderStatus

STATUS_KEYS = {"id", "name", "is_custom", "base_status_id", "base_status", "created_at", "updated_at"}


def create_status(api: Api, name: str, base: int) -> dict[str, Any]:
    return ok(api.post("/work_order_statuses", json={"work_order_status": {"name": name, "base_status_id": base}}), 201)


def test_custom_statuses_take_ids_above_the_built_in_ones(api: Api, session: Session, tenant: Tenant) -> None:
    waiting = create_status(api, "Waiting for parts", 3)
    signed = create_status(api, "Signed off", 5)

    assert set(waiting) == STATUS_KEYS
    assert waiting["id"] >= 6 and signed["id"] > waiting["id"]
    assert (waiting["is_custom"], waiting["base_status_id"], waiting["base_status"]) == (True, 3, "on_hold")
    listed = api.get("/work_order_statuses").json()
    assert [s["id"] for s in listed["data"]] == [1, 2, 3, 4, 5, waiting["id"], signed["id"]]
    assert ok(api.get(f"/work_order_statuses/{waiting['id']}")) == waiting
    # Another entity's statuses are its own; the built-in ones are everyone's.
    other = api.as_entity(make_entity(session, tenant))
    error(other.get(f"/work_order_statuses/{waiting['id']}"), 404)
    assert [s["id"] for s in other.get("/work_order_statuses").json()["data"]] == [1, 2, 3, 4, 5]


def test_a_work_order_in_a_custom_status_behaves_like_its_base(api: Api, session: Session) -> None:
    signed = create_status(api, "Signed off", 5)
    waiting = create_status(api, "Waiting for parts", 3)

    done = create_work_order(api, status_id=signed["id"])

    assert done["status"] == {"id": signed["id"], "name": "Signed off", "is_custom": True}
    assert done["completed_at"] is not None
    row = db_get(session, WorkOrder, done["id"])
    assert row is not None and (row.status_id, row.base_status) == (signed["id"], "completed")

    held = update_work_order(api, done["id"], status_id=waiting["id"])
    assert held["status"] == {"id": waiting["id"], "name": "Waiting for parts", "is_custom": True}
    assert held["completed_at"] is None
    row = db_get(session, WorkOrder, done["id"])
    assert row is not None and row.base_status == "on_hold"
    # Renaming shows at once.
    ok(api.patch(f"/work_order_statuses/{waiting['id']}", json={"work_order_status": {"name": "Parts on order"}}))
    assert ok(api.get(f"/work_orders/{done['id']}"))["status"]["name"] == "Parts on order"
    listed = api.get("/work_orders", params={"filter[status_id_eq]": str(waiting["id"])}).json()["data"]
    assert [i["id"] for i in listed] == [done["id"]]


def test_a_status_of_another_entity_cannot_be_used(api: Api, session: Session, tenant: Tenant) -> None:
    other = api.as_entity(make_entity(session, tenant))
    foreign = create_status(other, "Theirs", 2)
    response = api.post("/work_orders", json={"work_order": {"title": "x", "status_id": foreign["id"]}})
    assert "work_order.status_id" in error(response, 422)["errors"]


def test_delete_and_base_change_are_refused_while_in_use(api: Api, session: Session) -> None:
    status = create_status(api, "Waiting", 3)
    created = create_work_order(api, status_id=status["id"])
    path = f"/work_order_statuses/{status['id']}"

    assert "1 work orders" in error(api.delete(path), 409)["message"]
    error(api.patch(path, json={"work_order_status": {"base_status_id": 5}}), 409)
    # The same base is no change.
    assert ok(api.patch(path, json={"work_order_status": {"base_status_id": 3}}))["base_status_id"] == 3

    update_work_order(api, created["id"], status_id=1)
    assert ok(api.patch(path, json={"work_order_status": {"base_status_id": 2}}))["base_status"] == "in_progress"
    response = api.delete(path)
    assert response.status_code == 204 and response.content == b""
    assert db_scalars(session, select(WorkOrderStatus.id)) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"name": "Open", "base_status_id": 1}, 409, id="built-in-name"),
        pytest.param({"name": "waiting", "base_status_id": 1}, 409, id="taken-ignoring-case"),
        pytest.param({"name": "X", "base_status_id": 6}, 422, id="base-not-built-in"),
        pytest.param({"name": "X"}, 422, id="base-missing"),
        pytest.param({"name": "", "base_status_id": 1}, 422, id="empty-name"),
        pytest.param({"name": "X", "base_status_id": "1"}, 422, id="base-not-int"),
    ],
)
def test_invalid_statuses(api: Api, session: Session, body: dict[str, Any], status: int) -> None:
    create_status(api, "Waiting", 3)
    error(api.post("/work_order_statuses", json={"work_order_status": body}), status)
    assert len(db_scalars(session, select(WorkOrderStatus.id))) == 1


# ---- the built-in statuses in the list and detail ---------------------------------------------------------------

BUILT_IN = [(1, "open"), (2, "in_progress"), (3, "on_hold"), (4, "cancelled"), (5, "completed")]


def built_in_item(id_: int, name: str, entity_created_at: str) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "is_custom": False,
        "base_status_id": id_,
        "base_status": name,
        "created_at": entity_created_at,
        "updated_at": entity_created_at,
    }


def entity_created_at(api: Api) -> str:
    entities = api.as_entity(None).get("/entities").json()["data"]
    created: str = next(e["created_at"] for e in entities if e["id"] == api.entity_id)
    return created


def listed(api: Api, **params: str) -> tuple[list[Any], int]:
    response = api.get("/work_order_statuses", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["id"] for item in body["data"]], body["meta"]["pagination"]["total"]


def test_a_fresh_entity_lists_the_five_built_in_statuses(api: Api) -> None:
    created = entity_created_at(api)

    response = api.get("/work_order_statuses")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == [built_in_item(id_, name, created) for id_, name in BUILT_IN]
    assert body["meta"]["pagination"] == {"total": 5, "page": 1, "per_page": 50, "total_pages": 1}
    assert body["meta"]["sort"] == ["id asc"]
    assert ok(api.get("/work_order_statuses/5")) == built_in_item(5, "completed", created)
    assert ok(api.get("/work_order_statuses/1")) == built_in_item(1, "open", created)
    error(api.get("/work_order_statuses/6"), 404)


def test_technicians_see_the_built_in_statuses_too(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="technician")
    technician = api.as_key(token)
    assert listed(technician) == ([1, 2, 3, 4, 5], 5)
    assert ok(technician.get("/work_order_statuses/3"))["name"] == "on_hold"


def test_the_list_mechanism_treats_built_in_and_custom_statuses_alike(api: Api) -> None:
    waiting = create_status(api, "waiting for parts", 3)["id"]
    signed = create_status(api, "signed off", 5)["id"]
    archived = create_status(api, "archived", 4)["id"]

    assert listed(api) == ([1, 2, 3, 4, 5, waiting, signed, archived], 8)
    assert listed(api, **{"filter[is_custom_eq]": "false"}) == ([1, 2, 3, 4, 5], 5)
    assert listed(api, **{"filter[is_custom_true]": "true"}) == ([waiting, signed, archived], 3)
    assert listed(api, **{"filter[base_status_eq]": "completed"}) == ([5, signed], 2)
    assert listed(api, **{"filter[base_status_id_in]": "3,4"}) == ([3, 4, waiting, archived], 4)
    assert listed(api, **{"filter[id_gteq]": "5", "sort": "id desc"}) == ([archived, signed, waiting, 5], 4)
    assert listed(api, search="o") == ([1, 2, 3, 5, waiting, signed], 6)  # every name with an "o"
    assert listed(api, search="ON_") == ([3], 1)  # `_` is literal, case ignored
    # Names in one case, so the order is the same under every collation.
    assert listed(api, sort="name asc") == ([archived, 4, 5, 2, 3, 1, signed, waiting], 8)
    # Pages walk the union without repeating or skipping a row; the total counts both kinds.
    pages = [listed(api, per_page="3", page=str(page)) for page in (1, 2, 3, 4)]
    assert pages == [([1, 2, 3], 8), ([4, 5, waiting], 8), ([signed, archived], 8), ([], 8)]
    # Built-in statuses date from the entity's creation, so they come first by date too.
    assert listed(api, sort="created_at asc")[0] == [1, 2, 3, 4, 5, waiting, signed, archived]
    error(api.get("/work_order_statuses", params={"filter[is_custom_cont]": "x"}), 422)


@pytest.mark.parametrize("status_id", [1, 5])
def test_built_in_statuses_cannot_be_changed_or_deleted(
    api: Api, session: Session, tenant: Tenant, status_id: int
) -> None:
    created = entity_created_at(api)
    name = dict(BUILT_IN)[status_id]
    path = f"/work_order_statuses/{status_id}"

    renamed = error(api.patch(path, json={"work_order_status": {"name": "Done"}}), 409)
    rebased = error(api.put(path, json={"work_order_status": {"base_status_id": 1}}), 409)
    deleted = error(api.delete(path), 409)

    for body in (renamed, rebased, deleted):
        assert body["message"] == (
            f"Work order status {status_id} ({name}) is built in and cannot be changed or deleted; "
            "create a custom status based on it instead"
        )
    assert ok(api.get(path)) == built_in_item(status_id, name, created)
    assert db_scalars(session, select(WorkOrderStatus.id)) == []
    # The role check comes first, as for custom statuses.
    _, token = make_user(session, tenant, role="technician")
    error(api.as_key(token).delete(path), 403)


def test_completing_by_the_listed_id_works(api: Api) -> None:
    """What the list is for: a client looks up `completed` and uses its id."""
    statuses = api.get("/work_order_statuses", params={"filter[name_eq]": "completed"}).json()["data"]
    assert [s["id"] for s in statuses] == [5]
    done = update_work_order(api, create_work_order(api)["id"], status_id=statuses[0]["id"])
    assert done["status"] == {"id": 5, "name": "completed", "is_custom": False}
    assert done["completed_at"] is not None
