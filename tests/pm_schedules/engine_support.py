"""Helpers for the PM generation tests: the test clock, schedules made through the API, and running a pass the way
a server's scheduler does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api
from wrenchwork.core import clock as server_clock
from wrenchwork.core.counters import recount
from wrenchwork.models import PmSchedule, PmTemplateWorkOrder
from wrenchwork.pm_schedules.engine import PassResult, run_pass

# When the tests' schedules are created (the server only plans occurrences from their creation on).
CREATED = "2030-01-01T00:00"


def at(text: str) -> datetime:
    """`"2030-01-10T12:00"` as an aware UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def moment(text: str) -> str:
    """How the API renders a PM date: `2030-01-10T12:00:00.000Z`."""
    return at(text).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def stamp(text: str) -> str:
    """How the API renders a work order date: `2030-01-10T12:00:00Z`."""
    return at(text).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def clock() -> Iterator[Any]:
    """The server clock, at CREATED when a test begins and always let go again after it."""
    server_clock.set_now(at(CREATED))
    try:
        yield server_clock
    finally:
        server_clock.set_now(None)


def generate_pass(app: FastAPI, **kwargs: Any) -> PassResult:
    """One generation pass over the test database, as a server's scheduler runs it, except that a batch holds
    `batch_size` schedules however slow the machine is (no time limit per batch unless a test sets one)."""
    kwargs.setdefault("pause", 0)
    kwargs.setdefault("batch_seconds", 60)
    return run_pass(app.state.sessionmaker, **kwargs)


def create(api: Api, start: str = "2030-01-01T08:00", template: dict[str, Any] | None = None, **fields: Any) -> int:
    """A schedule made through the API (daily at 08:00 from `start`, 4 hours to complete unless `fields` say
    otherwise); returns its id."""
    body = {
        "type": "persistent",
        "start_date": stamp(start),
        "time_to_complete": 4,
        "repeat_frequency": "day",
        "template_work_order_attributes": {"title": "Replace HVAC filter", **(template or {})},
        **fields,
    }
    schedule: dict[str, Any] = ok(api.post("/pm_schedules", json={"pm_schedule": body}), 201)
    return int(schedule["id"])


def schedule_of(api: Api, schedule_id: int) -> dict[str, Any]:
    return ok(api.get(f"/pm_schedules/{schedule_id}"))


def work_orders_of(api: Api, schedule_id: int) -> list[dict[str, Any]]:
    """The schedule's work orders as the list shows them, oldest first."""
    response = api.get("/work_orders", params={"filter[pm_schedule_id_eq]": schedule_id, "sort": "id asc"})
    return ok(response)  # type: ignore[return-value]


def copies(session: Session, schedule_id: int, count: int) -> list[int]:
    """`count - 1` copies of a schedule the API made, written in bulk (a thousand creates through the API take a
    minute on a busy machine); returns the ids of all `count`. The row counters are rebuilt afterwards."""
    schedule = session.get(PmSchedule, schedule_id)
    template = session.scalars(select(PmTemplateWorkOrder).where(PmTemplateWorkOrder.pm_schedule_id == schedule_id))
    assert schedule is not None
    template_row = template.one()
    schedules, templates = PmSchedule.__table__, PmTemplateWorkOrder.__table__
    first = (session.scalar(select(func.max(schedules.c.id))) or 0) + 1
    first_template = (session.scalar(select(func.max(templates.c.id))) or 0) + 1
    ids = list(range(first, first + count - 1))
    columns = [c.name for c in schedules.columns if c.name != "id"]
    session.execute(insert(schedules), [{"id": i, **{c: getattr(schedule, c) for c in columns}} for i in ids])
    template_columns = [c.name for c in templates.columns if c.name not in ("id", "pm_schedule_id")]
    session.execute(
        insert(templates),
        [
            {"id": first_template + n, "pm_schedule_id": i, **{c: getattr(template_row, c) for c in template_columns}}
            for n, i in enumerate(ids)
        ],
    )
    for table in ("pm_schedules", "pm_template_work_orders"):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    recount(session, PmSchedule)
    session.commit()
    return [schedule_id, *ids]
