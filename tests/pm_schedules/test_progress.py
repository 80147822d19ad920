"""What a schedule's work orders say about it: `has_work_orders`, `has_uncompleted_wo`, `progression`, the last
active work order. The list renders them in SQL, the detail in Python: both must say the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.catalog.support import ok
from tests.helpers import Api
from tests.pm_schedules.support import create_schedule
from wrenchwork.core import clock

FIELDS = ("has_uncompleted_wo", "progression")
DETAIL_FIELDS = ("has_work_orders", "last_active_work_order_id", "last_active_work_order_title")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    clock.set_now(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    yield
    clock.set_now(None)


def _state(api: Api, schedule_id: int) -> dict[str, Any]:
    """The work-order fields of the detail, after checking that the list item says the same."""
    detail = ok(api.get(f"/pm_schedules/{schedule_id}"))
    (item,) = [i for i in ok(api.get("/pm_schedules", params={"per_page": 100})) if i["id"] == schedule_id]
    assert {key: item[key] for key in FIELDS} == {key: detail[key] for key in FIELDS}
    return {key: detail[key] for key in (*DETAIL_FIELDS, *FIELDS)}


def _work_order(api: Api, schedule_id: int, title: str, **fields: Any) -> dict[str, Any]:
    body = {"title": title, "type": "preventive", "pm_schedule_id": schedule_id, **fields}
    return ok(api.post("/work_orders", json={"work_order": body}), 201)


def _answer(api: Api, work_order: dict[str, Any], *values: Any) -> None:
    """Answers the first items of the work order's first procedure with `values`."""
    procedure = work_order["procedures"][0]["id"]
    path = f"/work_orders/{work_order['id']}/procedures/{procedure}"
    items = ok(api.get(path))["items"]
    answers = [{"item_id": item["id"], "value": value} for item, value in zip(items, values, strict=False)]
    ok(api.patch(path, json={"procedure": {"answers": answers}}))


def _complete(api: Api, work_order_id: int) -> None:
    ok(api.patch(f"/work_orders/{work_order_id}", json={"work_order": {"status_id": 5}}))


def test_no_work_orders(api: Api) -> None:
    schedule = create_schedule(api)
    assert _state(api, schedule["id"]) == {
        "has_work_orders": False,
        "last_active_work_order_id": None,
        "last_active_work_order_title": None,
        "has_uncompleted_wo": False,
        "progression": {"percentage": None, "id": None, "status": None},
    }


def test_the_last_active_work_order_and_its_progress(api: Api) -> None:
    schedule = create_schedule(api)
    other = create_schedule(api, "Another schedule")
    _work_order(api, other["id"], "Not this schedule's")
    checklist = [{"text": "One", "checked": True}, {"text": "Two", "checked": True}, {"text": "Three"}]
    first = _work_order(api, schedule["id"], "March filter change", checklist=checklist)
    _complete(api, first["id"])
    # Only a completed one: it is the last active one (2 of 3 checked: 67%), nothing is uncompleted.
    assert _state(api, schedule["id"]) == {
        "has_work_orders": True,
        "last_active_work_order_id": first["id"],
        "last_active_work_order_title": "March filter change",
        "has_uncompleted_wo": False,
        "progression": {"percentage": 67, "id": first["id"], "status": None},
    }
    items = [{"name": "Reading", "item_type": "text"}, {"name": "Belt ok", "item_type": "checkbox"}]
    body = {"procedure_template": {"name": "Audit", "items_attributes": items}}
    template = ok(api.post("/procedure_templates", json=body), 201)
    second = _work_order(api, schedule["id"], "April filter change", due_date="2026-02-20T00:00:00Z",
                         checklist=[{"text": "One", "checked": True}, {"text": "Two"}],
                         procedure_template_ids=[template["id"]])  # fmt: skip
    _answer(api, second, None, False)  # a checkbox answered "no" counts as answered
    third = _work_order(api, schedule["id"], "Cancelled one", status_id=4)
    # The newest open one wins over the newer cancelled one: 2 of 4 done; past its due date.
    assert _state(api, schedule["id"]) == {
        "has_work_orders": True,
        "last_active_work_order_id": second["id"],
        "last_active_work_order_title": "April filter change",
        "has_uncompleted_wo": True,
        "progression": {"percentage": 50, "id": second["id"], "status": "overdue"},
    }
    clock.set_now(datetime(2026, 2, 1, tzinfo=UTC))
    assert _state(api, schedule["id"])["progression"] == {"percentage": 50, "id": second["id"], "status": None}
    _answer(api, second, "1200 rpm", True)
    assert _state(api, schedule["id"])["progression"]["percentage"] == 75
    _complete(api, second["id"])
    # All closed: the newest one (the cancelled one, without items: 0%).
    assert _state(api, schedule["id"]) == {
        "has_work_orders": True,
        "last_active_work_order_id": third["id"],
        "last_active_work_order_title": "Cancelled one",
        "has_uncompleted_wo": False,
        "progression": {"percentage": 0, "id": third["id"], "status": None},
    }


def test_percentage_rounds_half_up(api: Api) -> None:
    schedule = create_schedule(api)
    checklist = [{"text": f"Step {n}", "checked": n == 0} for n in range(8)]
    _work_order(api, schedule["id"], "Eight steps", checklist=checklist)  # 1 of 8: 12.5%
    assert _state(api, schedule["id"])["progression"]["percentage"] == 13
