"""The occurrences of a schedule's rule in a window, computed once and kept for every forecast that asks again:
`GET /pm_forecast`, `GET /pm_schedules/{id}/forecast` and the web app's calendar and schedule pages all read
them through `forecast._coming`.

An entry is keyed on everything that decides its occurrences, never on the schedule's id: the rule's fields as
stored (frequency, start, interval, weekdays, months, month day), the entity's time zone and the window (from
the later of the schedule's next order date and the window's start, to the window's end). A schedule whose rule
or next order date changes (an edit, a generated work order, a pause and resume) therefore asks under another
key and can never be answered with its old occurrences, whoever changed it; the old entry ages out. There is
nothing to invalidate.

Bounded by the number of moments held (`MAX_MOMENTS`, about 60 bytes each): the entries used least recently
go first. One cache per process, shared by every request thread (a lock guards it; a miss is computed outside
the lock, so two threads may compute the same entry once each)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime

# At most this many moments (over every entry): about 15 MB. A month's calendar of 2,000 schedules holds about
# 40,000.
MAX_MOMENTS = 250_000

Moments = tuple[datetime, ...]


class OccurrenceCache:
    def __init__(self, max_moments: int = MAX_MOMENTS) -> None:
        self.max_moments = max_moments
        self._entries: OrderedDict[Hashable, Moments] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def moments(self, key: Hashable, compute: Callable[[], Iterable[datetime]]) -> Moments:
        """The moments kept under `key`, or `compute()`'s (then kept)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        computed = tuple(compute())
        with self._lock:
            if key not in self._entries:
                self._entries[key] = computed
                self._held += _size(computed)
                while self._held > self.max_moments and self._entries:
                    _, dropped = self._entries.popitem(last=False)
                    self._held -= _size(dropped)
        return computed

    @property
    def held(self) -> int:
        """Moments held, counting each entry as one more (an empty window costs its key)."""
        return self._held

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0


def _size(moments: Moments) -> int:
    return len(moments) + 1


OCCURRENCES = OccurrenceCache()
