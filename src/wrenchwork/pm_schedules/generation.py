"""One occurrence of one schedule made into a work order, inside the caller's transaction.

The `pm_schedule_runs` row (unique on schedule and occurrence) is what makes it exactly once: a second attempt at
the same occurrence (another process, a retry after a crash, a double click) stops at the database's unique key.
The work order comes first, through `work_orders.service.create_work_order` (the one way work orders come into
being, so every rule applies, including the reservation of the template's parts as `POST /work_orders/{id}/parts`
makes it), then the run row naming it (one INSERT, where a row written first would need an UPDATE for the work
order's id afterwards: a pass writes thousands), then the schedule's advance. Nothing here commits, and callers run
it in a savepoint: when the run row is refused, the work order made just before goes with the savepoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, literal, literal_column, null, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.events.outbox import emit
from wrenchwork.models import (
    PmSchedule,
    PmScheduleRun,
    PmTemplatePart,
    PmTemplateWorkOrder,
    WorkOrder,
    pm_schedule_procedure_templates,
)
from wrenchwork.models.work_orders import CLOSED_STATUSES
from wrenchwork.pm_schedules.recurrence import latest_occurrence, next_occurrence
from wrenchwork.pm_schedules.service import TEMPLATE_LINKS
from wrenchwork.pm_schedules.timing import due_of, rule_of
from wrenchwork.users.repository import UserRepository
from wrenchwork.work_orders.schemas import ChecklistItem, PartAssignmentIn, WorkOrderCreate
from wrenchwork.work_orders.service import create_work_order

# The template's to-many references, as WorkOrderCreate names them.
REFERENCES = (*TEMPLATE_LINKS, "procedure_template_ids")


@dataclass(frozen=True)
class Step:
    """What generating a schedule now means: the occurrence it makes, where it goes next, and whether that was
    its last (a one-time schedule)."""

    occurrence: datetime
    next_order_date: datetime | None
    completes: bool = False


class AlreadyGenerated(Exception):
    """The occurrence has a run row already: its work order exists (or existed) and is not made again."""

    def __init__(self, schedule_id: int, step: Step) -> None:
        super().__init__(f"PM schedule {schedule_id} has generated its occurrence of {step.occurrence.isoformat()}")
        self.step = step


@dataclass
class Template:
    """A schedule's template work order with its references, read for a batch of schedules at once."""

    row: PmTemplateWorkOrder
    links: dict[str, list[int]] = field(default_factory=dict)
    parts: list[tuple[int, Decimal]] = field(default_factory=list)


def step_for(schedule: PmSchedule, timezone: str, now: datetime) -> Step:
    """The occurrence to generate for a schedule whose `next_order_date` is set (due, or made early by "create
    now"), and its next order date after that (docs/api.md "PM generation"):

    - recurring (`persistent`): a due schedule generates the latest occurrence at or before `now` (missed older
      ones are skipped: catch-up after downtime makes one work order, not a backlog) and moves on to the first
      occurrence after `now`; one made early generates its pending occurrence and moves on to the one after it;
    - `floating`: its pending occurrence; the next one is computed when that work order is closed;
    - `one_time`: its one occurrence, and the schedule is done.
    """
    pending = schedule.next_order_date
    if pending is None:
        raise ValueError(f"PM schedule {schedule.id} has no pending occurrence")
    if schedule.type == "one_time":
        return Step(pending, None, completes=True)
    if schedule.type == "floating":
        return Step(pending, None)
    rule = rule_of(schedule, timezone)
    occurrence = pending
    if pending <= now:
        latest = latest_occurrence(rule, now)
        if latest is not None and latest > pending:
            occurrence = latest
    return Step(occurrence, next_occurrence(rule, max(occurrence, now), inclusive=False))


def advance(schedule: PmSchedule, step: Step) -> None:
    """Move the schedule past `step`'s occurrence (whether this call made its work order or an earlier one did).
    Not a change by a user: `updated_by` stays."""
    schedule.next_order_date = step.next_order_date
    if step.completes:
        schedule.status = "completed"


def load_templates(session: Session, schedule_ids: Sequence[int]) -> dict[int, Template]:
    """`{schedule_id: Template}` for many schedules in two queries (a pass reads a batch at once): the templates,
    then every reference list and part of them in one UNION ALL."""
    if not schedule_ids:
        return {}
    rows = session.scalars(select(PmTemplateWorkOrder).where(PmTemplateWorkOrder.pm_schedule_id.in_(schedule_ids)))
    templates = {row.pm_schedule_id: Template(row, {name: [] for name in REFERENCES}) for row in rows}
    if not templates:
        return templates
    by_template = {t.row.id: t for t in templates.values()}
    params = {"template_ids": list(by_template), "schedule_ids": list(templates)}
    for kind, owner_id, value_id, quantity in session.execute(_REFERENCES, params):
        if kind == "parts":
            by_template[owner_id].parts.append((value_id, quantity))
        elif kind == "procedure_template_ids":
            templates[owner_id].links[kind].append(value_id)
        else:
            by_template[owner_id].links[kind].append(value_id)
    return templates


def _references() -> Any:
    """Built once: (kind, owner id, referenced id, quantity) of the templates bound as `template_ids` and the
    procedure templates of the schedules bound as `schedule_ids`, each list in id order. The parts come first:
    a UNION's columns take their types from its first SELECT, and the quantity is an exact decimal."""
    template_ids: Any = bindparam("template_ids", expanding=True)
    part = PmTemplatePart.__table__.c
    selects = [
        select(
            literal("parts").label("kind"),
            part.template_id.label("owner_id"),
            part.part_id.label("value_id"),
            part.quantity.label("quantity"),
        ).where(part.template_id.in_(template_ids))
    ]
    for name, (link, column) in TEMPLATE_LINKS.items():
        selects.append(
            select(literal(name), link.c.template_id, link.c[column], null()).where(
                link.c.template_id.in_(template_ids)
            )
        )
    procedures = pm_schedule_procedure_templates.c
    selects.append(
        select(
            literal("procedure_template_ids"), procedures.pm_schedule_id, procedures.procedure_template_id, null()
        ).where(procedures.pm_schedule_id.in_(bindparam("schedule_ids", expanding=True)))
    )
    return union_all(*selects).order_by(literal_column("kind"), literal_column("owner_id"), literal_column("value_id"))


_REFERENCES = _references()


def open_work_orders(session: Session, schedule_ids: Iterable[int]) -> dict[int, int]:
    """`{schedule_id: id of one of its open work orders}` for the schedules among `schedule_ids` that have any."""
    ids = list(schedule_ids)
    if not ids:
        return {}
    stmt = (
        select(WorkOrder.pm_schedule_id, WorkOrder.id)
        .where(WorkOrder.pm_schedule_id.in_(ids), WorkOrder.base_status.not_in(CLOSED_STATUSES))
        .order_by(WorkOrder.id)
    )
    found: dict[int, int] = {}
    for schedule_id, work_order_id in session.execute(stmt):
        if schedule_id is not None:
            found.setdefault(schedule_id, work_order_id)
    return found


def generate(session: Session, scope: Scope, schedule: PmSchedule, template: Template, step: Step) -> WorkOrder:
    """Make `step`'s work order from `template` as `scope`'s user and advance the schedule.

    Raises AlreadyGenerated when the occurrence has a run row already: the session's transaction then needs a
    rollback, so callers run this in a savepoint of its own (`session.begin_nested()`).

    The template's technicians must have been through `keep_assignable`; everything goes through the work
    order's own checks all the same."""
    data = _work_order_from(schedule, template, step.occurrence)
    work_order = create_work_order(session, scope, data)
    _record_occurrence(session, schedule.id, step, work_order.id)
    advance(schedule, step)
    session.flush()
    emit(session, "pm_schedule.generated", schedule, work_order_id=work_order.id, occurrence_at=step.occurrence)
    return work_order


def _record_occurrence(session: Session, schedule_id: int, step: Step, work_order_id: int) -> None:
    """The run row, written at once: a unique violation (the occurrence is made already) is AlreadyGenerated."""
    session.add(PmScheduleRun(pm_schedule_id=schedule_id, occurrence_at=step.occurrence, work_order_id=work_order_id))
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyGenerated(schedule_id, step) from exc


def keep_assignable(session: Session, scope: Scope, templates: Iterable[Template]) -> None:
    """Leave off the technicians of these templates (all of `scope`'s entity) who can no longer be assigned work
    (deactivated, made unassignable, no longer a worker of the entity): the work order is made without them
    rather than the schedule stopping for good. One query for all of them. Nothing else of a template goes
    stale: a deleted vendor or procedure template leaves the templates with it, and the assets, locations,
    parts, categories and account codes a template uses cannot be deleted."""
    chosen = [t for t in templates if t.links["technicians_ids"]]
    if not chosen:
        return
    wanted = {i for t in chosen for i in t.links["technicians_ids"]}
    assignable = UserRepository(session, scope).assignable_ids(wanted)
    if assignable == wanted:
        return
    for template in chosen:
        template.links["technicians_ids"] = [i for i in template.links["technicians_ids"] if i in assignable]


def _work_order_from(schedule: PmSchedule, template: Template, occurrence: datetime) -> WorkOrderCreate:
    row = template.row
    links = template.links
    checklist = [
        ChecklistItem(text=item["text"], order=item.get("order"), checked=False) for item in row.checklist or []
    ]
    return WorkOrderCreate(
        title=row.title,
        description=row.description,
        priority=row.priority,
        type="preventive",
        asset_id=row.asset_id,
        location_id=row.location_id,
        pm_schedule_id=schedule.id,
        due_date=due_of(occurrence, schedule),
        checklist=checklist,
        # The template's parts are reserved as POST /work_orders/{id}/parts reserves them, by the create itself.
        parts=[PartAssignmentIn(part_id=part_id, quantity=quantity) for part_id, quantity in template.parts] or None,
        # An empty list is left out rather than sent as []: the work order then has no links to replace at all.
        **{name: ids for name, ids in links.items() if ids},
    )
