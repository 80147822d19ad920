"""A schedule's timing fields as the recurrence rule of pm_schedules/recurrence.py."""

from __future__ import annotations

from wrenchwork.models import PmSchedule
from wrenchwork.pm_schedules.recurrence import Recurrence


def rule_of(schedule: PmSchedule, timezone: str) -> Recurrence:
    """The rule of a recurring schedule, read in its entity's time zone `timezone`."""
    return Recurrence(
        frequency=schedule.repeat_frequency,
        start=schedule.start_date,
        timezone=timezone,
        interval=schedule.repeat_interval,
        on_week_days=tuple(schedule.on_week_days or ()),
        in_months=tuple(schedule.in_months or ()),
        on_month_day=schedule.on_month_day,
    )
