"""A write whose body is not declared JSON is 415, also when the Content-Type header is missing altogether."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import Api
from tests.work_orders.support import create_work_order
from wrenchwork.models import Category, TimeEntry, WorkOrder

NOT_JSON_TYPE = {"status": "error", "message": "Content-Type must be application/json"}


def count(session: Session, model: type[object]) -> int:
    session.expire_all()
    found = session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]
    session.commit()
    return found


@pytest.mark.parametrize(
    "body", [b'{"category": {"name": "Pumps"}}', b"not json at all", b"   "], ids=["json", "text", "blank"]
)
def test_a_body_without_content_type_is_415(api: Api, session: Session, body: bytes) -> None:
    response = api.post("/categories", content=body)  # httpx sends no Content-Type for raw content

    assert "content-type" not in response.request.headers
    assert response.status_code == 415, response.text
    assert response.json() == NOT_JSON_TYPE
    assert count(session, Category) == 0


def test_updates_and_batches_without_content_type_are_415(api: Api, session: Session) -> None:
    work_order = create_work_order(api, title="Leak")

    update = api.patch(f"/work_orders/{work_order['id']}", content=b'{"work_order": {"title": "Flood"}}')
    batch = api.post(
        "/batch",
        content=b'{"ops": [{"method": "POST", "url": "/api/v1/categories", "params": {"category": {"name": "A"}}}],'
        b' "sequential": true}',
    )

    assert (update.status_code, update.json()) == (415, NOT_JSON_TYPE)
    assert (batch.status_code, batch.json()) == (415, NOT_JSON_TYPE)
    session.expire_all()
    assert session.get(WorkOrder, work_order["id"]).title == "Leak"  # type: ignore[union-attr]
    session.commit()
    assert count(session, Category) == 0


def test_no_body_and_no_content_type_is_left_to_the_route(api: Api, session: Session) -> None:
    # A required body is missing: 422 naming it, as before.
    missing = api.post("/categories")
    assert missing.status_code == 422, missing.text
    assert missing.json()["errors"] == {"body": ["is required"]}
    # An optional body may be left out.
    work_order = create_work_order(api)
    assert api.post(f"/work_orders/{work_order['id']}/timer/start").status_code == 200
    with_body = api.post(f"/work_orders/{work_order['id']}/timer/stop", content=b'{"rate_type": "overtime1"}')
    assert (with_body.status_code, with_body.json()) == (415, NOT_JSON_TYPE)
    stopped = api.post(f"/work_orders/{work_order['id']}/timer/stop")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["data"]["rate_type"] == "regular"
    assert count(session, TimeEntry) == 1
