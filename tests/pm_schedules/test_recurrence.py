"""The PM recurrence rules: worked examples (published seed, every frequency, DST), then properties against a
plain day-by-day oracle written without rrule."""

from __future__ import annotations

import calendar
import math
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchwork.pm_schedules.recurrence import (
    Recurrence,
    floating_next,
    latest_occurrence,
    next_occurrence,
    occurrences,
)

pytestmark = pytest.mark.no_database

CHICAGO = "America/Chicago"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(zone: str, *parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold)  # type: ignore[misc]


def first(rule: Recurrence, count: int, after: datetime | None = None) -> list[datetime]:
    return list(occurrences(rule, after or rule.start, limit=count))


def wall(moments: list[datetime], zone: str) -> list[str]:
    """The local wall times, as a person in that zone reads them."""
    return [m.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %a %H:%M") for m in moments]


# --- examples -------------------------------------------------------------------------------------------------


def test_published_seed_orders_on_the_18th_of_february_and_july_whatever_the_weekday() -> None:
    rule = Recurrence(
        "month",
        utc(2025, 2, 18, 12),
        "Etc/UTC",
        interval=1,
        on_week_days=(1,),
        in_months=(2, 7),
        on_month_day=18,
    )
    assert first(rule, 5) == [
        utc(2025, 2, 18, 12),
        utc(2025, 7, 18, 12),
        utc(2026, 2, 18, 12),
        utc(2026, 7, 18, 12),
        utc(2027, 2, 18, 12),
    ]


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("hour", [utc(2025, 1, 31, 9, 15), utc(2025, 1, 31, 10, 15), utc(2025, 1, 31, 11, 15)]),
        ("day", [utc(2025, 1, 31, 9, 15), utc(2025, 2, 1, 9, 15), utc(2025, 2, 2, 9, 15)]),
        # 2025-01-31 is a Friday: every Friday.
        ("week", [utc(2025, 1, 31, 9, 15), utc(2025, 2, 7, 9, 15), utc(2025, 2, 14, 9, 15)]),
        # Day 31 of the start: the last day of shorter months.
        ("month", [utc(2025, 1, 31, 9, 15), utc(2025, 2, 28, 9, 15), utc(2025, 3, 31, 9, 15)]),
        ("season", [utc(2025, 1, 31, 9, 15), utc(2025, 4, 30, 9, 15), utc(2025, 7, 31, 9, 15)]),
        ("year", [utc(2025, 1, 31, 9, 15), utc(2026, 1, 31, 9, 15), utc(2027, 1, 31, 9, 15)]),
    ],
)
def test_each_frequency_with_its_defaults_starts_at_start(frequency: str, expected: list[datetime]) -> None:
    assert first(Recurrence(frequency, utc(2025, 1, 31, 9, 15)), 3) == expected


def test_interval_counts_units_from_start() -> None:
    start = utc(2025, 3, 5, 6)  # a Wednesday
    assert first(Recurrence("hour", start, interval=8), 3) == [start, utc(2025, 3, 5, 14), utc(2025, 3, 5, 22)]
    assert first(Recurrence("day", start, interval=3), 3) == [start, utc(2025, 3, 8, 6), utc(2025, 3, 11, 6)]
    # Every 2nd week from start's week, Monday and Thursday: Thursday of start's week, then Mon/Thu two weeks on.
    assert wall(first(Recurrence("week", start, interval=2, on_week_days=(4, 1)), 4), "Etc/UTC") == [
        "2025-03-06 Thu 06:00",
        "2025-03-17 Mon 06:00",
        "2025-03-20 Thu 06:00",
        "2025-03-31 Mon 06:00",
    ]
    assert first(Recurrence("month", start, interval=5), 3) == [start, utc(2025, 8, 5, 6), utc(2026, 1, 5, 6)]
    assert first(Recurrence("year", start, interval=4), 2) == [start, utc(2029, 3, 5, 6)]


def test_start_is_an_occurrence_only_when_it_matches() -> None:
    # Monthly on the 18th, start on the 5th: the first occurrence is the 18th of the same month.
    assert first(Recurrence("month", utc(2025, 3, 5, 10), on_month_day=18), 2) == [
        utc(2025, 3, 18, 10),
        utc(2025, 4, 18, 10),
    ]
    # Weekly on Mondays from a Wednesday: the next Monday.
    assert first(Recurrence("week", utc(2025, 3, 5, 10), on_week_days=(1,)), 1) == [utc(2025, 3, 10, 10)]


def test_season_is_three_months_and_interval_multiplies_it() -> None:
    start = utc(2025, 2, 10, 7)
    assert first(Recurrence("season", start), 4) == [
        start,
        utc(2025, 5, 10, 7),
        utc(2025, 8, 10, 7),
        utc(2025, 11, 10, 7),
    ]
    # Every second season (6 months), on the 1st, only those falling in August.
    assert first(Recurrence("season", start, interval=2, on_month_day=1, in_months=(8,)), 3) == [
        utc(2025, 8, 1, 7),
        utc(2026, 8, 1, 7),
        utc(2027, 8, 1, 7),
    ]


def test_year_in_several_months_on_a_day() -> None:
    rule = Recurrence("year", utc(2025, 4, 1, 0), in_months=(9, 3), on_month_day=15)
    assert first(rule, 4) == [utc(2025, 9, 15), utc(2026, 3, 15), utc(2026, 9, 15), utc(2027, 3, 15)]
    # Every other year, day 31 in February and June: the last day of each.
    rule = Recurrence("year", utc(2023, 1, 1, 5), interval=2, in_months=(2, 6), on_month_day=31)
    assert first(rule, 4) == [utc(2023, 2, 28, 5), utc(2023, 6, 30, 5), utc(2025, 2, 28, 5), utc(2025, 6, 30, 5)]


def test_day_31_is_the_last_day_of_short_months_including_february_29_in_a_leap_year() -> None:
    rule = Recurrence("month", utc(2024, 1, 1, 8), on_month_day=31)
    assert [m.date().isoformat() for m in first(rule, 14)] == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
        "2024-07-31",
        "2024-08-31",
        "2024-09-30",
        "2024-10-31",
        "2024-11-30",
        "2024-12-31",
        "2025-01-31",
        "2025-02-28",
    ]
    # Day 30 only clamps February.
    assert [m.day for m in first(Recurrence("month", utc(2025, 1, 1), on_month_day=30), 3)] == [30, 28, 30]
    # Day 29: Feb 28 in common years, Feb 29 in leap years.
    assert first(Recurrence("year", utc(2025, 1, 1), in_months=(2,), on_month_day=29), 4) == [
        utc(2025, 2, 28),
        utc(2026, 2, 28),
        utc(2027, 2, 28),
        utc(2028, 2, 29),
    ]


def test_week_with_several_weekdays_and_months() -> None:
    rule = Recurrence("week", utc(2025, 1, 29, 16), on_week_days=(1, 3, 5))
    assert wall(first(rule, 5), "Etc/UTC") == [
        "2025-01-29 Wed 16:00",
        "2025-01-31 Fri 16:00",
        "2025-02-03 Mon 16:00",
        "2025-02-05 Wed 16:00",
        "2025-02-07 Fri 16:00",
    ]
    rule = Recurrence("week", utc(2025, 1, 29, 16), on_week_days=(2,), in_months=(3,))
    assert [m.date().isoformat() for m in first(rule, 5)] == [
        "2025-03-04",
        "2025-03-11",
        "2025-03-18",
        "2025-03-25",
        "2026-03-03",
    ]


def test_day_keeps_only_the_given_weekdays_and_months() -> None:
    rule = Recurrence("day", utc(2025, 5, 30, 9), on_week_days=(1, 2, 3, 4, 5), in_months=(5, 6))
    assert wall(first(rule, 3), "Etc/UTC") == ["2025-05-30 Fri 09:00", "2025-06-02 Mon 09:00", "2025-06-03 Tue 09:00"]
    assert first(rule, 1, after=utc(2025, 6, 30, 9, 1)) == [utc(2026, 5, 1, 9)]


def test_rules_are_read_in_the_entity_zone() -> None:
    # Tuesday 00:30 in Sydney is Monday 14:30 UTC: the weekday is Sydney's.
    rule = Recurrence("week", local("Australia/Sydney", 2025, 6, 3, 0, 30), "Australia/Sydney", on_week_days=(2,))
    assert wall(first(rule, 2), "Australia/Sydney") == ["2025-06-03 Tue 00:30", "2025-06-10 Tue 00:30"]
    assert first(rule, 1) == [utc(2025, 6, 2, 14, 30)]
    # The 1st of the month in Chicago at 20:00 is the 2nd in UTC.
    rule = Recurrence("month", local(CHICAGO, 2025, 1, 1, 20), CHICAGO)
    assert first(rule, 2) == [utc(2025, 1, 2, 2), utc(2025, 2, 2, 2)]


def test_window_bounds_inclusive_and_limit() -> None:
    rule = Recurrence("day", utc(2025, 1, 1, 8))
    assert list(occurrences(rule, utc(2025, 1, 2, 8), utc(2025, 1, 4, 8))) == [
        utc(2025, 1, 2, 8),
        utc(2025, 1, 3, 8),
        utc(2025, 1, 4, 8),
    ]
    assert list(occurrences(rule, utc(2025, 1, 2, 8), utc(2025, 1, 4, 8), inclusive=False)) == [
        utc(2025, 1, 3, 8),
        utc(2025, 1, 4, 8),
    ]
    assert list(occurrences(rule, utc(2025, 1, 2, 8), utc(2025, 1, 9), limit=2)) == [
        utc(2025, 1, 2, 8),
        utc(2025, 1, 3, 8),
    ]
    assert list(occurrences(rule, utc(2025, 1, 2, 8), limit=0)) == []
    assert list(occurrences(rule, utc(2024, 1, 1), utc(2024, 12, 31))) == []
    assert next_occurrence(rule, utc(2025, 1, 2, 8)) == utc(2025, 1, 2, 8)
    assert next_occurrence(rule, utc(2025, 1, 2, 8), inclusive=False) == utc(2025, 1, 3, 8)


def test_an_old_schedule_resumes_in_phase_far_from_its_start() -> None:
    assert next_occurrence(Recurrence("day", utc(1900, 1, 1, 8), interval=3), utc(2026, 1, 1)) == utc(2026, 1, 3, 8)
    rule = Recurrence("week", utc(1900, 1, 1, 8), interval=2, on_week_days=(7,))
    assert wall([next_occurrence(rule, utc(2026, 1, 1))], "Etc/UTC") == ["2026-01-04 Sun 08:00"]  # type: ignore[list-item]
    assert next_occurrence(Recurrence("season", utc(1900, 2, 28, 8)), utc(2026, 1, 1)) == utc(2026, 2, 28, 8)
    assert next_occurrence(Recurrence("hour", utc(1900, 1, 1, 0, 20), interval=7), utc(2026, 1, 1)) == utc(
        2026, 1, 1, 5, 20
    )


def test_fractions_of_a_second_are_kept() -> None:
    start = utc(2025, 1, 1, 8) + timedelta(microseconds=250_000)
    assert first(Recurrence("day", start), 2) == [start, start + timedelta(days=1)]
    assert first(Recurrence("hour", start, interval=2), 2) == [start, start + timedelta(hours=2)]


# --- DST ------------------------------------------------------------------------------------------------------


def test_daily_0800_chicago_stays_at_0800_local_across_both_2026_changes() -> None:
    rule = Recurrence("day", local(CHICAGO, 2026, 3, 6, 8), CHICAGO)
    # CST is UTC-6, CDT UTC-5: 14:00 UTC before the March change, 13:00 UTC after it.
    assert first(rule, 4) == [utc(2026, 3, 6, 14), utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]
    assert first(rule, 3, after=utc(2026, 10, 31)) == [
        utc(2026, 10, 31, 13),
        utc(2026, 11, 1, 14),
        utc(2026, 11, 2, 14),
    ]
    assert set(wall(list(occurrences(rule, rule.start, utc(2026, 12, 31))), CHICAGO)) == {
        day.strftime("%Y-%m-%d %a 08:00") for day in (datetime(2026, 3, 6) + timedelta(days=n) for n in range(300))
    }


def test_weekly_0800_chicago_stays_at_0800_local_across_both_2026_changes() -> None:
    rule = Recurrence("week", local(CHICAGO, 2026, 3, 1, 8), CHICAGO)  # Sundays; the changes are on Sundays
    assert first(rule, 3) == [utc(2026, 3, 1, 14), utc(2026, 3, 8, 13), utc(2026, 3, 15, 13)]
    assert first(rule, 3, after=utc(2026, 10, 20)) == [
        utc(2026, 10, 25, 13),
        utc(2026, 11, 1, 14),
        utc(2026, 11, 8, 14),
    ]


def test_a_0230_daily_schedule_lands_at_0330_on_the_spring_forward_day() -> None:
    rule = Recurrence("day", local(CHICAGO, 2026, 3, 7, 2, 30), CHICAGO)
    moments = first(rule, 3)
    assert wall(moments, CHICAGO) == ["2026-03-07 Sat 02:30", "2026-03-08 Sun 03:30", "2026-03-09 Mon 02:30"]
    assert moments == [utc(2026, 3, 7, 8, 30), utc(2026, 3, 8, 8, 30), utc(2026, 3, 9, 7, 30)]


def test_an_ambiguous_local_time_takes_the_first_of_the_two() -> None:
    rule = Recurrence("day", local(CHICAGO, 2026, 10, 31, 1, 30), CHICAGO)
    # 01:30 happens twice on Nov 1 (CDT, then CST): the occurrence is the first, 06:30 UTC.
    assert first(rule, 3) == [utc(2026, 10, 31, 6, 30), utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 7, 30)]
    # A start at the second 01:30 is itself an occurrence, and later days keep 01:30.
    second = local(CHICAGO, 2026, 11, 1, 1, 30, fold=1)
    assert first(Recurrence("day", second, CHICAGO), 2) == [utc(2026, 11, 1, 7, 30), utc(2026, 11, 2, 7, 30)]


@pytest.mark.parametrize("change", [local(CHICAGO, 2026, 3, 8, 0), local(CHICAGO, 2026, 11, 1, 0)])
@pytest.mark.parametrize("interval", [1, 2, 5])
def test_hourly_is_exact_in_utc_across_dst_changes(change: datetime, interval: int) -> None:
    rule = Recurrence("hour", change.astimezone(UTC) - timedelta(hours=12), CHICAGO, interval=interval)
    moments = list(occurrences(rule, rule.start, rule.start + timedelta(hours=36)))
    assert len(moments) == 36 // interval + 1
    assert all(b - a == timedelta(hours=interval) for a, b in pairwise(moments))


def test_hourly_wall_clock_skips_the_missing_hour_and_repeats_the_doubled_one() -> None:
    spring = Recurrence("hour", local(CHICAGO, 2026, 3, 8, 0), CHICAGO)
    assert [t[-5:] for t in wall(first(spring, 4), CHICAGO)] == ["00:00", "01:00", "03:00", "04:00"]
    fall = Recurrence("hour", local(CHICAGO, 2026, 11, 1, 0), CHICAGO)
    assert [t[-5:] for t in wall(first(fall, 4), CHICAGO)] == ["00:00", "01:00", "01:00", "02:00"]
    assert first(fall, 4) == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6), utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)]


def test_hourly_filters_read_the_local_date() -> None:
    # Every 6 hours from Saturday 00:00 in Chicago, Sundays only (local): four a Sunday, none on other days.
    rule = Recurrence("hour", local(CHICAGO, 2026, 6, 6, 0), CHICAGO, interval=6, on_week_days=(7,))
    assert wall(first(rule, 5), CHICAGO) == [
        "2026-06-07 Sun 00:00",
        "2026-06-07 Sun 06:00",
        "2026-06-07 Sun 12:00",
        "2026-06-07 Sun 18:00",
        "2026-06-14 Sun 00:00",
    ]


# --- floating and catch-up ------------------------------------------------------------------------------------


def test_floating_next_is_the_restarted_rule_at_least_an_interval_after_completion() -> None:
    daily = Recurrence("day", local(CHICAGO, 2026, 3, 1, 8), CHICAGO)
    # Completed Tuesday 14:00 local: restarted Tue 08:00, Wed 08:00, Thu 08:00; first at/after Wed 14:00.
    assert floating_next(daily, local(CHICAGO, 2026, 3, 10, 14)) == local(CHICAGO, 2026, 3, 12, 8)
    # Completed before 08:00: the next day's 08:00 is a full day later.
    assert floating_next(daily, local(CHICAGO, 2026, 3, 10, 7)) == local(CHICAGO, 2026, 3, 11, 8)
    # Every 3 days: counted from the completion's date.
    every3 = Recurrence("day", local(CHICAGO, 2026, 3, 1, 8), CHICAGO, interval=3)
    assert floating_next(every3, local(CHICAGO, 2026, 3, 10, 7)) == local(CHICAGO, 2026, 3, 13, 8)


def test_floating_next_hour_is_exactly_interval_hours_on_the_restarted_grid() -> None:
    rule = Recurrence("hour", utc(2026, 1, 1, 8), interval=4)
    # Restarted at 08:00 of the completion's date: 08, 12, 16, 20; first at/after 13:37 + 4 h = 17:37.
    assert floating_next(rule, utc(2026, 5, 5, 13, 37)) == utc(2026, 5, 5, 20)
    assert floating_next(rule, utc(2026, 5, 5, 12)) == utc(2026, 5, 5, 16)


def test_floating_next_keeps_the_original_defaults() -> None:
    # Weekly on start's weekday (Monday), completed on a Thursday: the Monday at least a week later.
    weekly = Recurrence("week", utc(2026, 1, 5, 9))
    assert floating_next(weekly, utc(2026, 2, 12, 15)) == utc(2026, 2, 23, 9)
    # Monthly on start's day (31st): completed Feb 10, at least a month later is Mar 10: Mar 31.
    monthly = Recurrence("month", utc(2026, 1, 31, 9))
    assert floating_next(monthly, utc(2026, 2, 10, 15)) == utc(2026, 3, 31, 9)
    # Completed Jan 31: a month later is Feb 28 (relativedelta), so Feb 28 itself (the last day) is the next.
    assert floating_next(monthly, utc(2026, 1, 31, 8)) == utc(2026, 2, 28, 9)
    # Yearly in start's month (January 15): completed in June 2026, a year later is June 2027: January 2028.
    yearly = Recurrence("year", utc(2025, 1, 15, 9))
    assert floating_next(yearly, utc(2026, 6, 1, 9)) == utc(2028, 1, 15, 9)


def test_floating_next_restart_in_a_dst_gap_keeps_the_wall_time_afterwards() -> None:
    rule = Recurrence("day", local(CHICAGO, 2026, 1, 1, 2, 30), CHICAGO)
    # Completed at 01:00 the day before spring-forward: a day later is Mar 8 01:00, and 02:30 lands at 03:30.
    assert floating_next(rule, local(CHICAGO, 2026, 3, 7, 1)) == local(CHICAGO, 2026, 3, 8, 3, 30)
    # Completed at 20:00: a day later is Mar 8 20:00, so Mar 9 at 02:30.
    assert floating_next(rule, local(CHICAGO, 2026, 3, 7, 20)) == local(CHICAGO, 2026, 3, 9, 2, 30)
    # Restarted on the spring-forward day itself (02:30 does not exist): later days are still at 02:30.
    assert floating_next(rule, local(CHICAGO, 2026, 3, 8, 1)) == local(CHICAGO, 2026, 3, 9, 2, 30)


def test_latest_occurrence_is_the_last_at_or_before() -> None:
    rule = Recurrence("month", utc(2025, 2, 18, 12), in_months=(2, 7), on_month_day=18)
    assert latest_occurrence(rule, utc(2026, 5, 1)) == utc(2026, 2, 18, 12)
    assert latest_occurrence(rule, utc(2026, 7, 18, 12)) == utc(2026, 7, 18, 12)
    assert latest_occurrence(rule, utc(2025, 2, 18, 11, 59)) is None
    # Far from start: the look-back window grows until it finds one.
    assert latest_occurrence(Recurrence("year", utc(1900, 1, 1), interval=250), utc(2999, 1, 1)) == utc(2900, 1, 1)
    assert latest_occurrence(Recurrence("hour", utc(2026, 1, 1), interval=5), utc(2026, 1, 2)) == utc(2026, 1, 1, 20)


# --- bad input and rules that never match ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "fortnight"},
        {"interval": 0},
        {"interval": True},
        {"on_week_days": (0,)},
        {"on_week_days": (8,)},
        {"in_months": (13,)},
        {"in_months": ("1",)},
        {"on_month_day": 0},
        {"on_month_day": 32},
        {"timezone": "Mars/Olympus"},
        {"timezone": "../../etc/passwd"},
        {"timezone": ""},
        {"timezone": "America"},
        {"timezone": "x" * 5000},
        {"start": datetime(2025, 1, 1)},
    ],
)
def test_an_invalid_rule_is_a_value_error(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {"frequency": "day", "start": utc(2025, 1, 1)} | kwargs
    with pytest.raises(ValueError):
        Recurrence(**values)  # type: ignore[arg-type]


def test_invalid_queries_are_value_errors() -> None:
    rule = Recurrence("day", utc(2025, 1, 1))
    with pytest.raises(ValueError, match="until"):
        occurrences(rule, utc(2025, 1, 1))
    with pytest.raises(ValueError):
        occurrences(rule, datetime(2025, 1, 1), limit=1)
    with pytest.raises(ValueError):
        occurrences(rule, utc(2025, 1, 1), limit=-1)
    with pytest.raises(ValueError):
        latest_occurrence(rule, datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        floating_next(rule, datetime(2025, 1, 1))


def test_a_rule_that_never_matches_has_no_occurrence_and_returns() -> None:
    # Every 7 days from a Monday, on Tuesdays: never.
    never = Recurrence("day", utc(2025, 1, 6, 8), interval=7, on_week_days=(2,))
    assert next_occurrence(never, utc(2025, 1, 1)) is None
    assert list(occurrences(never, utc(2025, 1, 1), limit=5)) == []
    assert latest_occurrence(never, utc(2999, 1, 1)) is None
    # Every 12 months from January, only in June.
    assert next_occurrence(Recurrence("month", utc(2025, 1, 6), interval=12, in_months=(6,)), utc(2025, 1, 1)) is None


def test_rules_near_the_never_matching_ones_still_match() -> None:
    # Every 7 days on start's weekday (Monday) among others; every 12 months in start's month; every 4 seasons.
    weekly = Recurrence("day", utc(2025, 1, 6, 8), interval=7, on_week_days=(1, 2))
    assert first(weekly, 2) == [utc(2025, 1, 6, 8), utc(2025, 1, 13, 8)]
    yearly = Recurrence("month", utc(2025, 1, 6), interval=12, in_months=(1, 6))
    assert first(yearly, 2) == [utc(2025, 1, 6), utc(2026, 1, 6)]
    assert first(Recurrence("season", utc(2025, 2, 6), interval=4, in_months=(2,)), 2) == [
        utc(2025, 2, 6),
        utc(2026, 2, 6),
    ]
    # Every 5 months from January reaches March on the tenth step.
    assert first(Recurrence("month", utc(2025, 1, 6), interval=5, in_months=(3,)), 1) == [utc(2029, 3, 6)]


def test_an_hourly_rule_whose_filters_never_match_stops_after_the_miss_limit() -> None:
    # Every week in absolute hours from a Monday in UTC, only on Tuesdays: never.
    never = Recurrence("hour", utc(2025, 1, 6, 8), interval=168, on_week_days=(2,))
    assert next_occurrence(never, never.start) is None
    assert latest_occurrence(never, utc(2026, 1, 1)) is None
    # The same steps in Chicago: 23:30 local on Monday becomes 00:30 Tuesday in summer time, so it matches.
    dst = Recurrence("hour", local(CHICAGO, 2025, 1, 6, 23, 30), CHICAGO, interval=168, on_week_days=(2,))
    assert wall(first(dst, 2), CHICAGO) == ["2025-03-11 Tue 00:30", "2025-03-18 Tue 00:30"]


def test_nothing_exists_after_the_year_9999() -> None:
    rule = Recurrence("year", local(CHICAGO, 2999, 12, 31, 23), CHICAGO, interval=1000)
    assert list(occurrences(rule, rule.start, limit=10)) == [
        utc(3000, 1, 1, 5),
        utc(4000, 1, 1, 5),
        utc(5000, 1, 1, 5),
        utc(6000, 1, 1, 5),
        utc(7000, 1, 1, 5),
        utc(8000, 1, 1, 5),
        utc(9000, 1, 1, 5),
    ]
    assert floating_next(rule, utc(9500, 1, 1)) is None
    assert next_occurrence(Recurrence("hour", utc(9999, 12, 31, 20), interval=1000), utc(9999, 12, 31, 21)) is None


# --- properties against a plain oracle --------------------------------------------------------------------------

ZONES = ("Etc/UTC", CHICAGO, "Europe/Berlin", "Australia/Sydney")
FREQUENCIES = ("hour", "day", "week", "month", "season", "year")


def _matches_day(rule: Recurrence, day: date, start: date) -> bool:
    """Whether a calendar rule has an occurrence on local date `day`, by plain date checks (no rrule)."""
    n = rule.interval
    if rule.frequency == "day":
        return (
            (day - start).days % n == 0
            and (not rule.on_week_days or day.isoweekday() in rule.on_week_days)
            and (not rule.in_months or day.month in rule.in_months)
        )
    if rule.frequency == "week":
        weeks = (day - timedelta(days=day.weekday()) - (start - timedelta(days=start.weekday()))).days // 7
        return (
            weeks % n == 0
            and day.isoweekday() in (rule.on_week_days or (start.isoweekday(),))
            and (not rule.in_months or day.month in rule.in_months)
        )
    wanted = rule.on_month_day or start.day
    on_day = day.day == min(wanted, calendar.monthrange(day.year, day.month)[1])
    if rule.frequency in ("month", "season"):
        months = (day.year - start.year) * 12 + day.month - start.month
        step = n * 3 if rule.frequency == "season" else n
        return months % step == 0 and on_day and (not rule.in_months or day.month in rule.in_months)
    return (day.year - start.year) % n == 0 and day.month in (rule.in_months or (start.month,)) and on_day


def oracle(rule: Recurrence, low: datetime, high: datetime) -> list[datetime]:
    """Every occurrence in [low, high], by walking the window hour by hour (hour) or day by day (the rest)."""
    zone = ZoneInfo(rule.timezone)
    start = rule.start.astimezone(UTC)
    start_local = start.astimezone(zone).replace(tzinfo=None)
    found: list[datetime] = []
    if rule.frequency == "hour":
        hours = max(0, math.ceil((low - start) / timedelta(hours=1)))
        moment = start + timedelta(hours=hours)
        while moment <= high:
            day = moment.astimezone(zone)
            if (
                hours % rule.interval == 0
                and (not rule.on_week_days or day.isoweekday() in rule.on_week_days)
                and (not rule.in_months or day.month in rule.in_months)
            ):
                found.append(moment)
            hours += 1
            moment += timedelta(hours=1)
        return found
    day = low.astimezone(zone).date() - timedelta(days=2)
    while day <= high.astimezone(zone).date() + timedelta(days=2):
        if day >= start_local.date() and _matches_day(rule, day, start_local.date()):
            wall = datetime.combine(day, start_local.time())
            moment = start if wall == start_local else wall.replace(tzinfo=zone).astimezone(UTC)
            if moment >= start and low <= moment <= high:
                found.append(moment)
        day += timedelta(days=1)
    return found


def _day_in(first: date, last: date) -> st.SearchStrategy[date]:
    # sampled_from spreads its picks over the range; dates() and integers() mostly pick values near the bounds.
    return st.sampled_from(range(first.toordinal(), last.toordinal() + 1)).map(date.fromordinal)


@st.composite
def rules(draw: st.DrawFn, frequency: str, intervals: st.SearchStrategy[int] = st.integers(1, 4)) -> Recurrence:
    zone = draw(st.sampled_from(ZONES))
    day = draw(_day_in(date(2024, 1, 1), date(2027, 12, 31)))
    hour = draw(st.sampled_from((1, 2)) | st.integers(0, 23))  # the DST gaps and overlaps of ZONES
    minute = draw(st.sampled_from((0, 30)) | st.integers(0, 59))
    start = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).replace(fold=draw(st.integers(0, 1)))
    return Recurrence(
        frequency,
        start,
        zone,
        interval=draw(intervals),
        on_week_days=tuple(draw(st.just([]) | st.lists(st.integers(1, 7), unique=True, min_size=1, max_size=3))),
        in_months=tuple(draw(st.just([]) | st.lists(st.integers(1, 12), unique=True, min_size=1, max_size=4))),
        on_month_day=draw(st.none() | st.integers(1, 31) | st.sampled_from((28, 29, 30, 31))),
    )


def _check_window(rule: Recurrence, low: datetime, high: datetime, probes: int = 20) -> None:
    expected = oracle(rule, low, high)
    got = list(occurrences(rule, low, high))
    assert got == expected
    assert all(a < b for a, b in pairwise(got))
    start = rule.start.astimezone(UTC)
    assert all(moment >= start and moment.tzinfo is UTC for moment in got)
    # next / latest from points spread over the window: each resumes the walk at a different place. Unbounded
    # searches only where the window holds the answer (or once), since a rule may never match again.
    unbounded_miss_checked = False
    points = [low + (high - low) * i / probes for i in range(probes)]
    for point in points + expected[:: max(1, len(expected) // (probes // 4))]:
        following, after = bisect_left(expected, point), bisect_right(expected, point)
        if following < len(expected):
            assert next_occurrence(rule, point) == expected[following]
        elif not unbounded_miss_checked:
            unbounded_miss_checked = True
            nxt = next_occurrence(rule, point)
            assert nxt is None or nxt > high
        assert next(occurrences(rule, point, high, limit=1), None) == (expected[following:] or [None])[0]
        assert next(occurrences(rule, point, high, inclusive=False, limit=1), None) == (expected[after:] or [None])[0]
        if after < len(expected):
            assert next_occurrence(rule, point, inclusive=False) == expected[after]
        latest = latest_occurrence(rule, point)
        if after > 0:
            assert latest == expected[after - 1]
        else:
            assert latest is None or latest < low


def offsets(days: int) -> st.SearchStrategy[int]:
    """Hours from start to the window: up to 40 days before it, or anywhere up to `days` after it."""
    return st.builds(lambda day, hour: day * 24 + hour, st.sampled_from(range(-40, days)), st.integers(0, 23))


@pytest.mark.parametrize("frequency", [f for f in FREQUENCIES if f != "hour"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_occurrences_equal_the_oracle_over_two_years(frequency: str, data: st.DataObject) -> None:
    rule = data.draw(rules(frequency))
    low = rule.start.astimezone(UTC) + timedelta(hours=data.draw(offsets(3 * 365)))
    _check_window(rule, low, low + timedelta(days=730))


@settings(max_examples=12, deadline=None)  # each example walks 17 520 hours, several times
@given(data=st.data())
def test_hourly_occurrences_equal_the_oracle_over_two_years(data: st.DataObject) -> None:
    rule = data.draw(rules("hour"))
    low = rule.start.astimezone(UTC) + timedelta(hours=data.draw(offsets(3 * 365)))
    _check_window(rule, low, low + timedelta(days=730), probes=8)


@pytest.mark.parametrize("frequency", FREQUENCIES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_large_intervals_far_from_start_equal_the_oracle(frequency: str, data: st.DataObject) -> None:
    rule = data.draw(rules(frequency, st.sampled_from((5, 7, 12, 14, 24, 52, 100, 168, 365, 1000))))
    low = rule.start.astimezone(UTC) + timedelta(hours=data.draw(offsets(200 * 365)))
    _check_window(rule, low, low + timedelta(days=366))
