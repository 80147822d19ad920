"""Forecasts (extension): one schedule's coming occurrences, and the entity's PM calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant, make_user
from tests.pm_schedules.support import SEED_NOW, create_schedule, seed
from wrenchwork.core import clock


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    clock.set_now(SEED_NOW)  # 2026-03-01 09:30 UTC, a Sunday
    yield
    clock.set_now(None)


def _forecast(api: Api, schedule_id: int, **params: str) -> tuple[list[dict[str, str]], dict[str, object]]:
    response = api.get(f"/pm_schedules/{schedule_id}/forecast", params=params)
    body = response.json()
    assert response.status_code == 200, body
    return body["data"], body["meta"]


def test_seed_example_orders_on_february_and_july_18(api: Api, session: Session, tenant: Tenant) -> None:
    schedule = ok(api.post("/pm_schedules", json=seed(api, session, tenant).body()), 201)
    data, meta = _forecast(api, schedule["id"], until="2027-12-31")
    assert data == [
        {"order_date": "2026-07-18T12:00:00.000Z", "due_date": "2026-07-18T16:00:00.000Z"},
        {"order_date": "2027-02-18T12:00:00.000Z", "due_date": "2027-02-18T16:00:00.000Z"},
        {"order_date": "2027-07-18T12:00:00.000Z", "due_date": "2027-07-18T16:00:00.000Z"},
    ]
    assert (meta["until"], meta["truncated"]) == ("2027-12-31", False)
    assert set(meta) == {"entity", "customer", "until", "truncated"}
    # Without `until`: a year from today (2027-03-01).
    data, meta = _forecast(api, schedule["id"])
    assert [o["order_date"] for o in data] == ["2026-07-18T12:00:00.000Z", "2027-02-18T12:00:00.000Z"]
    assert meta["until"] == "2027-03-01"


def test_until_is_a_whole_day_in_the_entity_zone(api: Api) -> None:
    ok(api.patch(f"/entities/{api.entity_id}", json={"entity": {"timezone": "Asia/Tokyo"}}))
    # Every 3 days at 23:30 Tokyo time (14:30 UTC), from Monday 2026-03-02.
    schedule = create_schedule(api, start_date="2026-03-02T14:30:00Z", repeat_interval=3, time_to_complete=1)
    data, _ = _forecast(api, schedule["id"], until="2026-03-08")
    assert [o["order_date"] for o in data] == [
        "2026-03-02T14:30:00.000Z", "2026-03-05T14:30:00.000Z", "2026-03-08T14:30:00.000Z",
    ]  # fmt: skip
    assert data[0]["due_date"] == "2026-03-02T15:30:00.000Z"


def test_types_and_statuses(api: Api) -> None:
    once = create_schedule(api, type="one_time", start_date="2026-05-04T10:00:00Z")
    assert _forecast(api, once["id"])[0] == [
        {"order_date": "2026-05-04T10:00:00.000Z", "due_date": "2026-05-04T12:00:00.000Z"}
    ]
    assert _forecast(api, once["id"], until="2026-05-03")[0] == []
    floating = create_schedule(api, type="floating", repeat_frequency="week")
    assert [o["order_date"] for o in _forecast(api, floating["id"])[0]] == ["2026-03-02T08:00:00.000Z"]
    paused = create_schedule(api, status="paused")
    assert _forecast(api, paused["id"])[0] == []


def test_at_most_500_occurrences(api: Api) -> None:
    hourly = create_schedule(api, repeat_frequency="hour", start_date="2026-03-01T10:00:00Z")
    data, meta = _forecast(api, hourly["id"], until="2026-03-22")
    assert len(data) == 500 and meta["truncated"] is True
    # 10:00 and the 499 hours after it; 518 would fall on or before March 22.
    assert (data[0]["order_date"], data[-1]["order_date"]) == ("2026-03-01T10:00:00.000Z", "2026-03-22T05:00:00.000Z")
    data, meta = _forecast(api, hourly["id"], until="2026-03-21")
    assert (len(data), meta["truncated"]) == (494, False)
    data, meta = _forecast(api, hourly["id"], until="2026-03-01")
    assert (len(data), meta["truncated"]) == (14, False)  # 10:00 .. 23:00


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("2036-03-02", "until must be at most 10 years after today (2026-03-01)"),
        ("1899-12-31", "until must have a year from 1900 to 2999"),
        ("2026-02-30", None),
        ("tomorrow", None),
    ],
)
def test_bad_until(api: Api, until: str, message: str | None) -> None:
    schedule = create_schedule(api)
    response = api.get(f"/pm_schedules/{schedule['id']}/forecast", params={"until": until})
    assert response.status_code == 422, response.text
    body = response.json()
    assert list(body["errors"]) == ["until"]
    if message is not None:
        assert body["message"] == message
    assert ok(api.get(f"/pm_schedules/{schedule['id']}/forecast", params={"until": "2036-03-01"}))


def test_calendar_merges_schedules_by_order_date(api: Api) -> None:
    asset = ok(api.post("/assets", json={"asset": {"name": "Boiler"}}), 201)
    weekly = create_schedule(api, "Check boiler", repeat_frequency="week", on_week_days=[3],
                             template={"asset_id": asset["id"]})  # fmt: skip
    monthly = create_schedule(api, "Test alarms", repeat_frequency="month", on_month_day=10,
                              start_date="2026-01-10T07:00:00Z", time_to_complete=0)  # fmt: skip
    once = create_schedule(api, "Paint rails", type="one_time", start_date="2026-03-11T08:00:00Z")
    create_schedule(api, "Paused one", status="paused")
    response = api.get("/pm_forecast", params={"from": "2026-03-04", "until": "2026-03-12"})
    body = response.json()
    assert response.status_code == 200, body
    boiler = {"pm_schedule_id": weekly["id"], "title": "Check boiler", "asset": {"id": asset["id"], "name": "Boiler"}}
    assert body["data"] == [
        boiler | {"order_date": "2026-03-04T08:00:00.000Z", "due_date": "2026-03-04T10:00:00.000Z"},
        {"pm_schedule_id": monthly["id"], "title": "Test alarms", "asset": None,
         "order_date": "2026-03-10T07:00:00.000Z", "due_date": "2026-03-10T07:00:00.000Z"},
        boiler | {"order_date": "2026-03-11T08:00:00.000Z", "due_date": "2026-03-11T10:00:00.000Z"},
        {"pm_schedule_id": once["id"], "title": "Paint rails", "asset": None,
         "order_date": "2026-03-11T08:00:00.000Z", "due_date": "2026-03-11T10:00:00.000Z"},
    ]  # fmt: skip
    meta = body["meta"]
    assert (meta["from"], meta["until"], meta["truncated"]) == ("2026-03-04", "2026-03-12", False)
    # Default: today and the 30 days after it; the one-time schedule's date counts once.
    default = ok(api.get("/pm_forecast"))
    assert [e["order_date"] for e in default if e["pm_schedule_id"] == once["id"]] == ["2026-03-11T08:00:00.000Z"]
    assert len([e for e in default if e["pm_schedule_id"] == weekly["id"]]) == 4  # Wednesdays Mar 4 .. Mar 25
    assert default == sorted(default, key=lambda e: (e["order_date"], e["pm_schedule_id"]))


def test_calendar_is_bounded(api: Api, session: Session, tenant: Tenant) -> None:
    for n in range(3):
        create_schedule(api, f"Hourly {n}", repeat_frequency="hour", start_date="2026-03-01T10:00:00Z")
    body = api.get("/pm_forecast", params={"from": "2026-03-01", "until": "2026-03-31"}).json()
    assert len(body["data"]) == 500 and body["meta"]["truncated"] is True
    assert body["data"][-1]["order_date"] == "2026-03-08T08:00:00.000Z"  # 3 an hour from 10:00: 166 hours later
    for params, field in (
        ({"from": "2026-03-10", "until": "2026-03-09"}, "until"),
        ({"from": "2026-01-01", "until": "2027-01-02"}, "until"),
        ({"from": "9999-12-31"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"until": "0001-01-01"}, "until"),
    ):
        response = api.get("/pm_forecast", params=params)
        assert response.status_code == 422, (params, response.text)
        assert list(response.json()["errors"]) == [field]
    assert ok(api.get("/pm_forecast", params={"from": "2026-01-01", "until": "2027-01-01"}))
    _, token = make_user(session, tenant, role="requester")
    assert api.as_key(token).get("/pm_forecast").status_code == 403
    _, token = make_user(session, tenant, role="technician")
    assert len(ok(api.as_key(token).get("/pm_forecast"))) == 500


def test_calendar_is_the_entitys_own(api: Api) -> None:
    other = api.as_entity(ok(api.post("/entities", json={"entity": {"name": "Plant B"}}), 201)["id"])
    create_schedule(other, "Elsewhere")
    mine = create_schedule(api, "Here", start_date="2026-03-02T08:00:00Z", repeat_frequency="week")
    assert [e["pm_schedule_id"] for e in ok(api.get("/pm_forecast"))] == [mine["id"]] * 5
    assert {e["title"] for e in ok(other.get("/pm_forecast"))} == {"Elsewhere"}


def test_forecast_starts_at_the_next_order_date(api: Api) -> None:
    schedule = create_schedule(api)
    clock.set_now(datetime(2026, 6, 1, tzinfo=UTC))
    # The next order date is still March 2 (generation would have moved it): the forecast starts there.
    data, _ = _forecast(api, schedule["id"], until="2026-03-03")
    assert [o["order_date"] for o in data] == ["2026-03-02T08:00:00.000Z", "2026-03-03T08:00:00.000Z"]


def test_a_changed_schedule_is_forecast_anew(api: Api, tenant: Tenant) -> None:
    """Forecasts keep occurrences between requests (pm_schedules/occurrence_cache.py): after an edit of the rule,
    a pause and resume, or a change of the entity's time zone, the same request answers the new occurrences."""
    weekly = create_schedule(api, repeat_frequency="week", on_week_days=[3], start_date="2026-03-02T08:00:00Z")
    window = {"from": "2026-03-02", "until": "2026-03-15"}

    def orders() -> list[str]:
        calendar = ok(api.get("/pm_forecast", params=window))
        own, _ = _forecast(api, weekly["id"], until="2026-03-15")
        assert [e["order_date"] for e in own] == [e["order_date"] for e in calendar]
        return [e["order_date"] for e in calendar]

    assert orders() == ["2026-03-04T08:00:00.000Z", "2026-03-11T08:00:00.000Z"]
    ok(api.patch(f"/pm_schedules/{weekly['id']}", json={"pm_schedule": {"on_week_days": [5]}}))
    assert orders() == ["2026-03-06T08:00:00.000Z", "2026-03-13T08:00:00.000Z"]
    ok(api.patch(f"/pm_schedules/{weekly['id']}", json={"pm_schedule": {"repeat_interval": 2}}))
    assert orders() == ["2026-03-06T08:00:00.000Z"]
    ok(api.patch(f"/pm_schedules/{weekly['id']}", json={"pm_schedule": {"status": "paused"}}))
    assert orders() == []
    ok(api.patch(f"/pm_schedules/{weekly['id']}", json={"pm_schedule": {"status": "planned"}}))
    assert orders() == ["2026-03-06T08:00:00.000Z"]
    # Read in New York, 03:00 local every other Friday: 07:00 UTC once summer time has begun (8 March).
    ok(api.patch(f"/entities/{tenant.entity_id}", json={"entity": {"timezone": "America/New_York"}}))
    ok(api.patch(f"/pm_schedules/{weekly['id']}", json={"pm_schedule": {"repeat_interval": 1}}))
    assert orders() == ["2026-03-06T08:00:00.000Z", "2026-03-13T07:00:00.000Z"]
