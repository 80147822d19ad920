"""CPU time of the PM calendar (`GET /pm_forecast` for a month, the service the web calendar reads), in-process,
on a generated database, with the occurrence cache empty (a month's first view) and warm (every view after).

    python -m bench.pm_calendar --db sqlite:///bench/out/db/wrenchwork.db [--month 2026-12] [--rounds 15]

The service is called directly, with the generated admin's scope. Prints the median and lowest CPU
time of this process per call (on PostgreSQL the server's own work is left out) and the entries answered."""

from __future__ import annotations

import argparse
import calendar
import statistics
import time
from collections.abc import Callable
from datetime import datetime

from wrenchwork.core import clock
from wrenchwork.core.auth import Scope
from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.models import Customer, Entity, User
from wrenchwork.pm_schedules import forecast
from wrenchwork.pm_schedules.occurrence_cache import OCCURRENCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: this month)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    first = datetime.strptime(args.month, "%Y-%m").date() if args.month else clock.now().date().replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    with make_sessionmaker(make_engine(args.db))() as session:
        user, customer, entity = session.get(User, 1), session.get(Customer, 1), session.get(Entity, 1)
        assert user is not None and customer is not None and entity is not None
        scope = Scope.of(user, customer, entity, "admin")

        def month() -> int:
            entries, _ = forecast.calendar(session, scope, first, last)
            return len(entries)

        print(f"PM calendar {first:%Y-%m}: {month()} entries")
        cold = _cpu(month, args.rounds, before=OCCURRENCES.clear)
        warm = _cpu(month, args.rounds)
        print(f"{'cache':<6} {'median CPU ms':>14} {'lowest':>7}")
        for name, times in (("empty", cold), ("warm", warm)):
            print(f"{name:<6} {statistics.median(times):>14.1f} {min(times):>7.1f}")
        print(f"the cache holds {len(OCCURRENCES)} entries, {OCCURRENCES.held} moments")


def _cpu(call: Callable[[], int], rounds: int, before: Callable[[], None] = lambda: None) -> list[float]:
    times = []
    for _ in range(rounds):
        before()
        started = time.process_time()
        call()
        times.append((time.process_time() - started) * 1000)
    return times


if __name__ == "__main__":
    main()
