"""Benchmark data for PM generation: many persistent daily schedules that all come due at the same moment.

    python -m bench.pm_data --db sqlite:///bench/out/db/pm.db --schedules 10000 --work-orders 100000

The database comes from bench/generate.py (a customer, users, assets, `--work-orders` work orders for the list to
page through); the schedules are bulk-inserted beside it, each with a template like the ones people write (a
title, a description, a technician, a category, a two-item checklist; every `--part-every`th one a part). They
are parked: `next_order_date` is far in the future until `release()` makes every one of them due at once (the
runner does that while it measures).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from bench.generate import Generated, generate, insert_chunks, insert_link_chunks, next_id, table_of
from wrenchwork.core.counters import recount
from wrenchwork.core.db import make_engine, make_sessionmaker, refresh_statistics
from wrenchwork.models import (
    Category,
    Part,
    PartTransaction,
    PmSchedule,
    PmScheduleRun,
    PmTemplatePart,
    PmTemplateWorkOrder,
    UserRole,
    pm_template_categories,
    pm_template_technicians,
)

# Where parked schedules wait: never due until released.
PARKED = datetime(2999, 1, 1, tzinfo=UTC)
CHECKLIST = [
    {"text": "Check for leaks and unusual noise", "order": 1, "checked": False},
    {"text": "Record the reading in the log", "order": 2, "checked": False},
]


@dataclass
class PmData:
    generated: Generated
    schedule_ids: list[int]
    start: datetime  # every schedule's start_date: a day before the data was made, at 08:00 UTC


def make(url: str, schedules: int, work_orders: int, part_every: int = 5, users: int = 50) -> PmData:
    generated = generate(url, {"users": users, "assets": 500, "parts": 0, "work_orders": work_orders})
    engine = make_engine(url)
    try:
        ids, start = _schedules(engine, generated, schedules, part_every)
        refresh_statistics(engine)
    finally:
        engine.dispose()
    return PmData(generated, ids, start)


def _schedules(engine: Engine, generated: Generated, count: int, part_every: int) -> tuple[list[int], datetime]:
    entity, admin = generated.entity_id, generated.admin_id
    start = (datetime.now(UTC) - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    with make_sessionmaker(engine)() as session, session.begin():
        first, first_template = next_id(session, PmSchedule), next_id(session, PmTemplateWorkOrder)
        ids = list(range(first, first + count))
        technicians = list(
            session.scalars(select(UserRole.user_id).where(UserRole.entity_id == entity, UserRole.role == "technician"))
        ) or [admin]
        categories = list(session.scalars(select(Category.id).where(Category.entity_id == entity))) or []
        parts = _parts(session, entity, 20) if part_every else []
        audit = {"entity_id": entity, "created_at": start, "updated_at": start, "created_by_id": admin,
                 "updated_by_id": admin}  # fmt: skip

        def schedules() -> Iterator[dict[str, object]]:
            for n in ids:
                yield {"id": n, "status": "planned", "type": "persistent", "start_date": start,
                       "time_to_complete": 8, "repeat_frequency": "day", "repeat_interval": 1,
                       "repeat_occurrence": "custom", "on_week_days": [], "in_months": [], "on_month_day": None,
                       "next_order_date": PARKED, **audit}  # fmt: skip

        def templates() -> Iterator[dict[str, object]]:
            for offset, n in enumerate(ids):
                yield {"id": first_template + offset, "pm_schedule_id": n, "title": f"Daily round {n}",
                       "description": "Walk the line; check pumps, belts and gauges", "priority": "medium",
                       "checklist": CHECKLIST, **audit}  # fmt: skip

        insert_chunks(session, PmSchedule, schedules())
        insert_chunks(session, PmTemplateWorkOrder, templates())
        template_ids = range(first_template, first_template + count)
        insert_link_chunks(
            session,
            pm_template_technicians,
            ({"template_id": t, "user_id": technicians[t % len(technicians)]} for t in template_ids),
        )
        if categories:
            insert_link_chunks(
                session,
                pm_template_categories,
                ({"template_id": t, "category_id": categories[t % len(categories)]} for t in template_ids),
            )
        if parts:
            part_rows = (
                {"template_id": t, "part_id": parts[t % len(parts)], "quantity": Decimal(1)}
                for n, t in enumerate(template_ids)
                if n % part_every == 0
            )
            insert_link_chunks(session, table_of(PmTemplatePart), part_rows)
        recount(session, PmSchedule)
    return ids, start


def _parts(session: Session, entity_id: int, count: int) -> list[int]:
    """A few parts with plenty of stock for the templates, each ledger started with its `initial` line."""
    first = next_id(session, Part)
    ids = list(range(first, first + count))
    stock, cost = Decimal(1_000_000), Decimal("4.50")
    insert_chunks(
        session,
        Part,
        ({"id": i, "entity_id": entity_id, "name": f"Filter {i}", "on_hand_qty": stock, "unit_cost": cost,
          "avg_unit_cost": cost} for i in ids),
    )  # fmt: skip
    insert_chunks(
        session,
        PartTransaction,
        ({"entity_id": entity_id, "part_id": i, "type": "initial", "quantity": stock, "cost": cost,
          "total_cost": stock * cost} for i in ids),
    )  # fmt: skip
    recount(session, Part)
    recount(session, PartTransaction)
    return ids


def release(engine: Engine, schedule_ids: list[int], at: datetime) -> None:
    """Make every schedule due at once: its next order date becomes `at` (one short transaction)."""
    with engine.begin() as connection:
        connection.execute(update(PmSchedule).where(PmSchedule.id.in_(schedule_ids)).values(next_order_date=at))


def made(engine: Engine) -> int:
    """Work orders generated so far (run rows)."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(PmScheduleRun)) or 0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pm_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a SQLite URL, e.g. sqlite:///bench/out/db/pm.db")
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--part-every", type=int, default=5, help="every Nth template assigns a part (0: none)")
    args = parser.parse_args(argv)
    data = make(args.db, args.schedules, args.work_orders, args.part_every)
    print(json.dumps({"generated": asdict(data.generated), "schedules": len(data.schedule_ids),
                      "start": data.start.isoformat()}, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
