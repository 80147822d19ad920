"""When a PM schedule's occurrences fall: the one meaning of every frequency and constraint combination.

Pure computation (no database), built on python-dateutil's `rrule` for the calendar and `zoneinfo` for the
entity's time zone. Every calendar rule is read in the rule's `timezone`; results are aware UTC datetimes.

Meaning of a `Recurrence` (these are the rules the API documents):

- Only occurrences at or after `start` exist. `start` is the first *possible* occurrence, and its local time of
  day is the time of every occurrence of a calendar frequency. `start` itself is an occurrence only when it
  matches the rule (monthly on day 18 with a start on the 5th: the first occurrence is on the 18th).
- `hour`: every `interval` hours from `start` in absolute time, so a DST change makes no gap and no duplicate.
  `on_week_days` / `in_months`, when given, keep only the occurrences whose LOCAL date is on those weekdays / in
  those months. `on_month_day` is ignored.
- `day`: every `interval` days (counted in local dates from start's date) at start's local time;
  `on_week_days` / `in_months`, when given, keep only those weekdays / months. `on_month_day` is ignored.
- `week`: every `interval` weeks (weeks start on Monday; counted from start's week) on `on_week_days`
  (default: start's weekday), only in `in_months` when given. `on_month_day` is ignored.
- `month` / `season`: every `interval` months (a season is 3 months: `interval` N means every 3N months),
  counted from start's month, on `on_month_day` (default: start's day of month), only in `in_months` when given.
  A month shorter than `on_month_day` uses its last day (31 -> Apr 30, Feb 28 or Feb 29 in a leap year).
  `on_week_days` is ignored.
- `year`: every `interval` years counted from start's year, in `in_months` (default: start's month), on
  `on_month_day` (default: start's day of month), with the same last-day rule. `on_week_days` is ignored.
- Local times become instants with `zoneinfo` and fold=0: an 08:00 schedule stays at 08:00 local across DST
  changes; a local time that does not exist that day (spring-forward gap) lands one hour later in wall time
  (02:30 -> 03:30); an ambiguous one (fall-back) is the first of the two.
- `start` keeps its fraction of a second: every occurrence has the same one.
- Nothing exists after the year 9999. A rule that can never match (for example `day` every 7 days on a weekday
  other than start's) has no occurrences; looking for them stops at the year 9999, it never loops forever.
  An `hour` rule whose weekday/month filters reject 100 000 steps in a row (at least 11 years; with `interval`
  24 or more, at least 270 years) is taken to have no further occurrence: every 168 hours from a Monday in UTC,
  on Tuesdays, never matches, and walking its steps to the year 9999 would take seconds.
- Floating schedules: `floating_next` restarts the same rule on the completion's local date (at the original
  start's local time of day, with the original's defaults for weekday, month and month day) and takes its first
  occurrence at or after the completion plus `interval` units (calendar units in local time; `hour`: exactly
  `interval` hours later). Daily, interval 1, start 08:00, completed Tuesday 13:00: the restarted rule is
  Tue 08:00, Wed 08:00, Thu 08:00, ...; the first at or after Wed 13:00 is Thu 08:00.

Invalid input (unknown frequency or zone, interval < 1, a weekday/month/month day out of range, naive datetimes,
`until` and `limit` both missing) raises ValueError; nothing else is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, HOURLY, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, YEARLY, rrule, rruleset, weekday

FREQUENCIES = ("hour", "day", "week", "month", "season", "year")
_ISO_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)  # ISO 1=Mon..7=Sun
_MONTH_DAY_FREQUENCIES = ("month", "season", "year")
# An hour rule whose filters reject this many steps in a row has no further occurrence (see the module docstring).
HOURLY_MISS_LIMIT = 100_000


@dataclass(frozen=True)
class Recurrence:
    """A repeating schedule (see the module docstring for what each field means with each frequency).

    Weekdays, months and the month day are checked here (ValueError) and normalised to sorted tuples without
    duplicates; the API layer still validates the documented ranges so that its answer is a clear 422.
    """

    frequency: str
    start: datetime
    timezone: str = "Etc/UTC"
    interval: int = 1
    on_week_days: tuple[int, ...] = ()
    in_months: tuple[int, ...] = ()
    on_month_day: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}")
        if type(self.interval) is not int or self.interval < 1:
            raise ValueError("interval must be a whole number of at least 1")
        if self.on_month_day is not None and (type(self.on_month_day) is not int or not 1 <= self.on_month_day <= 31):
            raise ValueError("on_month_day must be between 1 and 31")
        object.__setattr__(self, "on_week_days", _ints(self.on_week_days, 1, 7, "on_week_days"))
        object.__setattr__(self, "in_months", _ints(self.in_months, 1, 12, "in_months"))
        _require_aware(self.start, "start")
        try:
            self.start.astimezone(zone_of(self.timezone))
        except OverflowError:
            raise ValueError("start is out of range") from None


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone called `name`; ValueError when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a folder name, a name too long
        raise ValueError(f"unknown time zone: {name!r}") from None


def occurrences(
    rule: Recurrence,
    after: datetime,
    until: datetime | None = None,
    *,
    inclusive: bool = True,
    limit: int | None = None,
) -> Iterator[datetime]:
    """Occurrences >= after (> after when not inclusive) and <= until, ascending, aware UTC.

    Without `until`, `limit` is required: a rule repeats for ever, so the caller says how many it wants.
    """
    _require_aware(after, "after")
    if until is not None:
        _require_aware(until, "until")
    elif limit is None:
        raise ValueError("occurrences needs `until` or `limit`")
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    return _bounded(_Plan.of(rule), after, until, inclusive, limit)


def next_occurrence(rule: Recurrence, after: datetime, *, inclusive: bool = True) -> datetime | None:
    """The first occurrence at or after `after` (strictly after when not inclusive), or None when none is left."""
    return next(occurrences(rule, after, inclusive=inclusive, limit=1), None)


def latest_occurrence(rule: Recurrence, at_or_before: datetime) -> datetime | None:
    """The last occurrence at or before `at_or_before` (None before the first one): what a catch-up generates.

    Looks back in a window that grows fourfold until it finds one or reaches `start`, so the cost follows the
    distance to that occurrence, not the schedule's age.
    """
    _require_aware(at_or_before, "at_or_before")
    plan = _Plan.of(rule)
    if at_or_before < plan.start:
        return None
    span = _PERIOD[rule.frequency] * rule.interval * 2
    while True:
        try:
            low = max(plan.start, at_or_before - span)
        except OverflowError:
            low = plan.start
        found = None
        for found in _bounded(plan, low, at_or_before, True, None):  # noqa: B007 - keep the last one
            pass
        if found is not None or low == plan.start:
            return found
        span *= 4


def floating_next(rule: Recurrence, completed_at: datetime) -> datetime | None:
    """A floating schedule's next occurrence after a work order completed at `completed_at`.

    The same rule restarted on the completion's local date at the original start's local time of day (keeping
    the original's default weekday, month and month day), first occurrence at or after `completed_at` plus
    `interval` units (relativedelta in local time; for `hour`, exactly `interval` hours).
    """
    _require_aware(completed_at, "completed_at")
    zone = zone_of(rule.timezone)
    original = rule.start.astimezone(zone).replace(tzinfo=None)
    try:
        done = completed_at.astimezone(zone).replace(tzinfo=None)
        restart_local = datetime.combine(done.date(), original.time())
        if rule.frequency == "hour":
            threshold = completed_at + timedelta(hours=rule.interval)
        else:
            threshold = _instant(done + _step(rule.frequency, rule.interval), zone)
        restart = _instant(restart_local, zone)
    except (OverflowError, ValueError):
        return None  # past the year 9999
    restarted = replace(
        rule,
        start=restart,
        on_week_days=rule.on_week_days or ((original.isoweekday(),) if rule.frequency == "week" else ()),
        in_months=rule.in_months or ((original.month,) if rule.frequency == "year" else ()),
        on_month_day=rule.on_month_day or (original.day if rule.frequency in _MONTH_DAY_FREQUENCIES else None),
    )
    plan = _Plan(restarted, zone, restart_local, restart)
    return next(_bounded(plan, threshold, None, True, 1), None)


# ---------------------------------------------------------------------------------------------------------------


# A generous length of one unit, for the first look-back window of `latest_occurrence`.
_PERIOD = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=31),
    "season": timedelta(days=92),
    "year": timedelta(days=366),
}


@dataclass(frozen=True)
class _Plan:
    """A rule with its zone and its start both as local wall time and as an instant.

    The two differ only for a floating restart whose wall time falls in a DST gap: the wall time (02:30) is the
    time of day of later occurrences, the instant (03:30 local) is the first possible occurrence.
    """

    rule: Recurrence
    zone: ZoneInfo
    start_local: datetime  # naive local wall time
    start: datetime  # aware UTC

    @classmethod
    def of(cls, rule: Recurrence) -> _Plan:
        start, zone = rule.start.astimezone(UTC), zone_of(rule.timezone)
        return cls(rule, zone, start.astimezone(zone).replace(tzinfo=None), start)


def _bounded(
    plan: _Plan, after: datetime, until: datetime | None, inclusive: bool, limit: int | None
) -> Iterator[datetime]:
    if limit == 0 or _never(plan):
        return
    # In UTC once, so each comparison below is a plain one (mixed zones call utcoffset every time).
    try:
        after = after.astimezone(UTC)
    except OverflowError:
        if after.year > 1:
            return  # after the year 9999
        after = datetime.min.replace(tzinfo=UTC)
    if until is not None:
        try:
            until = until.astimezone(UTC)
        except OverflowError:
            if until.year == 1:
                return  # before anything
            until = None
    count = 0
    candidates = _hourly(plan, after, until) if plan.rule.frequency == "hour" else _calendar(plan, after, until)
    for moment in candidates:
        if moment < after or (moment == after and not inclusive):
            continue
        if until is not None and moment > until:
            return
        yield moment
        count += 1
        if limit is not None and count >= limit:
            return


def _never(plan: _Plan) -> bool:
    """Rules that provably never match, answered without walking the calendar to the year 9999.

    Every `interval` days with `interval` a multiple of 7 stays on start's weekday; every N months only visits the
    months N apart from start's. (Other rules that never match are still finite: the walk stops at 9999.)
    """
    rule, start = plan.rule, plan.start_local
    if rule.frequency == "day" and rule.on_week_days and rule.interval % 7 == 0:
        return start.isoweekday() not in rule.on_week_days
    if rule.frequency in ("month", "season") and rule.in_months:
        step = rule.interval * (3 if rule.frequency == "season" else 1)
        reachable = {(start.month - 1 + k * step) % 12 + 1 for k in range(12)}
        return reachable.isdisjoint(rule.in_months)
    return False


def _hourly(plan: _Plan, after: datetime, until: datetime | None) -> Iterator[datetime]:
    """Every `interval` hours from start in UTC, from the first one at or after `after`, kept by local date."""
    rule = plan.rule
    step = timedelta(hours=rule.interval)
    skipped = max(0, -((plan.start - after) // step))  # whole steps before `after`: ceil((after - start) / step)
    try:
        first = plan.start + skipped * step
    except OverflowError:
        return
    fraction = first.microsecond
    # `until` stops rrule itself, so a window with no match ends there instead of at the year 9999.
    stop = None if until is None else until.astimezone(UTC).replace(tzinfo=None)
    times = rrule(HOURLY, interval=rule.interval, dtstart=first.replace(tzinfo=None), until=stop)
    weekdays, months = set(rule.on_week_days), set(rule.in_months)
    misses = 0
    for naive in times:
        moment = naive.replace(microsecond=fraction, tzinfo=UTC)
        if weekdays or months:
            try:
                local = moment.astimezone(plan.zone)
            except OverflowError:
                return
            if (weekdays and local.isoweekday() not in weekdays) or (months and local.month not in months):
                misses += 1
                if misses >= HOURLY_MISS_LIMIT:
                    return
                continue
        misses = 0
        yield moment


def _calendar(plan: _Plan, after: datetime, until: datetime | None) -> Iterator[datetime]:
    """The calendar rule's local wall times from near `after`, as ascending UTC instants at or after start."""
    try:
        after_local: datetime | None = after.astimezone(plan.zone).replace(tzinfo=None)
    except OverflowError:
        after_local = None if after < plan.start else datetime.max
    dtstart = _resume_point(plan, after_local)
    # rrule stops a little after `until` (a gap moves a wall time by at most a day); `_bounded` cuts exactly.
    try:
        stop = None if until is None else until.astimezone(plan.zone).replace(tzinfo=None) + timedelta(days=2)
    except OverflowError:
        stop = None
    fraction = plan.start_local.microsecond
    previous: datetime | None = None
    for naive in _calendar_rule(plan, dtstart, stop):
        wall = naive.replace(microsecond=fraction)
        try:
            moment = plan.start if wall == plan.start_local else _instant(wall, plan.zone)
        except OverflowError:
            return
        # Only a zone that skips a whole day (Pacific/Apia, 2011) can map two wall times to one instant.
        if moment < plan.start or (previous is not None and moment <= previous):
            continue
        previous = moment
        yield moment


def _calendar_rule(plan: _Plan, dtstart: datetime, until: datetime | None) -> rrule | rruleset:
    """The rrule for a calendar frequency, starting at the local wall time `dtstart`.

    Weekdays, months and the month day are always given explicitly (their defaults come from the rule's
    start, not from `dtstart`), so a later `dtstart` from `_resume_point` yields the same occurrences.
    """
    rule, start = plan.rule, plan.start_local
    months = rule.in_months or None
    if rule.frequency == "day":
        days = _weekdays(rule.on_week_days)
        return rrule(DAILY, dtstart=dtstart, interval=rule.interval, byweekday=days, bymonth=months, until=until)
    if rule.frequency == "week":
        days = _weekdays(rule.on_week_days or (start.isoweekday(),))
        return rrule(
            WEEKLY, dtstart=dtstart, interval=rule.interval, wkst=MO, byweekday=days, bymonth=months, until=until
        )
    day = rule.on_month_day or start.day
    # Day d of a month shorter than d is its last day: the last existing day of 28..d is exactly that.
    month_days = [day] if day <= 28 else list(range(28, day + 1))
    last = -1 if day > 28 else None
    if rule.frequency in ("month", "season"):
        interval = rule.interval * (3 if rule.frequency == "season" else 1)
        return rrule(
            MONTHLY,
            dtstart=dtstart,
            interval=interval,
            bymonth=months,
            bymonthday=month_days,
            bysetpos=last,
            until=until,
        )
    # year: bysetpos picks within a whole year, so each month gets its own rule for the last-day clamp.
    result = rruleset()
    for month in rule.in_months or (start.month,):
        result.rrule(
            rrule(
                YEARLY,
                dtstart=dtstart,
                interval=rule.interval,
                bymonth=month,
                bymonthday=month_days,
                bysetpos=last,
                until=until,
            )
        )
    return result


def _resume_point(plan: _Plan, after_local: datetime | None) -> datetime:
    """Where the rrule may start instead of `start` without changing any occurrence on or after `after_local`.

    A whole number of periods (of `interval` units) later than start, at least a day before `after_local`,
    so an old schedule does not replay decades of occurrences. Month and year rules restart on the first of
    their period (their month day is explicit); day and week rules keep start's phase.
    """
    rule, start = plan.rule, plan.start_local
    if after_local is None or after_local <= start:
        return start
    at = start.time()
    if rule.frequency == "day":
        days = (after_local.date() - start.date()).days - 2
        periods = max(0, days // rule.interval)
        return start + timedelta(days=periods * rule.interval)
    if rule.frequency == "week":
        first_monday = _monday(start.date())
        weeks = (_monday(after_local.date()) - first_monday).days // 7 - 1
        periods = max(0, weeks // rule.interval)
        if periods == 0:
            return start
        return datetime.combine(first_monday + timedelta(weeks=periods * rule.interval), at)
    if rule.frequency in ("month", "season"):
        step = rule.interval * (3 if rule.frequency == "season" else 1)
        months = (after_local.year - start.year) * 12 + after_local.month - start.month - 1
        periods = max(0, months // step)
        if periods == 0:
            return start
        year, month0 = divmod(start.year * 12 + start.month - 1 + periods * step, 12)
        return datetime.combine(date(year, month0 + 1, 1), at)
    periods = max(0, (after_local.year - start.year - 1) // rule.interval)
    if periods == 0:
        return start
    return datetime.combine(date(start.year + periods * rule.interval, 1, 1), at)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """A local wall time as an aware UTC instant: fold=0 (a gap lands an hour later, an overlap takes the first)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _step(frequency: str, interval: int) -> relativedelta:
    if frequency == "day":
        return relativedelta(days=interval)
    if frequency == "week":
        return relativedelta(weeks=interval)
    if frequency == "month":
        return relativedelta(months=interval)
    if frequency == "season":
        return relativedelta(months=3 * interval)
    return relativedelta(years=interval)


def _weekdays(iso_days: Iterable[int]) -> list[weekday] | None:
    days = [_ISO_WEEKDAYS[day - 1] for day in iso_days]
    return days or None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _ints(values: Iterable[int], low: int, high: int, name: str) -> tuple[int, ...]:
    try:
        result = tuple(sorted(set(values)))
    except TypeError:
        raise ValueError(f"{name} must be a list of whole numbers") from None
    if any(type(value) is not int or not low <= value <= high for value in result):
        raise ValueError(f"{name} must hold whole numbers between {low} and {high}")
    return result


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
