"""Import speed: N generated assets (CSV) into an empty entity, on SQLite (and PostgreSQL with --postgres-url).

    .venv/bin/python -m bench.imports --rows 100000 --per-row-rows 2000 [--postgres-url postgresql+psycopg://...]

Each run builds a fresh database through the migrations, one customer, three locations and two asset types,
then times the import engine (imports/engine.py, the same code `POST /imports` and `wrenchwork import` run) on
the file (its commit included: each new asset's `asset.created` event is written then), and checks what it wrote:
the asset count equals the row counter and the number of `asset.created` events. The same run also times the
row-by-row path (every row through assets/service.py, what the batch path replaced) on `--per-row-rows` rows,
and prints both rates and their ratio, since on a shared machine only figures measured side by side compare.
On PostgreSQL the database `imports_bench` is created afresh on the server the URL names.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, make_url, select, text

from wrenchwork.core.auth import Scope
from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.core.migrate import upgrade
from wrenchwork.imports.engine import run_import
from wrenchwork.locations.schemas import LocationCreate
from wrenchwork.locations.service import create_location
from wrenchwork.models import Asset, AssetType, Event, RowCount
from wrenchwork.system.bootstrap import create_customer

LOCATIONS = ("Building A", "Building A > Floor 1", "Building A > Floor 2")


def generate(rows: int) -> bytes:
    """A spreadsheet as a team would export it from elsewhere: headers with spaces, a location path, a type."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Asset Name", "Asset Code", "Serial #", "Manufacturer", "Purchase Cost", "Location", "Type"])
    for n in range(rows):
        writer.writerow(
            [f"Pump {n}", f"A-{n:07d}", f"SN{n * 7919 % 10_000_000:07d}", ("Grundfos", "KSB", "Wilo")[n % 3],
             f"{100 + n % 900}.50", LOCATIONS[n % 3], ("Pump", "Motor")[n % 2]]
        )  # fmt: skip
    return out.getvalue().encode()


def measure(url: str, data: bytes, bulk: bool = True) -> tuple[float, float, int]:
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        made = create_customer(session, "Bench", "Main", "bench@example.com", "Ada", "Admin")
        scope = Scope.of(made.admin, made.customer, made.entity, "admin")
        for path in LOCATIONS:
            *above, name = path.split(" > ")
            parent = (
                session.scalar(
                    select(text("id")).select_from(text("locations")).where(text("path = :p")), {"p": " > ".join(above)}
                )
                if above
                else None
            )
            create_location(session, scope, LocationCreate(name=name, parent_id=parent))
        for name in ("Pump", "Motor"):
            session.add(AssetType(entity_id=made.entity.id, name=name))
    started, cpu_started = time.perf_counter(), time.process_time()
    with sessions.begin() as session:
        result = run_import(session, scope, data, "assets", "all_or_nothing", bulk=bulk)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if result.errors or result.created != data.count(b"\n") - 1:
        raise RuntimeError(f"import did not create every row: {result.errors[:3]}")
    with sessions.begin() as session:
        count = session.scalar(select(func.count()).select_from(Asset))
        counted = session.scalar(select(RowCount.count).where(RowCount.name == "assets"))
        if count != counted:
            raise RuntimeError(f"row counter {counted} but {count} assets")
        events = session.scalar(select(func.count()).select_from(Event).where(Event.type == "asset.created"))
        if events != count:
            raise RuntimeError(f"{events} asset.created events but {count} assets")
    engine.dispose()
    return elapsed, cpu, result.created


def fresh_postgres(url: str) -> str:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "imports_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "imports_bench"'))
    admin.dispose()
    return make_url(url).set(database="imports_bench").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--per-row-rows", type=int, default=1_000)
    parser.add_argument("--postgres-url", default="")
    args = parser.parse_args()
    data, small = generate(args.rows), generate(args.per_row_rows)
    with tempfile.TemporaryDirectory() as tmp:
        databases = [("sqlite", lambda name: f"sqlite:///{Path(tmp) / name}.db")]
        if args.postgres_url:
            databases.append(("postgresql", lambda _name: fresh_postgres(args.postgres_url)))
        for label, url in databases:
            elapsed, cpu, created = measure(url("bulk"), data)
            slow, _, done = measure(url("rows"), small, bulk=False)
            fast_rate, slow_rate = created / elapsed, done / slow
            print(
                f"{label}: {created} assets in {elapsed:.1f} s ({fast_rate:,.0f} rows/s, {cpu:.1f} s CPU in this "
                f"process); row by row {done} in {slow:.1f} s ({slow_rate:,.0f} rows/s); "
                f"batch / row by row = {fast_rate / slow_rate:.1f}x"
            )


if __name__ == "__main__":
    main()
