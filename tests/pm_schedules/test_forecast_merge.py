"""The calendar's lazy merge (forecast.merge_coming) against the plain one: every schedule's whole expansion,
merged by `heapq.merge`. Pure computation, no database."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchwork.pm_schedules.forecast import _coming, merge_coming
from wrenchwork.pm_schedules.recurrence import FREQUENCIES

pytestmark = pytest.mark.no_database

BASE = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    """What the calendar reads of a schedule (forecast.FORECAST_COLUMNS)."""

    id: int
    type: str
    status: str
    next_order_date: datetime | None
    start_date: datetime
    time_to_complete: int
    repeat_frequency: str
    repeat_interval: int
    on_week_days: list[int]
    in_months: list[int]
    on_month_day: int | None


@st.composite
def rows(draw: st.DrawFn, schedule_id: int) -> Row:
    # Starts and next dates on a few shared hours, so that schedules tie on a moment and the id decides.
    start = BASE + timedelta(hours=draw(st.sampled_from((0, 1, 24, 25, 24 * 7))))
    return Row(
        id=schedule_id,
        type=draw(st.sampled_from(("persistent", "persistent", "one_time", "floating"))),
        status=draw(st.sampled_from(("planned", "planned", "planned", "paused"))),
        next_order_date=draw(st.none() | st.sampled_from((0, 1, 24, 48, 24 * 9, 24 * 40)).map(
            lambda hours: start + timedelta(hours=hours))),
        start_date=start,
        time_to_complete=draw(st.integers(0, 48)),
        repeat_frequency=draw(st.sampled_from(FREQUENCIES)),
        repeat_interval=draw(st.integers(1, 3)),
        on_week_days=draw(st.just([]) | st.lists(st.integers(1, 7), unique=True, min_size=1, max_size=3)),
        in_months=draw(st.just([]) | st.lists(st.integers(3, 5), unique=True, min_size=1, max_size=2)),
        on_month_day=draw(st.none() | st.integers(1, 31)),
    )  # fmt: skip


def _entries(schedule: Row, zone: str, start: datetime, end: datetime) -> Iterator[tuple[datetime, int, Row]]:
    for moment in _coming(schedule, zone, start, end):
        yield moment, schedule.id, schedule


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_lazy_merge_is_the_plain_merge(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 8))
    ids = data.draw(st.permutations(range(1, count + 1)))
    schedules = [data.draw(rows(schedule_id)) for schedule_id in ids]
    zone = data.draw(st.sampled_from(("Etc/UTC", "Europe/Ljubljana", "America/Chicago")))
    start = BASE + timedelta(hours=data.draw(st.integers(-48, 24 * 30)))
    end = start + timedelta(days=data.draw(st.integers(0, 60)), hours=23, minutes=59)
    plain = list(heapq.merge(*[_entries(s, zone, start, end) for s in schedules], key=lambda entry: entry[:2]))
    # The calendar's statement reads the schedules by next order date, then id.
    ordered = sorted(schedules, key=lambda s: (s.next_order_date or BASE, s.id))
    assert list(merge_coming(ordered, zone, start, end)) == plain
    # Stopped early, as the calendar stops at its cap: the same first entries.
    cap = data.draw(st.integers(0, 20))
    merged = merge_coming(ordered, zone, start, end)
    assert [next(merged, None) for _ in range(cap)] == (plain + [None] * cap)[:cap]
