"""Engine and session factory. SQLite gets WAL, foreign keys, a busy timeout, a larger page cache and
write-locking transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_CACHE_KIB = 64 * 1024


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE can be issued below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # SQLite's own lower() folds ASCII only; case-insensitive search must find "École" with "école" too.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # SQLite's default page cache is 2 MiB per connection: a filtered list that visits a few thousand rows of
        # a large table then reads most of its pages from the operating system again, a system call each. A
        # request runs to completion on one connection, so a process holds few, each with up to this much.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL syncs the log on every commit: a write the API answered 2xx for survives a power cut too.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock at the start, so a transaction that reads and then writes can
        # never fail half-way with "database is locked" because another process wrote in between.
        # Sent on the driver's connection: it needs none of the statement machinery, and every request pays it.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


def refresh_statistics(engine: Engine) -> None:
    """SQLite's planner statistics (PostgreSQL's autovacuum keeps its own). Without them SQLite cannot tell a
    selective index from a broad one: at 100k work orders the default list took twice as long and a technician's
    filtered list three times. The server runs it as it starts (app.py), before it serves: it reads every index
    (0.2 s at 100k rows per table) and holds the write lock meanwhile. Not sampled (`analysis_limit`): a sample
    misjudges skewed tables, e.g. it took one part's 100,000-line ledger for a single line per part, and the
    ledger page then sorted all of them (0.5 s instead of 0.5 ms)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)
