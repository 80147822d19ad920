"""The forecasts' occurrence cache: computed once per key, bounded by the moments it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wrenchwork.pm_schedules.occurrence_cache import OccurrenceCache

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def _days(count: int) -> list[datetime]:
    return [DAY + timedelta(days=n) for n in range(count)]


def test_a_key_is_computed_once() -> None:
    cache = OccurrenceCache(max_moments=100)
    calls: list[str] = []

    def compute() -> list[datetime]:
        calls.append("computed")
        return _days(3)

    assert cache.moments("a", compute) == tuple(_days(3))
    assert cache.moments("a", compute) == tuple(_days(3))
    assert calls == ["computed"]
    assert cache.moments("b", lambda: []) == ()  # an empty window is kept too
    assert (len(cache), cache.held) == (2, 5)


def test_the_least_recently_used_entries_go_first_beyond_the_bound() -> None:
    cache = OccurrenceCache(max_moments=25)
    computed: list[str] = []

    def week_of(key: str) -> tuple[datetime, ...]:
        def compute() -> list[datetime]:
            computed.append(key)
            return _days(7)

        return cache.moments(key, compute)

    for key in "abca":  # 8 each with its key: 24 held; "a" read again is the most recent
        week_of(key)
    week_of("d")  # 32 > 25: "b", the least recently used, goes
    assert (len(cache), cache.held) == (3, 24)
    for key in "acd":
        week_of(key)
    assert computed == ["a", "b", "c", "d"]
    week_of("b")
    assert computed[-1] == "b" and cache.held == 24
