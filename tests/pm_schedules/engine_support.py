"""Helpers for the PM generation tests: the test clock, schedules, and running a pass the way a server does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api, Tenant
from wrenchwork.core import clock as server_clock
from wrenchwork.core.counters import recount
from wrenchwork.models import (
    PmSchedule,
    PmTemplatePart,
    PmTemplateWorkOrder,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
)
from wrenchwork.pm_schedules.engine import PassResult, run_pass


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
    """The server clock, always let go again after the test."""
    try:
        yield server_clock
    finally:
        server_clock.set_now(None)


def generate_pass(app: FastAPI, **kwargs: Any) -> PassResult:
    """One generation pass over the test database, as a server's scheduler runs it."""
    kwargs.setdefault("pause", 0)
    return run_pass(app.state.sessionmaker, **kwargs)


def make_schedule(
    session: Session,
    tenant: Tenant,
    *,
    start: str = "2030-01-01T08:00",
    next_order: str | None = None,
    template: dict[str, Any] | None = None,
    parts: list[tuple[int, str]] = (),  # type: ignore[assignment]
    procedure_template_ids: list[int] = (),  # type: ignore[assignment]
    entity_id: int | None = None,
    **fields: Any,
) -> int:
    """A schedule with its template, written straight to the database; next_order_date = start unless given."""
    values: dict[str, Any] = {
        "type": "persistent",
        "status": "planned",
        "time_to_complete": 4,
        "repeat_frequency": "day",
        "repeat_interval": 1,
        "on_week_days": [],
        "in_months": [],
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    } | fields
    schedule = PmSchedule(
        entity_id=entity_id or tenant.entity_id,
        start_date=at(start),
        next_order_date=at(next_order or start),
        **values,
    )
    session.add(schedule)
    session.flush()
    spec: dict[str, Any] = {"title": "Replace HVAC filter"} | (template or {})
    links = {
        name: spec.pop(name, []) for name in ("categories_ids", "account_codes_ids", "technicians_ids", "vendors_ids")
    }
    row = PmTemplateWorkOrder(
        entity_id=schedule.entity_id,
        pm_schedule_id=schedule.id,
        created_by_id=tenant.admin_id,
        updated_by_id=tenant.admin_id,
        **spec,
    )
    session.add(row)
    session.flush()
    for name, (table, column) in {
        "categories_ids": (pm_template_categories, "category_id"),
        "account_codes_ids": (pm_template_account_codes, "account_code_id"),
        "technicians_ids": (pm_template_technicians, "user_id"),
        "vendors_ids": (pm_template_vendors, "vendor_id"),
    }.items():
        if links[name]:
            session.execute(insert(table), [{"template_id": row.id, column: i} for i in links[name]])
    for part_id, quantity in parts:
        session.add(PmTemplatePart(template_id=row.id, part_id=part_id, quantity=quantity))
    if procedure_template_ids:
        session.execute(
            insert(pm_schedule_procedure_templates),
            [{"pm_schedule_id": schedule.id, "procedure_template_id": i} for i in procedure_template_ids],
        )
    session.commit()
    return schedule.id


def work_orders_of(api: Api, schedule_id: int) -> list[dict[str, Any]]:
    """The schedule's work orders as the list shows them, oldest first."""
    response = api.get("/work_orders", params={"filter[pm_schedule_id_eq]": schedule_id, "sort": "id asc"})
    return ok(response)  # type: ignore[no-any-return]


def make_many(session: Session, tenant: Tenant, count: int, start: datetime) -> list[int]:
    """`count` daily schedules due from `start`, bulk-written (the row counters are rebuilt afterwards)."""
    schedules = PmSchedule.__table__
    templates = PmTemplateWorkOrder.__table__
    first = (session.scalar(select(func.max(schedules.c.id))) or 0) + 1
    ids = list(range(first, first + count))
    audit = {"entity_id": tenant.entity_id, "created_by_id": tenant.admin_id, "updated_by_id": tenant.admin_id}
    session.execute(
        insert(schedules),
        [{"id": i, "status": "planned", "type": "persistent", "start_date": start, "next_order_date": start,
          "time_to_complete": 4, "repeat_frequency": "day", "repeat_interval": 1, "repeat_occurrence": "custom",
          "on_week_days": [], "in_months": [], **audit} for i in ids],
    )  # fmt: skip
    session.execute(
        insert(templates),
        [{"id": i, "pm_schedule_id": i, "title": f"PM {i}", "priority": "low", "checklist": [], **audit} for i in ids],
    )
    _sync_sequence(session, "pm_schedules")
    _sync_sequence(session, "pm_template_work_orders")
    recount(session, PmSchedule)
    session.commit()
    return ids


def _sync_sequence(session: Session, table: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
