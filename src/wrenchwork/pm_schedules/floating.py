"""Floating schedules follow their work order: the next one is ordered from the moment the previous one closed.

`work_order_changed` is called by work_orders/service.py wherever a work order opens or closes (a status change,
a deletion), in the same transaction, so a floating schedule's `next_order_date` is right the moment the change
commits:
- its open work order is completed, cancelled or deleted (and no other of its work orders is open):
  `next_order_date = floating_next(rule, moment)`, the moment being the completion (`completed_at`, never earlier
  than the occurrence the work order was made for) or, for a cancellation or deletion, `clock.now()`;
- one of its work orders is (re)opened: `next_order_date = null`, as nothing is generated while one is open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.models import Entity, PmSchedule, PmScheduleRun, WorkOrder
from wrenchwork.models.work_orders import CLOSED_STATUSES
from wrenchwork.pm_schedules.recurrence import floating_next
from wrenchwork.pm_schedules.timing import rule_of


def is_open(base_status: str) -> bool:
    return base_status not in CLOSED_STATUSES


def work_order_changed(
    session: Session, work_order: WorkOrder, was_open: bool, now_open: bool, moment: datetime
) -> None:
    """Call after a work order's status changed (or before it is deleted, with `now_open=False`)."""
    if work_order.pm_schedule_id is None or was_open == now_open:
        return
    schedule = session.scalars(
        select(PmSchedule)
        .where(PmSchedule.id == work_order.pm_schedule_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if schedule is None or schedule.type != "floating" or schedule.status == "completed":
        return
    if now_open:
        schedule.next_order_date = None
        session.flush()
        return
    others_open = session.scalar(
        select(WorkOrder.id)
        .where(WorkOrder.pm_schedule_id == schedule.id, WorkOrder.id != work_order.id)
        .where(WorkOrder.base_status.not_in(CLOSED_STATUSES))
        .limit(1)
    )
    if others_open is not None:
        return
    made_for = session.scalar(select(PmScheduleRun.occurrence_at).where(PmScheduleRun.work_order_id == work_order.id))
    if made_for is not None and made_for > moment:
        moment = made_for  # made early ("create now"), closed before its date: the cycle runs from its date
    entity = session.get(Entity, schedule.entity_id)
    timezone = entity.timezone if entity is not None else "Etc/UTC"
    schedule.next_order_date = floating_next(rule_of(schedule, timezone), moment)
    session.flush()
