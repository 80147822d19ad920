"""Comments on work orders and requests (extension): list, add, delete, and `comments_count`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import LIST_META, TIMESTAMP, db_scalars, error, ids, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.procedures.support import make_work_order
from tests.requests.support import create_request
from wrenchwork.models import Comment

KEYS = {"id", "body", "created_at", "updated_at", "created_by"}


@pytest.fixture
def work_order(session: Session, tenant: Tenant) -> int:
    made = make_work_order(session, tenant)
    session.commit()
    return made.id


def comment(api: Api, path: str, body: str) -> dict[str, object]:
    return ok(api.post(f"{path}/comments", json={"comment": {"body": body}}), 201)


def test_add_and_list_on_a_work_order(api: Api, tenant: Tenant, work_order: int) -> None:
    path = f"/work_orders/{work_order}"
    first = comment(api, path, "  Ordered a new belt  ")
    second = comment(api, path, "Belt fitted")

    assert set(first) == KEYS and first["body"] == "Ordered a new belt"
    assert first["created_by"] == {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert TIMESTAMP.match(str(first["created_at"]))
    body = api.get(f"{path}/comments").json()
    assert set(body["meta"]) == LIST_META and body["meta"]["sort"] == ["created_at asc"]
    assert body["data"] == [first, second]
    assert ids(api.get(f"{path}/comments", params={"search": "fitted"})) == [second["id"]]
    assert ids(api.get(f"{path}/comments", params={"sort": "created_at desc"})) == [second["id"], first["id"]]


def test_lists_count_each_records_comments(api: Api, session: Session, tenant: Tenant, work_order: int) -> None:
    other = make_work_order(session, tenant)
    session.commit()
    request = create_request(api, "Leak")
    quiet = create_request(api, "Drip")
    comment(api, f"/work_orders/{work_order}", "One")
    comment(api, f"/work_orders/{work_order}", "Two")
    comment(api, f"/work_order_requests/{request['id']}", "Three")

    listed = {w["id"]: w["comments_count"] for w in ok(api.get("/work_orders"))}
    assert listed == {work_order: 2, other.id: 0}
    requests = {r["id"]: r["comments_count"] for r in ok(api.get("/work_order_requests"))}
    assert requests == {request["id"]: 1, quiet["id"]: 0}


def test_bodies_are_checked(api: Api, session: Session, work_order: int) -> None:
    path = f"/work_orders/{work_order}/comments"
    for body in ({"comment": {"body": "   "}}, {"comment": {}}, {"body": "x"}, {"comment": {"body": "x", "y": 1}}):
        error(api.post(path, json=body), 422)
    error(api.post(path, json={"comment": {"body": "x" * 10_001}}), 422)
    assert db_scalars(session, select(func.count()).select_from(Comment)) == [0]


def test_delete_by_author_or_admin_only(api: Api, session: Session, tenant: Tenant, work_order: int) -> None:
    path = f"/work_orders/{work_order}"
    _, tech_token = make_user(session, tenant, "technician")
    _, other_token = make_user(session, tenant, "technician")
    technician, other = api.as_key(tech_token), api.as_key(other_token)
    mine = comment(technician, path, "Mine")
    admins = comment(api, path, "Admin's")

    error(other.delete(f"{path}/comments/{mine['id']}"), 403)
    error(technician.delete(f"{path}/comments/{admins['id']}"), 403)
    assert technician.delete(f"{path}/comments/{mine['id']}").status_code == 204
    assert api.delete(f"{path}/comments/{admins['id']}").status_code == 204
    assert db_scalars(session, select(func.count()).select_from(Comment)) == [0]
    assert error(api.delete(f"{path}/comments/{mine['id']}"), 404)["message"] == "Comment not found"


def test_comments_are_reached_only_through_their_record(
    api: Api, session: Session, tenant: Tenant, work_order: int
) -> None:
    other_work_order = make_work_order(session, tenant)
    session.commit()
    request = create_request(api, "Leak")
    on_work_order = comment(api, f"/work_orders/{work_order}", "Here")
    on_request = comment(api, f"/work_order_requests/{request['id']}", "There")

    error(api.delete(f"/work_orders/{other_work_order.id}/comments/{on_work_order['id']}"), 404)
    error(api.delete(f"/work_orders/{work_order}/comments/{on_request['id']}"), 404)
    error(api.delete(f"/work_order_requests/{request['id']}/comments/{on_work_order['id']}"), 404)
    assert ids(api.get(f"/work_orders/{other_work_order.id}/comments")) == []
    assert error(api.get("/work_orders/999999/comments"), 404)["message"] == "Work order not found"
    assert (
        error(api.post("/work_order_requests/999999/comments", json={"comment": {"body": "x"}}), 404)["message"]
        == "Request not found"
    )

    elsewhere = api.as_entity(make_entity(session, tenant))
    error(elsewhere.get(f"/work_orders/{work_order}/comments"), 404)
    error(elsewhere.post(f"/work_order_requests/{request['id']}/comments", json={"comment": {"body": "x"}}), 404)
    error(elsewhere.delete(f"/work_orders/{work_order}/comments/{on_work_order['id']}"), 404)
    assert db_scalars(session, select(func.count()).select_from(Comment)) == [2]


def test_requesters_comment_on_their_own_requests_only(
    api: Api, session: Session, tenant: Tenant, work_order: int
) -> None:
    _, token = make_user(session, tenant, "requester")
    requester = api.as_key(token)
    mine = create_request(requester, "My lamp")
    theirs = create_request(api, "Admin's lamp")

    ok(requester.post(f"/work_order_requests/{mine['id']}/comments", json={"comment": {"body": "Still broken"}}), 201)
    assert len(ok(requester.get(f"/work_order_requests/{mine['id']}/comments"))) == 1
    error(requester.post(f"/work_order_requests/{theirs['id']}/comments", json={"comment": {"body": "x"}}), 404)
    error(requester.get(f"/work_orders/{work_order}/comments"), 403)
    error(requester.post(f"/work_orders/{work_order}/comments", json={"comment": {"body": "x"}}), 403)


def test_deleting_a_work_order_removes_its_comments(api: Api, session: Session, work_order: int) -> None:
    comment(api, f"/work_orders/{work_order}", "Gone soon")
    assert api.delete(f"/work_orders/{work_order}").status_code == 204
    assert db_scalars(session, select(func.count()).select_from(Comment)) == [0]
