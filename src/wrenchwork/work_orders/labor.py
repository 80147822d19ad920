"""Labor and additional costs of a work order (extensions): time entries, per-user timers, cost lines.

A time entry is priced when it is made: the user's rate of its `rate_type` (`regular_rate`, `overtime_rate1`,
`overtime_rate2`) times its hours, rounded half-up to cents, so later rate changes never rewrite past costs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import as_utc, utcnow
from wrenchwork.core.repository import Repository
from wrenchwork.core.schemas import MAX_YEAR, check_year
from wrenchwork.models import TimeEntry, WorkOrder, WorkOrderCost, WorkTimer
from wrenchwork.users.repository import UserRepository
from wrenchwork.work_orders.listing import COST_LIST, TIME_ENTRY_LIST
from wrenchwork.work_orders.repository import WorkOrderRepository
from wrenchwork.work_orders.schemas import CostIn, TimeEntryIn
from wrenchwork.work_orders.service import get_row

CENT = Decimal("0.01")
HOUR_UNIT = Decimal("0.001")
RATE_COLUMNS = {"regular": "regular_rate", "overtime1": "overtime_rate1", "overtime2": "overtime_rate2"}
# Longest single entry: a timer forgotten over a long weekend is still one entry, a year is a typo.
MAX_ENTRY = timedelta(hours=10_000)


class TimeEntryRepository(Repository[TimeEntry]):
    model = TimeEntry


class TimerRepository(Repository[WorkTimer]):
    model = WorkTimer

    def running(self, work_order_id: int, user_id: int) -> WorkTimer | None:
        stmt = self.scoped().where(WorkTimer.work_order_id == work_order_id, WorkTimer.user_id == user_id)
        found: WorkTimer | None = self.session.scalars(stmt).first()
        return found


class CostRepository(Repository[WorkOrderCost]):
    model = WorkOrderCost


def _work_order(session: Session, scope: Scope, work_order_id: int) -> WorkOrder:
    return get_row(WorkOrderRepository(session, scope), work_order_id)


# ---- time entries ----------------------------------------------------------------------------------------------


def time_entry_item(entry: TimeEntry, user: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "work_order_id": entry.work_order_id,
        "user": user,
        "started_at": entry.started_at,
        "ended_at": entry.ended_at,
        "duration": entry.hours,
        "rate_type": entry.rate_type,
        "rate": entry.rate,
        "cost": entry.cost,
        "created_at": entry.created_at,
        "created_by_id": entry.created_by_id,
    }


def present_time_entry(session: Session, scope: Scope, entry: TimeEntry) -> dict[str, Any]:
    users = TimeEntryRepository(session, scope).user_refs([entry.user_id])
    return time_entry_item(entry, users.get(entry.user_id))


def list_time_entries(
    session: Session, scope: Scope, work_order_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], int]:
    work_order = _work_order(session, scope, work_order_id)
    repo = TimeEntryRepository(session, scope)
    rows, total = repo.page(TIME_ENTRY_LIST, query, repo.scoped().where(TimeEntry.work_order_id == work_order.id))
    entries = [r[0] for r in rows]
    users = repo.user_refs(e.user_id for e in entries)
    return [time_entry_item(e, users.get(e.user_id)) for e in entries], total


def add_time_entry(session: Session, scope: Scope, work_order_id: int, data: TimeEntryIn) -> dict[str, Any]:
    """`ended_at` or `duration` (hours), not both; the user (default: the caller) must be assignable here."""
    work_order = _work_order(session, scope, work_order_id)
    started = as_utc(data.started_at)
    if (data.ended_at is None) == (data.duration is None):
        raise Unprocessable.field("time_entry.ended_at", "send either ended_at or duration (hours), not both")
    if data.duration is not None:
        hours = data.duration
        ended = started + timedelta(hours=float(hours))
        try:
            check_year(ended)  # the end is a date-time the API shows and filters on: the same range applies
        except ValueError:
            message = f"would put ended_at after the year {MAX_YEAR}"
            raise Unprocessable.field("time_entry.duration", message) from None
    else:
        assert data.ended_at is not None
        ended = as_utc(data.ended_at)
        if ended <= started:
            raise Unprocessable.field("time_entry.ended_at", "must be after started_at")
        if ended - started > MAX_ENTRY:
            raise Unprocessable.field("time_entry.ended_at", "makes an entry longer than 10000 hours")
        hours = Decimal(int((ended - started).total_seconds())) / 3600
    user_id = data.user_id or scope.user_id
    return _record(session, scope, work_order, user_id, started, ended, hours, data.rate_type, "time_entry.user_id")


def _record(
    session: Session,
    scope: Scope,
    work_order: WorkOrder,
    user_id: int,
    started: datetime,
    ended: datetime,
    hours: Decimal,
    rate_type: str,
    path: str,
) -> dict[str, Any]:
    users = UserRepository(session, scope)
    if not users.assignable_ids([user_id]):
        raise Unprocessable.field(path, "is not a user of this entity who can be assigned work")
    user = users.get(user_id)
    assert user is not None
    rate = Decimal(getattr(user, RATE_COLUMNS[rate_type]))
    entry = TimeEntryRepository(session, scope).add(
        TimeEntry(
            work_order_id=work_order.id,
            user_id=user_id,
            started_at=started,
            ended_at=ended,
            hours=hours.quantize(HOUR_UNIT, rounding=ROUND_HALF_UP),
            rate_type=rate_type,
            rate=rate,
            cost=(rate * hours).quantize(CENT, rounding=ROUND_HALF_UP),
        )
    )
    return time_entry_item(entry, {"id": user.id, "name": user.name, "surname": user.surname})


def delete_time_entry(session: Session, scope: Scope, work_order_id: int, entry_id: int) -> None:
    work_order = _work_order(session, scope, work_order_id)
    repo = TimeEntryRepository(session, scope)
    entry = repo.get(entry_id)
    if entry is None or entry.work_order_id != work_order.id:
        raise NotFound.of("Time entry")
    repo.delete(entry)


# ---- timers ----------------------------------------------------------------------------------------------------


def start_timer(session: Session, scope: Scope, work_order_id: int) -> dict[str, Any]:
    """The caller's timer on this work order (one at a time per work order: 409 when it already runs)."""
    work_order = _work_order(session, scope, work_order_id)
    if not UserRepository(session, scope).assignable_ids([scope.user_id]):
        raise Unprocessable.field("user", "the caller cannot be assigned work in this entity")
    repo = TimerRepository(session, scope)
    if repo.running(work_order.id, scope.user_id) is not None:
        raise Conflict("Your timer on this work order is already running")
    timer = repo.add(WorkTimer(work_order_id=work_order.id, user_id=scope.user_id, started_at=utcnow()))
    return {"created_by_id": timer.user_id, "started_at": timer.started_at}


def stop_timer(session: Session, scope: Scope, work_order_id: int, rate_type: str) -> dict[str, Any]:
    """Turns the caller's running timer into a time entry (409 when none runs); returns the entry."""
    work_order = _work_order(session, scope, work_order_id)
    repo = TimerRepository(session, scope)
    timer = repo.running(work_order.id, scope.user_id)
    if timer is None:
        raise Conflict("You have no running timer on this work order")
    ended = utcnow().replace(microsecond=0)
    started = timer.started_at.replace(microsecond=0)
    ended = max(ended, started + timedelta(seconds=1))
    hours = Decimal(int((ended - started).total_seconds())) / 3600
    repo.delete(timer)
    return _record(session, scope, work_order, scope.user_id, started, ended, hours, rate_type, "user")


# ---- additional costs ------------------------------------------------------------------------------------------


def cost_item(cost: WorkOrderCost) -> dict[str, Any]:
    return {
        "id": cost.id,
        "work_order_id": cost.work_order_id,
        "description": cost.description,
        "amount": cost.amount,
        "created_at": cost.created_at,
        "created_by_id": cost.created_by_id,
    }


def list_costs(
    session: Session, scope: Scope, work_order_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], int]:
    work_order = _work_order(session, scope, work_order_id)
    repo = CostRepository(session, scope)
    rows, total = repo.page(COST_LIST, query, repo.scoped().where(WorkOrderCost.work_order_id == work_order.id))
    return [cost_item(r[0]) for r in rows], total


def add_cost(session: Session, scope: Scope, work_order_id: int, data: CostIn) -> dict[str, Any]:
    work_order = _work_order(session, scope, work_order_id)
    repo = CostRepository(session, scope)
    return cost_item(
        repo.add(WorkOrderCost(work_order_id=work_order.id, description=data.description, amount=data.amount))
    )


def delete_cost(session: Session, scope: Scope, work_order_id: int, cost_id: int) -> None:
    work_order = _work_order(session, scope, work_order_id)
    repo = CostRepository(session, scope)
    cost = repo.get(cost_id)
    if cost is None or cost.work_order_id != work_order.id:
        raise NotFound.of("Cost")
    repo.delete(cost)
