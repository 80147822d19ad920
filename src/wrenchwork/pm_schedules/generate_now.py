"""`POST /pm_schedules/{id}/generate` (extension): the schedule's next work order, made now ("create now").

It is the engine's generation (pm_schedules/generation.py) in the request's transaction, keyed on the pending
`next_order_date`: two clicks that race for one occurrence make one work order (the second answers 409), and a
client that sends the `next_order_date` it showed gets 409 once that occurrence has been made, instead of the next
one. The caller is the work order's creator.
"""

from __future__ import annotations

from datetime import datetime

from orjson import Fragment
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict, NotFound
from wrenchwork.core.model_base import as_utc
from wrenchwork.core.schemas import DateTime
from wrenchwork.models import PmSchedule
from wrenchwork.pm_schedules.generation import (
    AlreadyGenerated,
    generate,
    keep_assignable,
    load_templates,
    open_work_orders,
    step_for,
)
from wrenchwork.pm_schedules.repository import PmScheduleRepository
from wrenchwork.work_orders.service import get_work_order


class GenerateIn(BaseModel):
    """The optional body of `POST /pm_schedules/{id}/generate`."""

    model_config = ConfigDict(extra="forbid")

    next_order_date: DateTime | None = Field(
        default=None,
        description="The next order date the client showed: 409 if that occurrence is not the pending one any more "
        "(it was generated meanwhile), so a repeated click makes nothing",
    )


def generate_now(session: Session, scope: Scope, schedule_id: int, expected: datetime | None) -> Fragment:
    """`make_now`, answered with the made work order's detail."""
    return get_work_order(session, scope, make_now(session, scope, schedule_id, expected))


def make_now(session: Session, scope: Scope, schedule_id: int, expected: datetime | None) -> int:
    """Make the work order of the schedule's pending occurrence and advance the schedule as the engine would;
    returns the work order's id. 409 (nothing changes) when the schedule is paused or completed, when it is
    floating and one of its work orders is open, when it has no pending occurrence, when `expected` is not the
    pending occurrence any more, or when that occurrence's work order exists already."""
    # Locked (PostgreSQL) and read afresh: a pass generating this schedule right now finishes first.
    schedule = session.scalars(
        PmScheduleRepository(session, scope)
        .scoped()
        .where(PmSchedule.id == schedule_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if schedule is None:
        raise NotFound.of("PM schedule")
    if schedule.status != "planned":
        raise Conflict(f"PM schedule {schedule.id} is {schedule.status}: it generates no work orders")
    if schedule.type == "floating":
        open_one = open_work_orders(session, [schedule.id]).get(schedule.id)
        if open_one is not None:
            raise Conflict(
                f"PM schedule {schedule.id} is floating and its work order {open_one} is still open: the next one "
                "is ordered when that one is completed, cancelled or deleted"
            )
    pending = schedule.next_order_date
    if pending is None:
        raise Conflict(f"PM schedule {schedule.id} has no next order date")
    if expected is not None and as_utc(expected) != pending:
        raise Conflict(
            f"PM schedule {schedule.id}'s next order date is {_moment(pending)}, not {_moment(as_utc(expected))}: "
            "that occurrence has been generated already",
            {"next_order_date": ["is not the pending occurrence"]},
        )
    template = load_templates(session, [schedule.id]).get(schedule.id)
    if template is None:  # pragma: no cover - every schedule is created with its template
        raise Conflict(f"PM schedule {schedule.id} has no template work order")
    keep_assignable(session, scope, [template])
    step = step_for(schedule, scope.entity.timezone, clock.now())
    try:
        with session.begin_nested():  # the unique key's refusal needs a rollback: of this savepoint only
            work_order = generate(session, scope, schedule, template, step)
    except AlreadyGenerated as exc:
        raise Conflict(
            f"PM schedule {schedule_id} has generated the work order of {_moment(exc.step.occurrence)} already"
        ) from exc
    return int(work_order.id)


def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
