"""Benchmark data: a fresh wrenchwork database holding one customer and many rows, built fast.

    python -m bench.generate --db sqlite:///bench/out/db/wrenchwork.db --users 100000 --entities 10

The schema comes from the migrations and the customer from `create_customer` (admin user, main entity and an API
key with a known token). Everything else is bulk-inserted with SQLAlchemy Core (executemany in chunks), which
bypasses the ORM, so each resource's row counters are rebuilt with `recount` afterwards.

Counts are totals in the main entity, the bootstrap rows included: `--users 1000` lists exactly 1000 users.

To add a resource (locations, assets, parts, work orders): write `generate_<resource>(ctx, count)` and add a
`Resource(...)` line to `RESOURCES`; the command line gains `--<resource> N` by itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, bindparam, create_engine, func, insert, inspect, select, text, update
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session

from bench import fake
from wrenchwork.core.counters import recount
from wrenchwork.core.db import make_engine, make_sessionmaker, refresh_statistics
from wrenchwork.core.migrate import upgrade
from wrenchwork.core.model_base import Base, utcnow
from wrenchwork.models import (
    Asset,
    AssetType,
    Category,
    Entity,
    Location,
    MeasurementUnit,
    Part,
    PartTransaction,
    PartType,
    PmSchedule,
    PmTemplateWorkOrder,
    Storeroom,
    User,
    UserRole,
    Vendor,
    VendorContact,
    VendorPart,
    WorkOrder,
    WorkOrderRequest,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    part_assets,
    pm_template_categories,
    pm_template_technicians,
    work_order_categories,
    work_order_technicians,
)
from wrenchwork.parts.stock import money, weighted_average
from wrenchwork.system.bootstrap import create_customer

# The API key of the generated admin (the settings require >= 20 characters and no spaces).
BENCH_TOKEN = "ww_bench_0123456789abcdefghijklmnopqrstuv"
CHUNK = 5_000
CENT = Decimal("0.01")
Row = dict[str, Any]


@dataclass
class Context:
    """What every generator needs: the session and the customer, entity and admin the rows belong to."""

    session: Session
    customer_id: int
    entity_id: int  # the main entity: every entity-owned row goes here, so lists see them all
    admin_id: int
    rng: random.Random
    now: datetime
    # resource -> the id of one row in the middle of the data set, for detail endpoints (`{users_id}`)
    sample_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    name: str  # command-line option and key of `sample_ids`
    help: str
    generate: Callable[[Context, int], None]
    counted: tuple[type[Base], ...]  # models whose row counters the bulk insert invalidates
    default: int = 1


@dataclass
class Generated:
    url: str
    token: str
    customer_id: int
    entity_id: int
    admin_id: int
    counts: dict[str, int]
    sample_ids: dict[str, int]
    seconds: float


# ---- helpers ----------------------------------------------------------------------------------------------------


def table_of(model: type[Base]) -> Table:
    table: Table = model.__table__  # type: ignore[assignment]
    return table


def next_id(session: Session, model: type[Base]) -> int:
    """Generated rows get explicit ids, so related rows can point at them without reading anything back."""
    table = table_of(model)
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def insert_chunks(session: Session, model: type[Base], rows: Iterable[Row]) -> int:
    """Core executemany in chunks of CHUNK rows; `rows` may be a generator, so memory stays flat."""
    table = table_of(model)
    stmt = insert(table)
    batch: list[Row] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            session.execute(stmt, batch)
            total += len(batch)
            batch = []
    if batch:
        session.execute(stmt, batch)
        total += len(batch)
    _sync_sequence(session, table)
    return total


def insert_link_chunks(session: Session, table: Table, rows: Iterable[Row]) -> None:
    """Link rows (no id column) in chunks of CHUNK."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            session.execute(insert(table), batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)


def _sync_sequence(session: Session, table: Table) -> None:
    """PostgreSQL: explicit ids leave the serial sequence behind; move it past the largest id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))")
    )


def past(ctx: Context, max_days: int) -> datetime:
    return ctx.now - timedelta(seconds=ctx.rng.randint(3600, max_days * 86_400))


# ---- generators -------------------------------------------------------------------------------------------------


def generate_entities(ctx: Context, count: int) -> None:
    """More sites of the customer (the main one exists already); the admin is admin in each."""
    first = next_id(ctx.session, Entity)
    ids = range(first, first + max(0, count - 1))

    def entities() -> Iterator[Row]:
        for n in ids:
            created = past(ctx, 1500)
            yield {
                "id": n,
                "customer_id": ctx.customer_id,
                "name": f"{ctx.rng.choice(fake.CITIES)} {ctx.rng.choice(fake.SITE_KINDS)} {n}",
                "description": "Generated benchmark site",
                "address": f"{ctx.rng.randint(1, 999)} Industrial Way",
                "datetime_format": "MM/DD/YYYY - 11:59 PM",
                "timezone": ctx.rng.choice(fake.TIMEZONES),
                "currency": "USD",
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, Entity, entities())
    first_role = next_id(ctx.session, UserRole)
    roles = (
        {
            "id": first_role + i,
            "user_id": ctx.admin_id,
            "entity_id": n,
            "role": "admin",
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
        for i, n in enumerate(ids)
    )
    insert_chunks(ctx.session, UserRole, roles)
    if ids:
        ctx.sample_ids["entities"] = ids[len(ids) // 2]


def generate_users(ctx: Context, count: int) -> None:
    """Users of the customer, each with one role in the main entity (the admin already exists)."""
    first = next_id(ctx.session, User)
    ids = range(first, first + max(0, count - 1))
    roles: list[str] = []

    def users() -> Iterator[Row]:
        rng = ctx.rng
        for n in ids:
            name, surname, job = rng.choice(fake.FIRST_NAMES), rng.choice(fake.SURNAMES), fake.pick_job(rng)
            rate = fake.hourly_rate(rng, job)
            created = past(ctx, 1500)
            logged_in = rng.random() < 0.8
            roles.append(job.role)
            yield {
                "id": n,
                "customer_id": ctx.customer_id,
                "name": name,
                "surname": surname,
                "email": fake.email(name, surname, n, rng),
                "language": rng.choice(fake.LANGUAGES),
                "phone_number": fake.phone_number(rng),
                "job_title": job.title,
                "status": "active" if rng.random() < 0.97 else "inactive",
                "can_be_assigned_to_wo": job.role != "requester",
                "regular_rate": rate,
                "overtime_rate1": (rate * Decimal("1.5")).quantize(CENT),
                "overtime_rate2": rate * 2,
                "last_login_at": past(ctx, 60) if logged_in else None,
                "login_count": rng.randint(1, 400) if logged_in else 0,
                "created_at": created,
                "updated_at": created + timedelta(days=rng.randint(0, 30)),
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, User, users())
    first_role = next_id(ctx.session, UserRole)
    rows = (
        {
            "id": first_role + i,
            "user_id": n,
            "entity_id": ctx.entity_id,
            "role": role,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
        for i, (n, role) in enumerate(zip(ids, roles, strict=True))
    )
    insert_chunks(ctx.session, UserRole, rows)
    ctx.sample_ids["users"] = ids[len(ids) // 2] if ids else ctx.admin_id


def generate_vendors(ctx: Context, count: int) -> None:
    """Service vendors of the main entity, each with a primary contact."""
    first = next_id(ctx.session, Vendor)
    ids = range(first, first + count)

    def vendors() -> Iterator[Row]:
        for n in ids:
            created = past(ctx, 1500)
            yield {
                "id": n,
                "entity_id": ctx.entity_id,
                "name": f"{ctx.rng.choice(fake.SURNAMES)} {ctx.rng.choice(fake.VENDOR_KINDS)} {n}",
                "is_active": True,
                "assign_to_work_orders": True,
                "parts_supplier": ctx.rng.random() < 0.4,
                "rating": ctx.rng.randint(1, 5),
                "hourly_rate": Decimal(ctx.rng.randint(3000, 12000)) / 100,
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    def contacts() -> Iterator[Row]:
        for n in ids:
            name, surname = ctx.rng.choice(fake.FIRST_NAMES), ctx.rng.choice(fake.SURNAMES)
            yield {
                "vendor_id": n,
                "name": f"{name} {surname}",
                "email": fake.email(name, surname, n, ctx.rng),
                "phone": fake.phone_number(ctx.rng),
                "is_primary": True,
            }

    insert_chunks(ctx.session, Vendor, vendors())
    insert_chunks(ctx.session, VendorContact, contacts())
    if ids:
        ctx.sample_ids["vendors"] = ids[len(ids) // 2]


def generate_locations(ctx: Context, count: int) -> None:
    """Sites as buildings with rooms: one building per ten locations, the rest rooms inside them."""
    first = next_id(ctx.session, Location)
    ids = range(first, first + count)

    def locations() -> Iterator[Row]:
        building: tuple[int, str] = (first, "")
        for n in ids:
            created = past(ctx, 1500)
            row = {
                "id": n,
                "entity_id": ctx.entity_id,
                "description": None,
                "address": None,
                "qr_code": None,
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }
            if (n - first) % 10 == 0:
                name = f"Building {n}"
                building = (n, name)
                row.update(name=name, path=name, parent_id=None, root_id=None, address="1 Industrial Way")
            else:
                name = f"{ctx.rng.choice(fake.ROOMS)} {n}"
                row.update(name=name, path=f"{building[1]} > {name}", parent_id=building[0], root_id=building[0])
            yield row

    insert_chunks(ctx.session, Location, locations())
    if ids:
        ctx.sample_ids["locations"] = ids[len(ids) // 2]


def generate_assets(ctx: Context, count: int) -> None:
    """Equipment spread over the locations, one in five a sub-asset, each with a technician, a type and a vendor."""
    first = next_id(ctx.session, Asset)
    ids = range(first, first + count)
    location_ids = list(ctx.session.scalars(select(Location.id).where(Location.entity_id == ctx.entity_id)))
    vendor_ids = list(ctx.session.scalars(select(Vendor.id).where(Vendor.entity_id == ctx.entity_id)))
    technician_ids = list(
        ctx.session.scalars(
            select(UserRole.user_id)
            .where(UserRole.entity_id == ctx.entity_id, UserRole.role == "technician")
            .limit(200)
        )
    ) or [ctx.admin_id]
    type_ids = []
    for name in fake.ASSET_TYPES:
        type_ids.append(next_id(ctx.session, AssetType))
        insert_chunks(
            ctx.session,
            AssetType,
            [
                {
                    "id": type_ids[-1],
                    "entity_id": ctx.entity_id,
                    "name": name,
                    "created_at": ctx.now,
                    "updated_at": ctx.now,
                }
            ],
        )

    def assets() -> Iterator[Row]:
        rng = ctx.rng
        for n in ids:
            created = past(ctx, 1500)
            kind = rng.choice(fake.EQUIPMENT)
            parent = n - 1 if n > first and rng.random() < 0.2 else None
            cost = Decimal(rng.randint(50_000, 10_000_000)) / 100
            yield {
                "id": n,
                "entity_id": ctx.entity_id,
                "name": f"{kind} {n}",
                "asset_code": f"A-{n:07d}",
                "description": None,
                "model": f"M-{rng.randint(100, 999)}",
                "manufacturer": rng.choice(fake.MANUFACTURERS),
                "serial_number": f"SN{rng.randint(10**7, 10**8 - 1)}",
                "purchase_date": created.date(),
                "warranty_exp_date": (created + timedelta(days=730)).date(),
                "warranty_expiration_notification": 30,
                "life_expectancy": rng.randint(5, 25),
                "purchase_cost": cost,
                "replacement_cost": (cost * Decimal("1.2")).quantize(CENT),
                "salvage_value": (cost / 10).quantize(CENT),
                "status": "online" if rng.random() < 0.95 else "offline",
                "location_id": rng.choice(location_ids) if location_ids else None,
                "parent_id": parent,
                "root_id": parent,  # the previous asset is always a top-level one or has its own parent: close enough
                "qr_code": None,
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, Asset, assets())
    links = (
        (asset_technicians, "user_id", technician_ids),
        (asset_asset_types, "asset_type_id", type_ids),
        (asset_vendors, "vendor_id", vendor_ids),
    )
    for table, column, choices in links:
        if choices:
            rows = ({"asset_id": n, column: ctx.rng.choice(choices)} for n in ids)
            insert_link_chunks(ctx.session, table, rows)
    if ids:
        ctx.sample_ids["assets"] = ids[len(ids) // 2]


WORK_ORDER_JOBS = ("Replace filter on", "Inspect", "Lubricate", "Repair leak on", "Calibrate", "Replace belt on",
                   "Check vibration of", "Clean")  # fmt: skip
# base status, status id, weight: most work is done, a good share open or in progress.
WORK_ORDER_STATUSES = (("open", 1, 30), ("in_progress", 2, 15), ("on_hold", 3, 8), ("cancelled", 4, 5),
                       ("completed", 5, 42))  # fmt: skip


def generate_work_orders(ctx: Context, count: int) -> None:
    """Work orders on the assets and locations, each with one or two technicians and a category."""
    first = next_id(ctx.session, WorkOrder)
    ids = range(first, first + count)
    entity = ctx.entity_id
    asset_rows = list(
        ctx.session.execute(select(Asset.id, Asset.name, Asset.location_id).where(Asset.entity_id == entity))
    )
    location_ids = list(ctx.session.scalars(select(Location.id).where(Location.entity_id == entity)))
    technician_ids = list(
        ctx.session.scalars(
            select(UserRole.user_id).where(UserRole.entity_id == entity, UserRole.role == "technician").limit(300)
        )
    ) or [ctx.admin_id]
    category_ids = []
    for name in ("Electrical", "HVAC", "Mechanical", "Plumbing", "Safety", "Refrigeration"):
        category_ids.append(next_id(ctx.session, Category))
        row = {"id": category_ids[-1], "entity_id": entity, "name": name, "created_at": ctx.now, "updated_at": ctx.now}
        insert_chunks(ctx.session, Category, [row])
    statuses = [s for s in WORK_ORDER_STATUSES for _ in range(s[2])]

    def work_orders() -> Iterator[Row]:
        rng = ctx.rng
        for n in ids:
            created = past(ctx, 1000)
            base, status_id, _ = rng.choice(statuses)
            asset = rng.choice(asset_rows) if asset_rows and rng.random() < 0.8 else None
            location_id = asset[2] if asset else (rng.choice(location_ids) if location_ids else None)
            due = created + timedelta(days=rng.randint(1, 30))
            yield {
                "id": n,
                "entity_id": entity,
                "title": f"{rng.choice(WORK_ORDER_JOBS)} {asset[1] if asset else 'site equipment'}",
                "description": "Generated benchmark work order" if rng.random() < 0.7 else None,
                "type": "preventive" if rng.random() < 0.3 else "reactive",
                "priority": rng.choice(("none", "low", "medium", "high")),
                "status_id": status_id,
                "base_status": base,
                "due_date": due,
                "completed_at": due - timedelta(hours=rng.randint(1, 48)) if base == "completed" else None,
                "location_id": location_id,
                "asset_id": asset[0] if asset else None,
                "pm_schedule_id": None,
                "notify_vendors_on_create": False,
                "notify_vendors_on_update": False,
                "checklist": [],
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, WorkOrder, work_orders())
    assigned: list[int] = []

    def technicians() -> Iterator[Row]:
        for n in ids:
            people = ctx.rng.sample(technician_ids, min(len(technician_ids), 1 + (ctx.rng.random() < 0.3)))
            assigned.extend(people)
            for user_id in people:
                yield {"work_order_id": n, "user_id": user_id}

    insert_link_chunks(ctx.session, work_order_technicians, technicians())
    categories = ({"work_order_id": n, "category_id": ctx.rng.choice(category_ids)} for n in ids)
    insert_link_chunks(ctx.session, work_order_categories, categories)
    if ids:
        ctx.sample_ids["work_orders"] = ids[len(ids) // 2]
        ctx.sample_ids["work_order_technician"] = assigned[len(assigned) // 2]
        ctx.sample_ids["work_orders_first"], ctx.sample_ids["work_orders_last"] = ids[0], ids[-1]


# Parts that start empty, for the restock loads: `parts_hot` takes every request of the contended load, the
# RESTOCK_SPREAD parts from `parts_first` share the uncontended one, and their ledgers show no update was lost.
RESTOCK_SPREAD = 16


def _named_rows(ctx: Context, model: type[Base], names: Iterable[str]) -> list[int]:
    ids = []
    for name in names:
        ids.append(next_id(ctx.session, model))
        row = {"id": ids[-1], "entity_id": ctx.entity_id, "name": name, "created_at": ctx.now, "updated_at": ctx.now}
        insert_chunks(ctx.session, model, [row])
    return ids


def generate_parts(ctx: Context, count: int) -> None:
    """Spare parts in storerooms, each with its `initial` ledger line, a preferred vendor and an asset or two.
    One part (`ledger_part`) carries a ledger of `count` lines of restocks and counted corrections."""
    first = next_id(ctx.session, Part)
    ids = range(first, first + count)
    entity = ctx.entity_id
    storerooms = _named_rows(ctx, Storeroom, ("Main storeroom", "Workshop cage", "Line-side rack"))
    part_types = _named_rows(ctx, PartType, ("Bearings", "Belts", "Filters", "Electrical", "Fasteners", "Seals"))
    units = list(ctx.session.scalars(select(MeasurementUnit.id).where(MeasurementUnit.entity_id == entity)))
    vendor_ids = list(ctx.session.scalars(select(Vendor.id).where(Vendor.entity_id == entity)))
    first_asset, last_asset = ctx.session.execute(
        select(func.min(Asset.id), func.max(Asset.id)).where(Asset.entity_id == entity)
    ).one()
    ledger_part = ids[len(ids) // 3] if count > RESTOCK_SPREAD + 1 else None
    empty = {*ids[: RESTOCK_SPREAD + 1], ledger_part}
    stock: dict[int, tuple[Decimal, Decimal]] = {}

    def parts() -> Iterator[Row]:
        rng = ctx.rng
        for n in ids:
            on_hand = Decimal(0) if n in empty else Decimal(rng.randint(0, 400))
            cost = money(Decimal(rng.randint(50, 250_000)) / 100)
            stock[n] = (on_hand, cost)
            name, number = fake.part(rng, n)
            yield {
                "id": n, "entity_id": entity, "name": name, "description": None, "is_non_stock": False,
                "number": number, "area": f"Aisle {rng.randint(1, 12)}", "lead_time": rng.randint(1, 30),
                "on_hand_qty": on_hand, "unit_cost": cost, "avg_unit_cost": cost,
                "min_qty": Decimal(rng.randint(0, 20)), "desired_qty": Decimal(rng.randint(20, 60)),
                "part_type_id": rng.choice(part_types), "storeroom_id": rng.choice(storerooms),
                "measurement_unit_id": units[0] if units else None, "qr_code": None,
                "created_at": ctx.now - timedelta(days=1000), "updated_at": ctx.now,
                "created_by_id": ctx.admin_id, "updated_by_id": ctx.admin_id,
            }  # fmt: skip

    insert_chunks(ctx.session, Part, parts())

    def initial_lines() -> Iterator[Row]:
        for n in ids:
            on_hand, cost = stock[n]
            yield _line(ctx, n, "initial", on_hand, cost, ctx.now - timedelta(days=1000))

    insert_chunks(ctx.session, PartTransaction, initial_lines())
    if ledger_part:
        on_hand, avg = _ledger_lines(ctx, ledger_part, count, stock[ledger_part][1])
        parts_table = table_of(Part)
        ctx.session.execute(
            parts_table.update().where(parts_table.c.id == ledger_part).values(on_hand_qty=on_hand, avg_unit_cost=avg)
        )
    if vendor_ids:
        rows = ({"part_id": n, "vendor_id": ctx.rng.choice(vendor_ids), "vendor_part_number": f"V-{n}",
                 "is_preferred": True} for n in ids)  # fmt: skip
        insert_chunks(ctx.session, VendorPart, rows)
    if first_asset is not None:
        # Two assets per part, anywhere in the (contiguous) generated ids: a handful of parts per asset.
        links = (
            {"part_id": n, "asset_id": a}
            for n in ids
            for a in {ctx.rng.randint(first_asset, last_asset), ctx.rng.randint(first_asset, last_asset)}
        )
        insert_link_chunks(ctx.session, part_assets, links)
    if ids:
        ctx.sample_ids |= {"parts": ids[len(ids) // 2], "parts_first": ids[0], "parts_hot": ids[RESTOCK_SPREAD]}
        ctx.sample_ids["parts_spread_last"] = ids[min(RESTOCK_SPREAD - 1, len(ids) - 1)]
    if ledger_part:
        ctx.sample_ids["ledger_part"] = ledger_part


def _line(ctx: Context, part_id: int, kind: str, quantity: Decimal, cost: Decimal, at: datetime) -> Row:
    return {
        "entity_id": ctx.entity_id, "part_id": part_id, "type": kind, "quantity": quantity, "cost": cost,
        "total_cost": money(quantity * cost), "note": None, "work_order_id": None, "created_at": at,
        "updated_at": at, "created_by_id": ctx.admin_id, "updated_by_id": ctx.admin_id,
    }  # fmt: skip


def _ledger_lines(ctx: Context, part_id: int, count: int, unit_cost: Decimal) -> tuple[Decimal, Decimal]:
    """`count - 1` restocks and corrections of an empty part after its `initial` line, computed as the API
    would, so the part's stock and average cost equal a replay of its ledger. Returns (on_hand_qty, avg_unit_cost)."""
    on_hand, avg = Decimal(0), unit_cost
    start = ctx.now - timedelta(days=900)
    step = timedelta(days=900) / max(count, 1)

    def lines() -> Iterator[Row]:
        nonlocal on_hand, avg
        rng = ctx.rng
        for k in range(1, count):
            at = start + step * k
            if on_hand > 10 and rng.random() < 0.3:
                quantity = -Decimal(rng.randint(1, 5))
                yield _line(ctx, part_id, "reconcile", quantity, avg, at) | {"note": "Cycle count"}
            else:
                quantity, cost = Decimal(rng.randint(1, 20)), money(Decimal(rng.randint(500, 5_000)) / 100)
                avg = weighted_average(on_hand, avg, quantity, cost)
                yield _line(ctx, part_id, "restock", quantity, cost, at) | {"note": f"PO {rng.randint(1000, 99999)}"}
            on_hand += quantity

    insert_chunks(ctx.session, PartTransaction, lines())
    return on_hand, avg


PM_JOBS = ("Inspect", "Lubricate", "Replace filters on", "Calibrate", "Check belts on", "Clean", "Test")
PM_CATEGORIES = ("Inspection", "Lubrication", "Calibration")
# type, weight; frequency, weight
PM_TYPES = (("persistent", 70), ("floating", 20), ("one_time", 10))
PM_FREQUENCIES = (("hour", 5), ("day", 20), ("week", 30), ("month", 30), ("season", 10), ("year", 5))


def generate_pm_schedules(ctx: Context, count: int) -> None:
    """PM schedules on the assets, each with its template (a technician and a category); one in five has a
    work order generated from it when there are work orders. Planned ones order within the next 60 days."""
    entity = ctx.entity_id
    first, first_template = next_id(ctx.session, PmSchedule), next_id(ctx.session, PmTemplateWorkOrder)
    ids = range(first, first + count)
    asset_rows = list(
        ctx.session.execute(select(Asset.id, Asset.name, Asset.location_id).where(Asset.entity_id == entity))
    )
    technician_ids = list(
        ctx.session.scalars(
            select(UserRole.user_id).where(UserRole.entity_id == entity, UserRole.role == "technician").limit(300)
        )
    ) or [ctx.admin_id]
    category_ids = _named_rows(ctx, Category, PM_CATEGORIES)
    types = [kind for kind, weight in PM_TYPES for _ in range(weight)]
    frequencies = [kind for kind, weight in PM_FREQUENCIES for _ in range(weight)]
    today = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
    shown: dict[int, tuple[str, int | None, int | None]] = {}

    def schedules() -> Iterator[Row]:
        rng = ctx.rng
        for n in ids:
            created = past(ctx, 1000)
            start = created.replace(hour=rng.choice((6, 7, 8, 12)), minute=0, second=0, microsecond=0)
            kind, frequency = rng.choice(types), rng.choice(frequencies)
            status = "paused" if rng.random() < 0.15 else "planned"
            asset = rng.choice(asset_rows) if asset_rows and rng.random() < 0.9 else None
            shown[n] = (f"{rng.choice(PM_JOBS)} {asset[1] if asset else 'site equipment'}",
                        asset[0] if asset else None, asset[2] if asset else None)  # fmt: skip
            upcoming = today + timedelta(days=rng.randint(0, 60), hours=start.hour)
            yield {
                "id": n,
                "entity_id": entity,
                "status": status,
                "type": kind,
                "start_date": start,
                "time_to_complete": rng.choice((1, 2, 4, 8, 24)),
                "repeat_frequency": frequency,
                "repeat_interval": rng.choice((1, 1, 1, 2, 3)),
                "repeat_occurrence": "custom",
                "on_week_days": sorted(rng.sample(range(1, 8), rng.randint(1, 3))) if frequency == "week" else [],
                "in_months": sorted(rng.sample(range(1, 13), 2)) if frequency == "year" else [],
                "on_month_day": start.day if frequency in ("month", "season", "year") else None,
                "next_order_date": upcoming if status == "planned" else None,
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, PmSchedule, schedules())

    def templates() -> Iterator[Row]:
        for offset, n in enumerate(ids):
            title, asset_id, location_id = shown[n]
            yield {
                "id": first_template + offset,
                "entity_id": entity,
                "pm_schedule_id": n,
                "title": title,
                "description": "Generated benchmark PM schedule" if ctx.rng.random() < 0.7 else None,
                "priority": ctx.rng.choice(("none", "low", "medium", "high")),
                "asset_id": asset_id,
                "location_id": location_id,
                "checklist": [],
                "created_at": ctx.now,
                "updated_at": ctx.now,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, PmTemplateWorkOrder, templates())
    template_ids = range(first_template, first_template + count)
    assigned: list[int] = []

    def technicians() -> Iterator[Row]:
        for template_id in template_ids:
            assigned.append(ctx.rng.choice(technician_ids))
            yield {"template_id": template_id, "user_id": assigned[-1]}

    insert_link_chunks(ctx.session, pm_template_technicians, technicians())
    categories = ({"template_id": t, "category_id": ctx.rng.choice(category_ids)} for t in template_ids)
    insert_link_chunks(ctx.session, pm_template_categories, categories)
    work_orders = list(ctx.session.scalars(select(WorkOrder.id).where(WorkOrder.entity_id == entity)))
    links = [{"wo": w, "pm": p} for w, p in zip(ctx.rng.sample(work_orders, min(len(work_orders), count // 5)),
                                                 ids, strict=False)]  # fmt: skip
    table = table_of(WorkOrder)
    stmt = update(table).where(table.c.id == bindparam("wo")).values(pm_schedule_id=bindparam("pm"))
    for start in range(0, len(links), CHUNK):
        ctx.session.connection().execute(stmt, links[start : start + CHUNK])
    if ids:
        ctx.sample_ids["pm_schedules"] = ids[len(ids) // 2]
        ctx.sample_ids["pm_schedule_technician"] = assigned[len(assigned) // 2]


def generate_work_order_requests(ctx: Context, count: int) -> None:
    """Requests of the main entity at its locations and assets, submitted by the admin; most still pending."""
    first = next_id(ctx.session, WorkOrderRequest)
    ids = range(first, first + count)
    entity = ctx.entity_id
    locations = list(ctx.session.scalars(select(Location.id).where(Location.entity_id == entity).limit(1000)))
    assets = list(ctx.session.scalars(select(Asset.id).where(Asset.entity_id == entity).limit(1000)))

    def requests() -> Iterator[Row]:
        for n in ids:
            created = past(ctx, 700)
            yield {
                "id": n,
                "entity_id": entity,
                "title": f"{ctx.rng.choice(WORK_ORDER_JOBS)} request {n}",
                "description": "Noticed during the round",
                "status": ctx.rng.choice(("pending", "pending", "pending", "approved", "declined", "on_hold")),
                "notify": False,
                "priority": ctx.rng.choice(("none", "low", "medium", "high")),
                "location_id": ctx.rng.choice(locations) if locations else None,
                "asset_id": ctx.rng.choice(assets) if assets else None,
                "created_at": created,
                "updated_at": created,
                "created_by_id": ctx.admin_id,
                "updated_by_id": ctx.admin_id,
            }

    insert_chunks(ctx.session, WorkOrderRequest, requests())
    if ids:
        ctx.sample_ids["work_order_requests"] = ids[len(ids) // 2]


# In dependency order: a generator may use the rows of the ones before it.
RESOURCES: list[Resource] = [
    Resource("entities", "entities (sites) of the customer, the main one included", generate_entities, (Entity,)),
    Resource("users", "users with a role in the main entity, the admin included", generate_users, (UserRole,)),
    Resource("vendors", "vendors with a primary contact", generate_vendors, (Vendor,), default=0),
    Resource("locations", "locations: buildings with rooms", generate_locations, (Location,), default=0),
    Resource("assets", "assets with a technician, a type and a vendor", generate_assets, (Asset,), default=0),
    Resource(
        "work_orders",
        "work orders on the assets, with technicians and a category",
        generate_work_orders,
        (WorkOrder, Category),
        default=0,
    ),
    Resource(
        "work_order_requests",
        "work order requests at the locations and assets, submitted by the admin",
        generate_work_order_requests,
        (WorkOrderRequest,),
        default=0,
    ),
    Resource(
        "parts",
        "parts with their ledger (one part has a ledger as long as the count), vendors and assets",
        generate_parts,
        (Part, Storeroom, PartType, PartTransaction),
        default=0,
    ),
    Resource(
        "pm_schedules",
        "PM schedules on the assets, with their templates (a technician and a category each)",
        generate_pm_schedules,
        (PmSchedule, Category),
        default=0,
    ),
]


# ---- the whole database -----------------------------------------------------------------------------------------


def fresh_database(url: str, reset: bool = False) -> None:
    """An empty database migrated to head. A SQLite file is replaced; a server database must be empty or `reset`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise SystemExit("the benchmark needs a SQLite file, not an in-memory database")
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            if inspect(conn).get_table_names():
                if not reset:
                    raise SystemExit(f"{parsed.render_as_string()} is not empty; pass --reset to drop its tables")
                existing = MetaData()
                existing.reflect(conn)
                existing.drop_all(conn)
        engine.dispose()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(url)


def _assignee(ctx: Context) -> int:
    """The technician the write targets assign their new work to (bench/targets.py): not one whose work a filtered
    list target reads, so that a run's creates leave those lists as they were generated (`bench.run --reuse`)."""
    read = {ctx.sample_ids.get("work_order_technician"), ctx.sample_ids.get("pm_schedule_technician")}
    technicians = ctx.session.scalars(
        select(UserRole.user_id)
        .where(UserRole.entity_id == ctx.entity_id, UserRole.role == "technician")
        .order_by(UserRole.user_id)
        .limit(3)
    )
    return next((user_id for user_id in technicians if user_id not in read), ctx.admin_id)


def generate(
    url: str, counts: dict[str, int], token: str = BENCH_TOKEN, seed: int = 1, reset: bool = False
) -> Generated:
    started = time.perf_counter()
    fresh_database(url, reset)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            boot = create_customer(
                session, "Acme Manufacturing", "Main Facility", "admin@example.com", "Admin", "User", token=token
            )
            ctx = Context(session, boot.customer.id, boot.entity.id, boot.admin.id, random.Random(seed), utcnow())
            for resource in RESOURCES:
                resource.generate(ctx, counts.get(resource.name, resource.default))
                for model in resource.counted:
                    recount(session, model)
            ctx.sample_ids["assignee"] = _assignee(ctx)
        # Planner statistics, as the server refreshes them when it starts.
        refresh_statistics(engine)
        if engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load, done now rather than during the first loads: every
            # row's visibility recorded (index-only scans, no hint bits left to set on first read).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM")
    finally:
        engine.dispose()
    return Generated(
        url=url,
        token=token,
        customer_id=ctx.customer_id,
        entity_id=ctx.entity_id,
        admin_id=ctx.admin_id,
        counts={r.name: counts.get(r.name, r.default) for r in RESOURCES},
        sample_ids=ctx.sample_ids,
        seconds=round(time.perf_counter() - started, 2),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL, e.g. sqlite:///bench/out/db/wrenchwork.db")
    parser.add_argument("--token", default=BENCH_TOKEN, help="API token of the generated admin")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed gives the same data)")
    parser.add_argument("--reset", action="store_true", help="drop the tables of a non-empty server database")
    for resource in RESOURCES:
        parser.add_argument(f"--{resource.name}", type=int, default=resource.default, metavar="N", help=resource.help)
    args = parser.parse_args(argv)
    counts = {r.name: getattr(args, r.name) for r in RESOURCES}
    print(json.dumps(asdict(generate(args.db, counts, args.token, args.seed, args.reset)), indent=2))


if __name__ == "__main__":
    main()
