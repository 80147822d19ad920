from __future__ import annotations

from sqlalchemy.orm import Session

from tests.events.support import feed
from tests.helpers import Api, Tenant, make_user


def _locations(api: Api, count: int) -> None:
    for n in range(count):
        assert api.post("/locations", json={"location": {"name": f"L{n}"}}).status_code == 201


def test_cursor_pages_without_gaps_or_repeats(api: Api) -> None:
    _locations(api, 5)
    first = feed(api, limit=2)
    assert [e["seq"] for e in first["data"]] == [1, 2]
    assert first["meta"]["next_cursor"] == 2 and first["meta"]["has_more"] is True
    second = feed(api, after=2, limit=10)
    assert [e["seq"] for e in second["data"]] == [3, 4, 5]
    assert second["meta"]["next_cursor"] == 5 and second["meta"]["has_more"] is False
    empty = feed(api, after=5)
    assert empty["data"] == [] and empty["meta"]["next_cursor"] == 5


def test_types_filter_and_cursor_past_skipped_events(api: Api) -> None:
    _locations(api, 2)
    api.post("/work_orders", json={"work_order": {"title": "W"}})
    _locations(api, 1)
    page = feed(api, types="work_order.*")
    assert [e["type"] for e in page["data"]] == ["work_order.created"]
    assert page["meta"]["next_cursor"] == 4  # the skipped location events are behind the cursor too
    assert [e["seq"] for e in feed(api, types="location.created,*")["data"]] == [1, 2, 3, 4]


def test_bad_parameters_are_422(api: Api) -> None:
    for params in ({"types": "work_order.%"}, {"after": -1}, {"limit": 0}, {"limit": 1001}, {"since": 1}):
        response = api.get("/events", params=params)
        assert response.status_code == 422, params
        assert response.json()["status"] == "error"


def test_admins_only(api: Api, session: Session, tenant: Tenant) -> None:
    for role in ("limited_admin", "technician", "requester"):
        _, token = make_user(session, tenant, role)
        assert api.as_key(token).get("/events").status_code == 403


def test_entities_are_apart(api: Api, session: Session, tenant: Tenant) -> None:
    from tests.helpers import make_entity

    other = make_entity(session, tenant)
    _locations(api, 1)
    assert feed(api.as_entity(other))["data"] == []
