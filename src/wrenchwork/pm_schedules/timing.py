"""The glue between a schedule row and the recurrence rules (pm_schedules/recurrence.py).

Everything here is pure: the caller passes the entity's time zone and "now" (clock.now() in the server), so the
API, the generation engine and the forecast read a schedule's timing the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from wrenchwork.pm_schedules.recurrence import Recurrence, next_occurrence, occurrences

# How far ahead an `hour` rule's first occurrence is looked for. Its weekday and month filters may reject every
# step (every 168 hours, on another weekday than the start's): walking that to the year 9999 takes seconds.
HOUR_HORIZON = timedelta(days=20 * 366)


class Timed(Protocol):
    """What timing reads of a schedule: a `PmSchedule` or any row with these columns."""

    @property
    def type(self) -> str: ...
    @property
    def start_date(self) -> datetime: ...
    @property
    def time_to_complete(self) -> int: ...
    @property
    def repeat_frequency(self) -> str: ...
    @property
    def repeat_interval(self) -> int: ...
    @property
    def on_week_days(self) -> list[int]: ...
    @property
    def in_months(self) -> list[int]: ...
    @property
    def on_month_day(self) -> int | None: ...


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rule_of(schedule: Timed, timezone: str) -> Recurrence:
    """The schedule's recurrence, read in the entity's time zone (an IANA name)."""
    return Recurrence(
        frequency=schedule.repeat_frequency,
        start=_aware(schedule.start_date),
        timezone=timezone,
        interval=schedule.repeat_interval or 1,
        on_week_days=tuple(schedule.on_week_days or ()),
        in_months=tuple(schedule.in_months or ()),
        on_month_day=schedule.on_month_day,
    )


def rule_key(schedule: Timed, timezone: str) -> tuple[Any, ...]:
    """Every stored value `rule_of` reads, as a hashable key (cheaper than building the rule, which checks its
    fields): two schedules with equal keys have the same occurrences. Kept beside `rule_of`: a field it starts
    reading goes here too."""
    return (
        schedule.repeat_frequency, schedule.start_date, schedule.repeat_interval, tuple(schedule.on_week_days or ()),
        tuple(schedule.in_months or ()), schedule.on_month_day, timezone,
    )  # fmt: skip


def initial_next_order_date(schedule: Timed, timezone: str, now: datetime) -> datetime | None:
    """The first occurrence a schedule generates when it is created, its timing changes or it is planned again.

    A recurring schedule only generates occurrences from that moment on: the first occurrence at or after both
    its start and `now` floored to the minute (None when the rule has none; for an `hour` rule, none within
    `HOUR_HORIZON`). A one-time schedule's only occurrence is its start, even a past one (it is then generated
    at once)."""
    start = _aware(schedule.start_date)
    if schedule.type == "one_time":
        return start
    after = max(start, _aware(now).replace(second=0, microsecond=0))
    rule = rule_of(schedule, timezone)
    if rule.frequency == "hour":
        return next(occurrences(rule, after, after + HOUR_HORIZON, limit=1), None)
    return next_occurrence(rule, after, inclusive=True)


def due_of(order_date: datetime, schedule: Timed) -> datetime:
    """The due date of the work order generated at `order_date`: `time_to_complete` hours later."""
    return order_date + timedelta(hours=schedule.time_to_complete)
