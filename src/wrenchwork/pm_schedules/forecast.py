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
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.db import run_alone
from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.schemas import check_year
from wrenchwork.models import Asset, PmSchedule, PmTemplateWorkOrder
from wrenchwork.pm_schedules import timing
from wrenchwork.pm_schedules.occurrence_cache import OCCURRENCES
from wrenchwork.pm_schedules.recurrence import occurrences
from wrenchwork.pm_schedules.repository import PmScheduleRepository
from wrenchwork.pm_schedules.service import get_row, pm_moment
from wrenchwork.pm_schedules.timing import Timed

MAX_OCCURRENCES = 500
MAX_YEARS_AHEAD = 10
MAX_CALENDAR_DAYS = 366
DEFAULT_CALENDAR_DAYS = 30
# What a forecast reads of a schedule (a `PmSchedule` or a row of these columns).
FORECAST_COLUMNS = (
    PmSchedule.id, PmSchedule.type, PmSchedule.status, PmSchedule.next_order_date, PmSchedule.start_date,
    PmSchedule.time_to_complete, PmSchedule.repeat_frequency, PmSchedule.repeat_interval, PmSchedule.on_week_days,
    PmSchedule.in_months, PmSchedule.on_month_day,
)  # fmt: skip


class Forecast(Timed, Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def next_order_date(self) -> datetime | None: ...


S = TypeVar("S", bound=Forecast)


def schedule_forecast(
    session: Session, scope: Scope, schedule_id: int, until: date | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`[{order_date, due_date}]` of one schedule up to `until` (default: a year from today), and the meta."""
    repo = PmScheduleRepository(session, scope)
    run_alone(session)  # the schedule's row is all it reads
    schedule = get_row(repo, schedule_id)
    zone = scope.entity.timezone
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    last_day = _day(until, "until") if until is not None else _add_years(today, 1)
    if last_day > _add_years(today, MAX_YEARS_AHEAD):
        raise Unprocessable.field("until", f"must be at most {MAX_YEARS_AHEAD} years after today ({today})")
    moments = list(itertools.islice(_coming(schedule, zone, None, _end_of(last_day, zone)), MAX_OCCURRENCES + 1))
    data = [_occurrence(moment, schedule) for moment in moments[:MAX_OCCURRENCES]]
    return data, {"until": last_day.isoformat(), "truncated": len(moments) > MAX_OCCURRENCES}


CALENDAR_BATCH = 500  # schedules read at a time by the calendar


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
    # In UTC, like the occurrences and next order dates they are compared with (moments of two zones compare
    # through their offsets: most of the merge's time).
    start, end = _start_of(first_day, zone).astimezone(UTC), _end_of(last_day, zone).astimezone(UTC)
    repo = PmScheduleRepository(session, scope)
    # Columns, not mapped objects, by next order date: the order in which `merge_coming` opens their streams.
    stmt = repo.scoped(
        select(*FORECAST_COLUMNS, PmTemplateWorkOrder.title, PmTemplateWorkOrder.asset_id,
               Asset.name.label("asset_name"))
        .join(PmTemplateWorkOrder, PmTemplateWorkOrder.pm_schedule_id == PmSchedule.id)
        .outerjoin(Asset, Asset.id == PmTemplateWorkOrder.asset_id)
        .where(PmSchedule.status == "planned", PmSchedule.next_order_date <= end)
        .order_by(PmSchedule.next_order_date, PmSchedule.id)
    )  # fmt: skip
    session.flush()
    # Read as the merge asks for them: the rows of schedules whose next date comes after the calendar's last
    # entry are never fetched (nor their JSON columns decoded). SQLite steps through the result as it is read;
    # PostgreSQL would send every planned schedule first, so there the rows come a batch at a time (a server-side
    # cursor: at 100,000 schedules a month's calendar took 160 ms, most of it moving rows it never read).
    rows: Any = session.connection().execute(stmt.execution_options(yield_per=CALENDAR_BATCH))
    merged = list(itertools.islice(merge_coming(rows, zone, start, end), MAX_OCCURRENCES + 1))
    rows.close()
    data = []
    for moment, _, row in merged[:MAX_OCCURRENCES]:
        asset = None if row.asset_id is None else {"id": row.asset_id, "name": row.asset_name}
        data.append({"pm_schedule_id": row.id, "title": row.title, "asset": asset} | _occurrence(moment, row))
    meta = {"from": first_day.isoformat(), "until": last_day.isoformat(), "truncated": len(merged) > MAX_OCCURRENCES}
    return data, meta


def merge_coming(
    schedules: Iterable[S], zone: str, start: datetime, end: datetime
) -> Iterator[tuple[datetime, int, S]]:
    """`(moment, schedule id, schedule)` of every schedule's occurrences from `start` to `end`, by moment then
    schedule id: the same as `heapq.merge` of every schedule's `_coming`, but lazily.

    `schedules` come by next order date. No occurrence of a schedule is before its next order date (nor before
    `start`), so its stream is opened only once the merge reaches that date: a calendar that stops at
    `MAX_OCCURRENCES` never expands the schedules whose next date comes after its last entry (a month of 2,000
    schedules opened 819 rrules for 500 entries, most of them never read)."""
    heap: list[tuple[datetime, int, S, Iterator[datetime]]] = []
    waiting = iter(schedules)
    upcoming = next(waiting, None)
    while True:
        # Open every schedule that may have an occurrence at or before the least one known (ties go by id).
        while upcoming is not None and (not heap or _opens_at(upcoming, start) <= heap[0][0]):
            stream = _coming(upcoming, zone, start, end)
            first = next(stream, None)
            if first is not None:
                heapq.heappush(heap, (first, upcoming.id, upcoming, stream))
            upcoming = next(waiting, None)
        if not heap:
            return
        moment, schedule_id, schedule, stream = heap[0]
        yield moment, schedule_id, schedule
        following = next(stream, None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (following, schedule_id, schedule, stream))


def _opens_at(schedule: Forecast, start: datetime) -> datetime:
    """No occurrence of the schedule is before this moment (none at all without a next order date)."""
    next_order = schedule.next_order_date
    return start if next_order is None else max(next_order, start)


def _coming(schedule: Forecast, zone: str, start: datetime | None, end: datetime) -> Iterator[datetime]:
    """The schedule's occurrences from its next order date (and from `start`) up to `end`, ascending: a
    persistent schedule's from the occurrence cache (pm_schedules/occurrence_cache.py), keyed on its rule's
    fields, the zone and the window."""
    next_order = schedule.next_order_date
    if schedule.status != "planned" or next_order is None or next_order > end:
        return iter(())
    if schedule.type != "persistent":
        return iter(()) if start is not None and next_order < start else iter((next_order,))
    after = next_order if start is None else max(next_order, start)
    key = (timing.rule_key(schedule, zone), after, end)
    return iter(OCCURRENCES.moments(key, lambda: _expanded(schedule, zone, after, end)))


def _expanded(schedule: Timed, zone: str, after: datetime, end: datetime) -> Iterator[datetime]:
    return occurrences(timing.rule_of(schedule, zone), after, end, inclusive=True, limit=MAX_OCCURRENCES + 1)


def _occurrence(moment: datetime, schedule: Timed) -> dict[str, Any]:
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
