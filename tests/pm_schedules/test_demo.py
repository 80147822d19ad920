"""The demo's PM schedules, and on them (every kind of value: nulls, links, parts, a work order) the list items
rendered by the database against the details built in Python."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from tests.pm_schedules.support import LIST_ORDER, TEMPLATE_LIST_ORDER
from wrenchwork.core import clock, json_sql
from wrenchwork.models import PmSchedule
from wrenchwork.pm_schedules.repository import LIST_PAGE
from wrenchwork.system.demo import load_demo

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def plant(session: Session, tenant: Tenant, api: Api) -> Iterator[Api]:
    clock.set_now(NOW)
    load_demo(session, "Main Facility")
    session.commit()
    yield api
    clock.set_now(None)


def _as_listed(detail: dict[str, Any], listed: dict[str, Any]) -> dict[str, Any]:
    """What the list item must show, from the detail (and the authors, which only the list item names)."""
    template = detail["template_work_order"]
    shown = {key: template[key] for key in TEMPLATE_LIST_ORDER if key != "vendors"}
    shown["vendors"] = [{"id": v["id"], "name": v["name"]} for v in template["vendors"]]
    item = {key: detail[key] for key in LIST_ORDER if key in detail}
    return item | {"template_work_order": shown, "created_by": listed["created_by"], "updated_by": listed["updated_by"]}


def test_demo_schedules_list_what_their_details_say(plant: Api, tenant: Tenant) -> None:
    items = ok(plant.get("/pm_schedules", params={"per_page": 100}))
    assert len(items) == 6
    author = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    for item in items:
        assert (item["created_by"], item["template_work_order"]["updated_by"]) == (author, author)
        assert item == _as_listed(ok(plant.get(f"/pm_schedules/{item['id']}")), item), item["id"]
    by_title = {item["template_work_order"]["title"]: item for item in items}
    hvac = ok(plant.get(f"/pm_schedules/{by_title['HVAC filter replacement']['id']}"))
    assert (hvac["next_order_date"], hvac["next_due_date"]) == ("2026-07-18T12:00:00.000Z", "2026-07-18T16:00:00.000Z")
    assert hvac["has_work_orders"] and hvac["has_uncompleted_wo"]
    assert hvac["progression"] == {"percentage": 50, "id": hvac["last_active_work_order_id"], "status": "overdue"}
    template = hvac["template_work_order"]
    assert template["asset"]["name"] == "Rooftop Air Handler"
    assert template["vendors"][0]["primary_contact"]["name"] == "Robert Smith"
    assert template["part_assignments"] and template["technicians"] and hvac["procedure_templates"]
    assert {item["type"] for item in items} == {"persistent", "floating", "one_time"}
    assert {item["repeat_frequency"] for item in items} >= {"hour", "week", "month", "season"}
    paused = by_title["Lubricate the dock leveler hinges"]
    assert (paused["status"], paused["next_order_date"]) == ("paused", None)
    generated = ok(plant.get("/work_orders", params={"filter[pm_schedule_id_eq]": hvac["id"]}))
    assert [w["id"] for w in generated] == [hvac["last_active_work_order_id"]]


def test_sqlite_items_are_the_same_with_json_rewrapped(
    plant: Api, session: Session, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where SQLite would drop the JSON subtype, every nested value is wrapped in json() instead: same items."""
    if session.get_bind().dialect.name != "sqlite" or not json_sql.sqlite_keeps_json():
        pytest.skip("only where SQLite keeps the subtype: elsewhere the json() form is the one that runs")
    stmt = LIST_PAGE.where(PmSchedule.entity_id == tenant.entity_id).order_by(PmSchedule.id)
    connection = session.connection().execution_options(compiled_cache=None)

    def items() -> list[Any]:
        return [json.loads(row.item) for row in connection.execute(stmt, {"pm_now": NOW})]

    kept = items()
    monkeypatch.setattr(json_sql, "sqlite_keeps_json", lambda: False)
    assert "json(CASE" in str(stmt.compile(session.get_bind()))
    assert items() == kept
    assert len(kept) == 6


def test_the_list_page_runs_on_the_drivers_path(session: Session) -> None:
    """No value in the page statement is expanded at execution (an `IN (...)` list would be): it is compiled once
    and run on the driver's cursor like the other hot lists (core/driver.py)."""
    from wrenchwork.core import driver, repository
    from wrenchwork.core.listing import ListQuery
    from wrenchwork.pm_schedules.listing import PM_SCHEDULE_LIST
    from wrenchwork.pm_schedules.repository import PmScheduleRepository

    query = ListQuery(sort=list(PM_SCHEDULE_LIST.default_sort))
    dialect = session.get_bind().dialect
    page = repository._unfiltered_page(PmScheduleRepository, PM_SCHEDULE_LIST, LIST_PAGE, query, dialect.name)
    assert driver._compile(page, dialect) is not None
