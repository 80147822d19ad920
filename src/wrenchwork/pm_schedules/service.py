"""PM schedules: create/list/get/update/delete, and when a schedule's next order date is (re)computed.

A schedule's template is checked by the work order's own rules (work_orders/service.py `check_references`,
`shape_checklist`), so a template accepts exactly what a work order would. Generating work orders from
schedules is the generation engine's; this module only plans the next occurrence:
- on create, when a timing field changes, and when the schedule goes back to `planned`:
  `timing.initial_next_order_date`;
- `paused` (and `completed`) schedules have no next order date; nor does a floating schedule while one of its
  work orders is still open (its next one is planned when that work order is closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from orjson import Fragment
from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.events.outbox import note_changed
from wrenchwork.models import (
    Part,
    PmSchedule,
    PmTemplateWorkOrder,
    ProcedureTemplate,
    WorkOrder,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
)
from wrenchwork.models.work_orders import CLOSED_STATUSES
from wrenchwork.pm_schedules import timing
from wrenchwork.pm_schedules.listing import PM_SCHEDULE_LIST
from wrenchwork.pm_schedules.repository import DETAIL, LIST_PAGE, PmScheduleRepository, TemplateRepository
from wrenchwork.pm_schedules.schemas import (
    PmScheduleCreate,
    PmScheduleUpdate,
    TemplateCreate,
    TemplateFields,
    TemplateUpdate,
)
from wrenchwork.work_orders.service import check_references, shape_checklist

WRAPPER = "pm_schedule"
TEMPLATE = f"{WRAPPER}.template_work_order_attributes"
# field -> (link table, column of the linked id); the same fields as a work order's links.
TEMPLATE_LINKS = {
    "categories_ids": (pm_template_categories, "category_id"),
    "account_codes_ids": (pm_template_account_codes, "account_code_id"),
    "technicians_ids": (pm_template_technicians, "user_id"),
    "vendors_ids": (pm_template_vendors, "vendor_id"),
}
# Fields whose change moves the next order date.
TIMING = ("type", "start_date", "repeat_frequency", "repeat_interval", "on_week_days", "in_months", "on_month_day")
NOT_NULL = (
    "type", "status", "start_date", "time_to_complete", "repeat_frequency", "repeat_interval", "repeat_occurrence",
    "on_week_days", "in_months", "procedure_template_ids", "template_work_order_attributes",
)  # fmt: skip
TEMPLATE_NOT_NULL = ("title", "priority", "checklist", "parts")


def pm_moment(moment: datetime | None) -> str | None:
    """A PM schedule date as the published examples show it: `2026-07-18T12:00:00.000Z`."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    if utc.year >= 1000:  # the same text, three times faster (a calendar formats 1,000 of them)
        return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


# ---- reading ---------------------------------------------------------------------------------------------------


def list_pm_schedules(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Fragment], int]:
    repo = PmScheduleRepository(session, scope)
    return repo.json_page(PM_SCHEDULE_LIST, query, LIST_PAGE, {"pm_now": clock.now()})


def export_pm_schedules(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    """The list's items with `repeat_interval`, which neither the item nor the detail shows but an export must
    carry for its import to make the same schedule (exports/columns.py)."""
    items, total = list_pm_schedules(session, scope, query)
    parsed = [orjson.loads(orjson.dumps(item)) for item in items]
    intervals = PmScheduleRepository(session, scope).intervals([item["id"] for item in parsed])
    return [item | {"repeat_interval": intervals.get(item["id"])} for item in parsed], total


def pm_schedule_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented detail as JSON text}` of those of `ids` the caller sees, rendered by the database in
    one statement (pm_schedules/repository.py `DETAIL`)."""
    return PmScheduleRepository(session, scope).json_details(DETAIL, ids, {"pm_now": clock.now()})


# The detail of one pm schedule (the API's answer as the database rendered it), or as a dict (web pages, writes).
_ONE = OneDetail(pm_schedule_details, "PM schedule")
get_pm_schedule = _ONE.fragment
read_pm_schedule = _ONE.read


def get_row(repo: PmScheduleRepository, schedule_id: int) -> PmSchedule:
    schedule = repo.get(schedule_id)
    if schedule is None:
        raise NotFound.of("PM schedule")
    return schedule


# ---- writing ---------------------------------------------------------------------------------------------------


def create_pm_schedule(session: Session, scope: Scope, data: PmScheduleCreate) -> PmSchedule:
    repo = PmScheduleRepository(session, scope)
    _check_nulls(data)
    _check_references(repo, data.procedure_template_ids, data.template_work_order_attributes)
    schedule = repo.add(
        PmSchedule(
            type=data.type,
            status=data.status or "planned",
            start_date=data.start_date,
            time_to_complete=data.time_to_complete,
            repeat_frequency=data.repeat_frequency,
            repeat_interval=data.repeat_interval or 1,
            repeat_occurrence=data.repeat_occurrence or "custom",
            on_week_days=data.on_week_days or [],
            in_months=data.in_months or [],
            on_month_day=data.on_month_day,
        )
    )
    attributes = data.template_work_order_attributes
    template = TemplateRepository(session, scope).add(
        PmTemplateWorkOrder(pm_schedule_id=schedule.id, title=attributes.title, priority=attributes.priority or "none")
    )
    _apply_template(repo, template, attributes)
    if data.procedure_template_ids:
        _set_procedure_templates(repo, schedule, data.procedure_template_ids)
    _plan(repo, schedule, scope.entity.timezone)
    return schedule


def update_pm_schedule(session: Session, scope: Scope, schedule_id: int, data: PmScheduleUpdate) -> PmSchedule:
    """Only the fields sent change. A change of timing, or going back to `planned`, plans the next order date
    again from now on; pausing clears it."""
    repo = PmScheduleRepository(session, scope)
    schedule = get_row(repo, schedule_id)
    sent = data.model_fields_set
    _check_nulls(data)
    attributes = data.template_work_order_attributes
    _check_references(repo, data.procedure_template_ids, attributes)
    retimed = any(name in sent and getattr(data, name) != getattr(schedule, name) for name in TIMING)
    replanned = data.status == "planned" and schedule.status != "planned"
    for name in (*TIMING, "time_to_complete", "repeat_occurrence", "status"):
        if name in sent:
            setattr(schedule, name, getattr(data, name))
    if retimed or replanned or schedule.status != "planned":
        _plan(repo, schedule, scope.entity.timezone)
    if attributes is not None:
        template = repo.template_of(schedule.id)
        assert template is not None, "every schedule has its template"
        _apply_template(repo, template, attributes)
        TemplateRepository(session, scope).touch(template)
    if data.procedure_template_ids is not None:
        _set_procedure_templates(repo, schedule, data.procedure_template_ids)
    repo.touch(schedule)
    return schedule


def delete_pm_schedule(session: Session, scope: Scope, schedule_id: int) -> None:
    """The schedule goes with its template and run records; the work orders it generated stay, with
    `pm_schedule_id` null (the foreign key's ON DELETE SET NULL)."""
    repo = PmScheduleRepository(session, scope)
    repo.delete(get_row(repo, schedule_id))


# ---- rules -----------------------------------------------------------------------------------------------------


def _plan(repo: PmScheduleRepository, schedule: PmSchedule, timezone: str) -> None:
    """Sets `next_order_date` as the module's text says."""
    if schedule.status != "planned" or (schedule.type == "floating" and _has_open_work_order(repo, schedule.id)):
        schedule.next_order_date = None
        return
    schedule.next_order_date = timing.initial_next_order_date(schedule, timezone, clock.now())
    if schedule.next_order_date is None:
        # A rule that never matches (every 7 days on another weekday than the start's, ...): it would never order.
        field = "on_week_days" if schedule.on_week_days else "in_months" if schedule.in_months else "start_date"
        raise Unprocessable.field(f"{WRAPPER}.{field}", "leaves the schedule without any occurrence from now on")


def _has_open_work_order(repo: PmScheduleRepository, schedule_id: int) -> bool:
    stmt = select(WorkOrder.id).where(
        WorkOrder.pm_schedule_id == schedule_id, WorkOrder.base_status.not_in(CLOSED_STATUSES)
    )
    return repo.session.scalar(stmt.limit(1)) is not None


def _check_nulls(data: PmScheduleCreate | PmScheduleUpdate) -> None:
    """`null` only clears what may be empty (docs/api.md); elsewhere it is a 422, on create as on update."""
    for name in NOT_NULL:
        if name in data.model_fields_set and getattr(data, name) is None:
            raise Unprocessable.field(f"{WRAPPER}.{name}", "cannot be null")
    attributes = data.template_work_order_attributes
    if attributes is not None:
        for name in TEMPLATE_NOT_NULL:
            if name in attributes.model_fields_set and getattr(attributes, name) is None:
                raise Unprocessable.field(f"{TEMPLATE}.{name}", "cannot be null")


def _check_references(
    repo: PmScheduleRepository, procedure_template_ids: list[int] | None, attributes: TemplateFields | None
) -> None:
    if procedure_template_ids:
        unknown = sorted(set(procedure_template_ids) - repo.ids_in_scope(ProcedureTemplate, procedure_template_ids))
        if unknown:
            raise Unprocessable.field(
                f"{WRAPPER}.procedure_template_ids",
                f"unknown ids {unknown}: must be procedure templates of this entity",
            )
    if attributes is None:
        return
    check_references(repo, attributes, TEMPLATE)
    if attributes.parts:
        wanted = [p.part_id for p in attributes.parts]
        unknown = sorted(set(wanted) - repo.ids_in_scope(Part, wanted))
        if unknown:
            raise Unprocessable.field(f"{TEMPLATE}.parts", f"unknown part ids {unknown}: must be parts of this entity")


def _apply_template(
    repo: PmScheduleRepository, template: PmTemplateWorkOrder, data: TemplateCreate | TemplateUpdate
) -> None:
    sent = data.model_fields_set
    if data.title is not None:
        template.title = data.title
    if data.priority is not None:
        template.priority = data.priority
    for name in ("description", "asset_id", "location_id"):
        if name in sent:
            setattr(template, name, getattr(data, name))
    if data.checklist is not None:
        template.checklist = shape_checklist(data.checklist)
    for field, (link, column) in TEMPLATE_LINKS.items():
        ids = getattr(data, field)
        if ids is not None and repo.set_links(link, "template_id", template.id, column, ids):
            schedule = repo.session.get(PmSchedule, template.pm_schedule_id)
            if schedule is not None:
                note_changed(repo.session, schedule, "template_work_order")
    if data.parts is not None:
        repo.set_parts(template.id, [(p.part_id, p.quantity) for p in data.parts])
    repo.session.flush()


def _set_procedure_templates(repo: PmScheduleRepository, schedule: PmSchedule, ids: list[int]) -> None:
    link = pm_schedule_procedure_templates
    if repo.set_links(link, "pm_schedule_id", schedule.id, "procedure_template_id", ids):
        note_changed(repo.session, schedule, "procedure_template_ids")
