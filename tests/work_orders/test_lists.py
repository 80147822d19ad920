"""The work order list: the filters people use, computed `overdue`, search, default sort, constant cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, create_location, create_lookup, error, ids
from tests.helpers import Api, Tenant, make_user, statements
from tests.work_orders.support import create_work_order, update_work_order
from wrenchwork.models import PmSchedule


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def data(api: Api, session: Session, tenant: Tenant) -> dict[str, Any]:
    """Five work orders that differ in every filtered field (created in this order: newest last)."""
    now = datetime.now(UTC).replace(microsecond=0)
    ann, _ = make_user(session, tenant, role="technician")
    bob, _ = make_user(session, tenant, role="technician")
    room = create_location(api, "Boiler Room")
    pump = create_asset(api, "Pump")
    hvac = create_lookup(api, "/categories", "category", "HVAC")
    schedule = PmSchedule(
        entity_id=tenant.entity_id, type="persistent", start_date=now, time_to_complete=4, repeat_frequency="month"
    )
    session.add(schedule)
    session.commit()
    made = {
        "leak": create_work_order(api, "Fix leak", description="Freezer drips", priority="high",
                                  technicians_ids=[ann], categories_ids=[hvac["id"]],
                                  due_date=iso(now - timedelta(days=2))),
        "belt": create_work_order(api, "Replace belt", priority="low", technicians_ids=[ann, bob], asset_id=pump["id"],
                                  due_date=iso(now + timedelta(days=2)), status_id=2),
        "filter": create_work_order(api, "Change filter", type="preventive", pm_schedule_id=schedule.id,
                                    location_id=room["id"], technicians_ids=[bob],
                                    due_date=iso(now - timedelta(days=1)), status_id=5,
                                    completed_at="2025-03-01T10:00:00Z"),
        "paint": create_work_order(api, "Paint rail", description="Leak of paint", status_id=4,
                                   due_date=iso(now - timedelta(days=3))),
        "lamp": create_work_order(api, "Lamp out", priority="medium", status_id=3),
    }  # fmt: skip
    return {"ann": ann, "bob": bob, "room": room, "pump": pump, "hvac": hvac, "now": now, "schedule": schedule.id,
            **made}  # fmt: skip


def listed(api: Api, **params: str) -> list[int]:
    return ids(api.get("/work_orders", params=params))


def test_default_sort_is_newest_first(api: Api, data: dict[str, Any]) -> None:
    expected = [data[k]["id"] for k in ("lamp", "paint", "filter", "belt", "leak")]
    assert listed(api) == expected
    body = api.get("/work_orders", params={"per_page": "2", "page": "2"}).json()
    assert [i["id"] for i in body["data"]] == expected[2:4]
    assert body["meta"]["pagination"] == {"total": 5, "page": 2, "per_page": 2, "total_pages": 3}


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"filter[status_id_in]": "1,2"}, ["belt", "leak"]),
        ({"filter[status_id_eq]": "5"}, ["filter"]),
        ({"filter[base_status_not_in]": "completed,cancelled"}, ["lamp", "belt", "leak"]),
        ({"filter[priority_eq]": "high"}, ["leak"]),
        ({"filter[priority_in]": "low,medium"}, ["lamp", "belt"]),
        ({"filter[type_eq]": "preventive"}, ["filter"]),
        ({"filter[pm_schedule_id_eq]": "SCHEDULE"}, ["filter"]),
        ({"filter[completed_at_gteq]": "2025-03-01T00:00:00Z", "filter[completed_at_lt]": "2025-03-02T00:00:00Z"},
         ["filter"]),
        ({"filter[completed_at_null]": "true"}, ["lamp", "paint", "belt", "leak"]),
        ({"filter[due_date_null]": "true"}, ["lamp"]),
        ({"filter[overdue_eq]": "true"}, ["leak"]),
        ({"filter[overdue_true]": "true"}, ["leak"]),
        ({"filter[overdue_eq]": "false"}, ["lamp", "paint", "filter", "belt"]),
        ({"search": "leak"}, ["paint", "leak"]),
        ({"search": "DRIPS"}, ["leak"]),
        ({"filter[title_cont]": "filter"}, ["filter"]),
    ],
)  # fmt: skip
def test_filters(api: Api, data: dict[str, Any], params: dict[str, str], keys: list[str]) -> None:
    params = {k: str(data["schedule"]) if v == "SCHEDULE" else v for k, v in params.items()}
    assert listed(api, **params) == [data[k]["id"] for k in keys]


def test_reference_filters(api: Api, data: dict[str, Any]) -> None:
    d = data
    assert listed(api, **{"filter[technicians_id_eq]": str(d["ann"])}) == [d["belt"]["id"], d["leak"]["id"]]
    assert listed(api, **{"filter[technicians_id_eq]": str(d["bob"]), "filter[status_id_in]": "1,2"}) == [
        d["belt"]["id"]
    ]
    assert listed(api, **{"filter[technicians_id_null]": "true"}) == [d["lamp"]["id"], d["paint"]["id"]]
    assert listed(api, **{"filter[categories_id_eq]": str(d["hvac"]["id"])}) == [d["leak"]["id"]]
    assert listed(api, **{"filter[asset_id_eq]": str(d["pump"]["id"])}) == [d["belt"]["id"]]
    assert listed(api, **{"filter[location_id_eq]": str(d["room"]["id"])}) == [d["filter"]["id"]]
    due_from, due_to = iso(d["now"] - timedelta(days=2, hours=1)), iso(d["now"])
    assert listed(api, **{"filter[due_date_gteq]": due_from, "filter[due_date_lt]": due_to}) == [
        d["filter"]["id"], d["leak"]["id"]
    ]  # fmt: skip


def test_reference_filters_combine(api: Api, data: dict[str, Any]) -> None:
    d = data
    tech = "filter[technicians_id_eq]"
    assert listed(api, **{tech: str(d["bob"]), "filter[technicians_id_not_eq]": str(d["ann"])}) == [d["filter"]["id"]]
    assert listed(api, **{tech: str(d["ann"]), "filter[technicians_id_in]": str(d["bob"])}) == [d["belt"]["id"]]
    assert listed(api, **{tech: str(d["ann"]), "filter[categories_id_eq]": str(d["hvac"]["id"])}) == [d["leak"]["id"]]
    assert listed(api, **{tech: str(d["ann"]), "filter[technicians_id_null]": "true"}) == []


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"filter[technicians_id_eq]": "bob"}, ["filter", "belt"]),
        ({"filter[status_id_in]": "1,2"}, ["belt", "leak"]),
        ({"filter[status_id_in]": "1,2,3", "filter[technicians_id_eq]": "ann"}, ["belt", "leak"]),
    ],
)
def test_filtered_pages_count_every_match(
    api: Api, data: dict[str, Any], params: dict[str, str], keys: list[str]
) -> None:
    params = {k: str(data[v]) if v in ("ann", "bob") else v for k, v in params.items()}
    expected = [data[k]["id"] for k in keys]
    for page in (1, 2, 3):
        body = api.get("/work_orders", params={**params, "per_page": "1", "page": str(page)}).json()
        assert [i["id"] for i in body["data"]] == expected[page - 1 : page]
        assert body["meta"]["pagination"] == {"total": 2, "page": page, "per_page": 1, "total_pages": 2}
    body = api.get("/work_orders", params=params).json()
    assert [i["id"] for i in body["data"]] == expected
    assert body["meta"]["pagination"]["total"] == 2


def test_overdue_follows_the_status(api: Api, data: dict[str, Any]) -> None:
    update_work_order(api, data["leak"]["id"], status_id=5)
    assert listed(api, **{"filter[overdue_eq]": "true"}) == []
    update_work_order(api, data["paint"]["id"], status_id=1)
    assert listed(api, **{"filter[overdue_eq]": "true"}) == [data["paint"]["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"filter[priority_eq]": "urgent"},
        {"filter[status_id_in]": "open"},
        {"filter[overdue_eq]": "maybe"},
        {"filter[due_date_gt]": "soon"},
        {"filter[type_cont]": "re"},
        {"filter[unknown_eq]": "1"},
        {"sort": "priority asc"},
    ],
)
def test_bad_list_parameters_are_422(api: Api, params: dict[str, str]) -> None:
    assert set(error(api.get("/work_orders", params=params), 422)["errors"]) == set(params)


def test_a_page_costs_the_same_statements_for_1_or_50_rows(
    api: Api, engine: Engine, session: Session, tenant: Tenant
) -> None:
    ann, _ = make_user(session, tenant, role="technician")
    hvac = create_lookup(api, "/categories", "category", "HVAC")
    for n in range(12):
        create_work_order(api, f"WO {n}", technicians_ids=[ann], categories_ids=[hvac["id"]])
    api.get("/work_orders")  # warm-up
    with statements(engine) as one:
        assert len(ids(api.get("/work_orders", params={"per_page": "1"}))) == 1
    with statements(engine) as many:
        assert len(ids(api.get("/work_orders", params={"per_page": "50"}))) == 12
    assert len(one) == len(many)
