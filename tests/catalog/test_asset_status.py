"""Asset status and downtime (extension): PATCH /assets/{id}/status, downtime records, availability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import (
    ASSET_DETAIL_KEYS,
    LIST_META,
    TIMESTAMP,
    create_asset,
    db_add,
    db_get,
    db_rows,
    error,
    ids,
    ok,
)
from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.models import Asset, Downtime

DOWNTIME_KEYS = {
    "id", "asset_id", "started_at", "ended_at", "duration_seconds", "reason", "work_order_id", "created_at",
    "created_by_id",
}  # fmt: skip
DAY = datetime(2025, 1, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    """A moment `hours` after 2025-01-01T00:00:00Z."""
    return DAY + timedelta(hours=hours)


def downtimes_in_db(session: Session, asset_id: int) -> list[Any]:
    return db_rows(
        session,
        select(Downtime.started_at, Downtime.ended_at, Downtime.reason, Downtime.work_order_id, Downtime.created_by_id)
        .where(Downtime.asset_id == asset_id)
        .order_by(Downtime.id),
    )


def add_downtime(session: Session, tenant: Tenant, asset_id: int, start: datetime, end: datetime | None) -> None:
    db_add(session, Downtime(entity_id=tenant.entity_id, asset_id=asset_id, started_at=start, ended_at=end))


def test_going_offline_opens_a_downtime_and_online_closes_it(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Pump")
    assert asset["status"] == "online"
    before = datetime.now(UTC).replace(microsecond=0)

    response = api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "reason": "Bearing failure"})

    data = ok(response)
    assert set(data) == ASSET_DETAIL_KEYS
    assert data["status"] == "offline"
    assert ok(api.get(f"/assets/{asset['id']}"))["status"] == "offline"
    stored = db_get(session, Asset, asset["id"])
    assert stored is not None and stored.status == "offline"
    [(started, ended, reason, work_order_id, created_by_id)] = downtimes_in_db(session, asset["id"])
    assert before <= started <= datetime.now(UTC)
    assert (ended, reason, work_order_id, created_by_id) == (None, "Bearing failure", None, tenant.admin_id)

    listed = api.get(f"/assets/{asset['id']}/downtimes")
    assert listed.status_code == 200, listed.text
    assert set(listed.json()["meta"]) == LIST_META
    [item] = listed.json()["data"]
    assert set(item) == DOWNTIME_KEYS
    assert (item["asset_id"], item["ended_at"], item["duration_seconds"], item["reason"]) == (
        asset["id"],
        None,
        None,
        "Bearing failure",
    )
    assert TIMESTAMP.match(item["started_at"]) and TIMESTAMP.match(item["created_at"])
    assert item["created_by_id"] == tenant.admin_id

    back = ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "online"}))

    assert back["status"] == "online"
    [(started, ended, *_)] = downtimes_in_db(session, asset["id"])
    assert ended is not None and started <= ended <= datetime.now(UTC)
    [closed] = api.get(f"/assets/{asset['id']}/downtimes").json()["data"]
    assert closed["id"] == item["id"]
    assert TIMESTAMP.match(closed["ended_at"])
    assert closed["duration_seconds"] == int((ended - started).total_seconds())


def test_each_offline_period_is_its_own_record(api: Api, session: Session) -> None:
    asset = create_asset(api, "Pump")

    for status in ("offline", "online", "offline"):
        ok(api.patch(f"/assets/{asset['id']}/status", json={"status": status}))

    rows = downtimes_in_db(session, asset["id"])
    assert [(r.ended_at is None) for r in rows] == [False, True]
    listed = api.get(f"/assets/{asset['id']}/downtimes").json()["data"]
    assert [d["ended_at"] is None for d in listed] == [True, False]  # newest first
    open_ids = ids(api.get(f"/assets/{asset['id']}/downtimes", params={"filter[ended_at_null]": "true"}))
    assert open_ids == [listed[0]["id"]]


def test_sending_the_current_status_changes_nothing(api: Api, session: Session) -> None:
    asset = create_asset(api, "Pump")

    assert ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "online"}))["status"] == "online"
    assert downtimes_in_db(session, asset["id"]) == []

    ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "reason": "first"}))
    ok(api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "reason": "second"}))
    assert [r.reason for r in downtimes_in_db(session, asset["id"])] == ["first"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"status": "broken"}, id="unknown-status"),
        pytest.param({}, id="no-status"),
        pytest.param({"status": None}, id="null-status"),
        pytest.param({"asset": {"status": "offline"}}, id="wrapped"),
        pytest.param({"status": "offline", "colour": "red"}, id="unknown-field"),
        pytest.param({"status": "offline", "work_order_id": "x"}, id="work-order-not-an-id"),
    ],
)
def test_invalid_status_bodies_are_422(api: Api, session: Session, body: dict[str, Any]) -> None:
    asset = create_asset(api, "Pump")

    error(api.patch(f"/assets/{asset['id']}/status", json=body), 422)

    stored = db_get(session, Asset, asset["id"])
    assert stored is not None and stored.status == "online"
    assert downtimes_in_db(session, asset["id"]) == []


def test_an_unknown_work_order_id_is_422(api: Api, session: Session) -> None:
    asset = create_asset(api, "Pump")

    error(api.patch(f"/assets/{asset['id']}/status", json={"status": "offline", "work_order_id": 424242}), 422)

    assert downtimes_in_db(session, asset["id"]) == []


@pytest.mark.parametrize("role", ["technician", "limited_admin"])
def test_technicians_and_managers_may_change_status(api: Api, session: Session, tenant: Tenant, role: str) -> None:
    asset = create_asset(api, "Pump")
    user_id, token = make_user(session, tenant, role=role)

    data = ok(api.as_key(token).patch(f"/assets/{asset['id']}/status", json={"status": "offline"}))

    assert data["status"] == "offline"
    assert data["updated_by"]["id"] == user_id
    [row] = downtimes_in_db(session, asset["id"])
    assert row.created_by_id == user_id


def test_requesters_may_not_change_status(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Pump")
    _, token = make_user(session, tenant, role="requester")

    error(api.as_key(token).patch(f"/assets/{asset['id']}/status", json={"status": "offline"}), 403)

    stored = db_get(session, Asset, asset["id"])
    assert stored is not None and stored.status == "online"
    assert downtimes_in_db(session, asset["id"]) == []


def test_another_entitys_asset_status_downtimes_and_availability_are_404(
    api: Api, session: Session, tenant: Tenant
) -> None:
    other = make_entity(session, tenant)
    theirs = create_asset(api.as_entity(other), "Theirs")

    error(api.patch(f"/assets/{theirs['id']}/status", json={"status": "offline"}), 404)
    error(api.get(f"/assets/{theirs['id']}/downtimes"), 404)
    error(api.get(f"/assets/{theirs['id']}/availability"), 404)
    error(api.get("/assets/999999/downtimes"), 404)

    stored = db_get(session, Asset, theirs["id"])
    assert stored is not None and stored.status == "online"


def test_downtimes_are_listed_newest_first_and_only_for_that_asset(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Pump")
    other_asset = create_asset(api, "Fan")
    for start in (at(10), at(2), at(30)):
        add_downtime(session, tenant, asset["id"], start, start + timedelta(hours=1))
    add_downtime(session, tenant, asset["id"], at(40), None)
    add_downtime(session, tenant, other_asset["id"], at(5), at(6))

    response = api.get(f"/assets/{asset['id']}/downtimes")

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [d["started_at"] for d in data] == [
        "2025-01-02T16:00:00Z",
        "2025-01-02T06:00:00Z",
        "2025-01-01T10:00:00Z",
        "2025-01-01T02:00:00Z",
    ]
    assert [d["duration_seconds"] for d in data] == [None, 3600, 3600, 3600]
    assert data[1]["ended_at"] == "2025-01-02T07:00:00Z"
    meta = response.json()["meta"]
    assert meta["sort"] == ["started_at desc"]
    assert meta["pagination"]["total"] == 4
    ascending = api.get(f"/assets/{asset['id']}/downtimes", params={"sort": "started_at asc", "per_page": 2})
    assert [d["started_at"] for d in ascending.json()["data"]] == ["2025-01-01T02:00:00Z", "2025-01-01T10:00:00Z"]
    assert ascending.json()["meta"]["pagination"] == {"total": 4, "page": 1, "per_page": 2, "total_pages": 2}
    open_only = api.get(f"/assets/{asset['id']}/downtimes", params={"filter[ended_at_null]": "true"}).json()["data"]
    assert [d["started_at"] for d in open_only] == ["2025-01-02T16:00:00Z"]
    since = api.get(f"/assets/{asset['id']}/downtimes", params={"filter[started_at_gteq]": "2025-01-02T00:00:00Z"})
    assert len(since.json()["data"]) == 2
    error(api.get(f"/assets/{asset['id']}/downtimes", params={"sort": "reason asc"}), 422)


# ---- availability ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "expected", "down_seconds", "count"),
    [
        pytest.param([], 100, 0, 0, id="never-down"),
        pytest.param([(6, 12)], 75, 6 * 3600, 1, id="6h-of-24h"),
        pytest.param([(0, 8)], 66.67, 8 * 3600, 1, id="8h-rounds-up"),
        pytest.param([(1, 9), (12, 20)], 33.33, 16 * 3600, 2, id="16h-rounds-down"),
        pytest.param([(0, 24)], 0, 24 * 3600, 1, id="down-all-day"),
        pytest.param([(-3, 0), (24, 26)], 100, 0, 0, id="touching-the-edges"),
        pytest.param([(-5, 30)], 0, 24 * 3600, 1, id="spanning-the-range"),
        # 2h before the window, 2h inside / 2h inside / 1h inside, 3h after / entirely outside on both sides.
        pytest.param([(-2, 2), (10, 12), (23, 27), (30, 31), (-23, -22)], 79.17, 5 * 3600, 3, id="clipped"),
    ],
)
def test_availability_is_the_percent_online_over_the_range(
    api: Api,
    session: Session,
    tenant: Tenant,
    periods: list[tuple[int, int]],
    expected: float,
    down_seconds: int,
    count: int,
) -> None:
    asset = create_asset(api, "Pump")
    for start, end in periods:
        add_downtime(session, tenant, asset["id"], at(start), at(end))
    other = create_asset(api, "Fan")
    add_downtime(session, tenant, other["id"], at(0), at(24))

    data = ok(
        api.get(
            f"/assets/{asset['id']}/availability",
            params={"from": "2025-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z"},
        )
    )

    assert data == {
        "asset_id": asset["id"],
        "from": "2025-01-01T00:00:00Z",
        "to": "2025-01-02T00:00:00Z",
        "total_seconds": 86400,
        "downtime_seconds": down_seconds,
        "uptime_seconds": 86400 - down_seconds,
        "availability": expected,
        "downtimes_count": count,
    }


def test_availability_reads_date_times_without_offset_as_utc_and_converts_offsets(
    api: Api, session: Session, tenant: Tenant
) -> None:
    asset = create_asset(api, "Pump")
    add_downtime(session, tenant, asset["id"], at(6), at(12))

    naive = ok(
        api.get(
            f"/assets/{asset['id']}/availability", params={"from": "2025-01-01T00:00:00", "to": "2025-01-02T00:00:00"}
        )
    )
    shifted = ok(
        api.get(
            f"/assets/{asset['id']}/availability",
            params={"from": "2025-01-01T02:00:00+02:00", "to": "2025-01-02T02:00:00+02:00"},
        )
    )

    assert naive["availability"] == 75
    assert (shifted["from"], shifted["to"], shifted["availability"]) == (
        "2025-01-01T00:00:00Z",
        "2025-01-02T00:00:00Z",
        75,
    )


def test_an_open_downtime_counts_until_now(api: Api, session: Session, tenant: Tenant) -> None:
    asset = create_asset(api, "Pump")
    now = datetime.now(UTC).replace(microsecond=0)
    add_downtime(session, tenant, asset["id"], now - timedelta(hours=5), None)

    data = ok(
        api.get(
            f"/assets/{asset['id']}/availability",
            params={
                "from": (now - timedelta(hours=10)).isoformat(),
                "to": (now + timedelta(hours=10)).isoformat(),
            },
        )
    )

    assert data["total_seconds"] == 20 * 3600
    assert 5 * 3600 <= data["downtime_seconds"] <= 5 * 3600 + 5
    assert data["availability"] == 75
    assert data["downtimes_count"] == 1


def test_availability_defaults_to_the_last_30_days(api: Api) -> None:
    asset = create_asset(api, "Pump")

    data = ok(api.get(f"/assets/{asset['id']}/availability"))

    assert data["total_seconds"] == 30 * 86400
    assert data["availability"] == 100
    end = datetime.fromisoformat(data["to"].replace("Z", "+00:00"))
    assert abs((end - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"from": "2025-01-02T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, id="to-before-from"),
        pytest.param({"from": "2025-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, id="empty-range"),
        pytest.param({"from": "yesterday"}, id="not-a-date-time"),
    ],
)
def test_bad_availability_ranges_are_422(api: Api, params: dict[str, str]) -> None:
    asset = create_asset(api, "Pump")

    error(api.get(f"/assets/{asset['id']}/availability", params=params), 422)
