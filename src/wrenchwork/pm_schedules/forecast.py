"""Forecasts (extension): the coming occurrences of one schedule, and the entity's whole PM calendar.

Both start at each schedule's `next_order_date`, the occurrence the engine generates next, and read calendar days
in the entity's time zone (`until` is the last day included). What counts:
- a `planned` persistent schedule: every occurrence of its rule from `next_order_date` on;
- a `planned` one-time schedule: its single pending date; a `planned` floating one: only its next order date
  (the ones after depend on when that work order is completed);
- a paused or completed schedule, or one without a next order date: nothing.
Both are bounded: at most `MAX_OCCURRENCES` entries (`meta.truncated` says when more exist), a schedule's
forecast at most `MAX_YEARS_AHEAD` years ahead, the calendar at most `MAX_CALENDAR_DAYS` days at a time.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.schemas import check_year
from wrenchwork.models import Asset, PmSchedule, PmTemplateWorkOrder
from wrenchwork.pm_schedules import timing
from wrenchwork.pm_schedules.recurrence import occurrences
from wrenchwork.pm_schedules.repository import PmScheduleRepository
from wrenchwork.pm_schedules.service import get_row, pm_moment

MAX_OCCURRENCES = 500
MAX_YEARS_AHEAD = 10
MAX_CALENDAR_DAYS = 366
DEFAULT_CALENDAR_DAYS = 30


def schedule_forecast(
    session: Session, scope: Scope, schedule_id: int, until: date | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`[{order_date, due_date}]` of one schedule up to `until` (default: a year from today), and the meta."""
    repo = PmScheduleRepository(session, scope)
    schedule = get_row(repo, schedule_id)
    zone = scope.entity.timezone
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    last_day = _day(until, "until") if until is not None else _add_years(today, 1)
    if last_day > _add_years(today, MAX_YEARS_AHEAD):
        raise Unprocessable.field("until", f"must be at most {MAX_YEARS_AHEAD} years after today ({today})")
    moments = list(itertools.islice(_coming(schedule, zone, None, _end_of(last_day, zone)), MAX_OCCURRENCES + 1))
    data = [_occurrence(moment, schedule) for moment in moments[:MAX_OCCURRENCES]]
    return data, {"until": last_day.isoformat(), "truncated": len(moments) > MAX_OCCURRENCES}


def calendar(
    session: Session, scope: Scope, first: date | None, last: date | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every schedule's coming occurrences from `first` to `last` (default: today and the 30 days after it),
    `[{pm_schedule_id, title, asset, order_date, due_date}]` by order date (then schedule id)."""
    zone = scope.entity.timezone
    first_day = _day(first, "from") if first is not None else clock.now().astimezone(ZoneInfo(zone)).date()
    last_day = _day(last, "until") if last is not None else first_day + timedelta(days=DEFAULT_CALENDAR_DAYS)
    if last_day < first_day:
        raise Unprocessable.field("until", "must not be before from")
    if (last_day - first_day).days + 1 > MAX_CALENDAR_DAYS:
        raise Unprocessable.field("until", f"must be at most {MAX_CALENDAR_DAYS} days from from, both included")
    start, end = _start_of(first_day, zone), _end_of(last_day, zone)
    repo = PmScheduleRepository(session, scope)
    stmt = repo.scoped(
        select(PmSchedule, PmTemplateWorkOrder.title, PmTemplateWorkOrder.asset_id, Asset.name.label("asset_name"))
        .join(PmTemplateWorkOrder, PmTemplateWorkOrder.pm_schedule_id == PmSchedule.id)
        .outerjoin(Asset, Asset.id == PmTemplateWorkOrder.asset_id)
        .where(PmSchedule.status == "planned", PmSchedule.next_order_date <= end)
    )
    streams = []
    for schedule, title, asset_id, asset_name in session.execute(stmt):
        asset = None if asset_id is None else {"id": asset_id, "name": asset_name}
        shown = {"pm_schedule_id": schedule.id, "title": title, "asset": asset}
        streams.append(_entries(schedule, shown, _coming(schedule, zone, start, end)))
    merged = list(itertools.islice(heapq.merge(*streams, key=lambda entry: entry[:2]), MAX_OCCURRENCES + 1))
    data = [shown | _occurrence(moment, schedule) for moment, _, shown, schedule in merged[:MAX_OCCURRENCES]]
    meta = {"from": first_day.isoformat(), "until": last_day.isoformat(), "truncated": len(merged) > MAX_OCCURRENCES}
    return data, meta


def _coming(schedule: PmSchedule, zone: str, start: datetime | None, end: datetime) -> Iterator[datetime]:
    """The schedule's occurrences from its next order date (and from `start`) up to `end`, ascending."""
    next_order = schedule.next_order_date
    if schedule.status != "planned" or next_order is None or next_order > end:
        return iter(())
    if schedule.type != "persistent":
        return iter(()) if start is not None and next_order < start else iter((next_order,))
    after = next_order if start is None else max(next_order, start)
    return occurrences(timing.rule_of(schedule, zone), after, end, inclusive=True, limit=MAX_OCCURRENCES + 1)


def _entries(
    schedule: PmSchedule, shown: dict[str, Any], moments: Iterator[datetime]
) -> Iterator[tuple[datetime, int, dict[str, Any], PmSchedule]]:
    for moment in moments:
        yield moment, schedule.id, shown, schedule


def _occurrence(moment: datetime, schedule: PmSchedule) -> dict[str, Any]:
    return {"order_date": pm_moment(moment), "due_date": pm_moment(timing.due_of(moment, schedule))}


def _day(value: date, name: str) -> date:
    try:
        check_year(value)
    except ValueError as exc:
        raise Unprocessable.field(name, str(exc)) from None
    return value


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29th
        return day.replace(year=day.year + years, day=28)


def _start_of(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone))


def _end_of(day: date, zone: str) -> datetime:
    """The last moment of `day` in the entity's zone (occurrences are at most to the microsecond)."""
    return _start_of(day + timedelta(days=1), zone) - timedelta(microseconds=1)
