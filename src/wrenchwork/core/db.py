"""Engine and session factory. SQLite gets WAL, foreign keys, a busy timeout, a larger page cache and
write-locking transactions that queue for the write lock (core/write_lock.py), except in read sessions
(`make_sessionmaker(engine, read=True)`, what GET requests use): those begin a plain deferred transaction, a
consistent snapshot of the database that never waits for a writer, and are refused any write (`query_only`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core import driver, loop_reads, write_lock

# The execution option that marks a read session's connections (make_sessionmaker).
READ_OPTION = "wrenchwork_read"
# How long a SQLite transaction waits for the write lock before it fails with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 15
SQLITE_CACHE_KIB = 64 * 1024
# A pooled connection to a database server left unused this long is checked before it is handed out again.
IDLE_CHECK_SECONDS = 10.0
# A table's planner statistics are refreshed once its size is this many rows and at least a factor of two away
# from what they say.
STALE_ROWS = 1000

log = logging.getLogger("wrenchwork.db")


def fold(value: Any) -> Any:
    """Letters' case folded as a search folds them on SQLite (`lower`, and `text_fold` for the text indexes)."""
    return value.lower() if isinstance(value, str) else value


def _postgresql_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """Joins are planned in the order the statement writes them (`join_collapse_limit = 1`).

    A list page joins its page of ids to the list's table and then to each one-per-row reference (a status, an
    asset, a location, authors...): up to ten tables, which PostgreSQL would otherwise order by searching every
    join order, on every execution, since a page's plan depends on its limit and offset (a generic plan cannot
    know them and reads the whole table). That search took 14-45 ms of a work order page whose execution takes
    3; the statements are written page first (core/repository.py `from_page`), which is the order wanted.
    The planner still picks each join's method and which side is outer."""
    with dbapi_conn.cursor() as cursor:
        cursor.execute("SET join_collapse_limit = 1")
    dbapi_conn.commit()


def _check_idle_connections(engine: Engine) -> None:
    """A pooled connection is pinged (`SELECT 1`) before it is handed out only when it sat unused for
    `IDLE_CHECK_SECONDS`: a server restarted or a firewall that dropped an idle connection is then noticed before a
    request uses it, and the pool connects again (the pool retries a checkout that raises `DisconnectionError`).

    SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip for every request, 13 % of a
    PostgreSQL detail's time under load (docs/performance.md). A connection used in the last seconds that is
    found broken all the same fails its request instead, which the pool notices and then replaces every
    connection it holds: a read is tried again once (core/routing.py), a write answers 503 (core/handlers.py)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_CHECK_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("a pooled connection was found broken") from exc


def on_disk_sqlite(engine: Engine) -> bool:
    """A SQLite database in a file: WAL and a sync of its log at each commit (`make_engine`)."""
    return engine.dialect.name == "sqlite" and (engine.url.database or "") not in ("", ":memory:")


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if "poolclass" not in kwargs:
            # Reads on the server's loop hold up to `READS_AT_ONCE` (kept idle between reads too), the writer loops
            # and background work the rest; a read that found none free would hold up the loop until one came back.
            kwargs.setdefault("pool_size", loop_reads.READS_AT_ONCE + 4)
        engine = create_engine(url, **kwargs)
        driver.quick_savepoints(engine.dialect)
        _check_idle_connections(engine)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgresql_on_connect)
            if engine.dialect.driver == "psycopg":
                event.listen(engine, "do_connect", loop_reads.connect)
        return engine

    database = parsed.database or ""
    on_disk = database not in ("", ":memory:")
    # Writers of a file queue across processes; a `file:` URI names its file in a form this does not parse.
    lock = write_lock.for_database(database) if on_disk and not database.startswith("file:") else None
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "factory": write_lock.WriteLockedConnection}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    driver.quick_savepoints(engine.dialect)

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.write_lock = lock
        # Take transaction control from the driver so BEGIN IMMEDIATE can be issued below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # SQLite's own lower() folds ASCII only; case-insensitive search must find "École" with "école" too.
        dbapi_conn.create_function("lower", 1, fold, deterministic=True)
        # The same under a name of its own for the text indexes' triggers (core/text_index.py): a connection
        # without it cannot write those tables, rather than index text folded otherwise.
        dbapi_conn.create_function("text_fold", 1, fold, deterministic=True)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        # SQLite's default page cache is 2 MiB per connection: a filtered list that visits a few thousand rows of
        # a large table then reads most of its pages from the operating system again, a system call each. A
        # request runs to completion on one connection, so a process holds few, each with up to this much.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL syncs the log on every commit: a write the API answered 2xx for survives a power cut too.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock at the start, so a transaction that reads and then writes can
        # never fail half-way with "database is locked" because another process wrote in between. Writers queue
        # for it in core/write_lock.py first, rather than in SQLite's polling busy handler.
        # Sent on the driver's connection: it needs none of the statement machinery, and every request pays it.
        # A read session's transaction is deferred instead: WAL gives it a snapshot and it takes no lock at all.
        driver_connection = conn.connection.driver_connection
        if conn.get_execution_options().get(READ_OPTION):
            driver_connection.begin_read()
        else:
            try:
                driver_connection.begin_immediate(SQLITE_BUSY_TIMEOUT_S)
            except sqlite3.OperationalError as exc:
                # As SQLAlchemy reports any statement's error, so that "database is locked" after the busy timeout
                # is answered 503 with Retry-After (core/handlers.py), not 500.
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc

    return engine


def refresh_statistics(engine: Engine) -> None:
    """The planner statistics, taken as the server starts (app.py), before it serves.

    SQLite: all of them. Without them SQLite cannot tell a selective index from a broad one: at 100k work orders
    the default list took twice as long and a technician's filtered list three times. It reads every index (0.2 s
    at 100k rows per table) and holds the write lock meanwhile. Not sampled (`analysis_limit`): a sample misjudges
    skewed tables, e.g. it took one part's 100,000-line ledger for a single line per part, and the ledger page then
    sorted all of them (0.5 s instead of 0.5 ms).

    PostgreSQL, whose autovacuum keeps statistics as tables change: the tables never analyzed yet. A database just
    restored or loaded in bulk has none until autovacuum comes round (a minute or more), and the plans made
    meanwhile are guesses, which a connection's prepared statements keep: a list of 100,000 users served on a
    fresh load answered 19 requests a second (p99 1.2 s) where it answers 600 once analyzed."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            never = connection.exec_driver_sql(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname"
            )
            for table in never.scalars().all():
                connection.exec_driver_sql(f"ANALYZE {_quoted(table)}")
        return
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stale_tables(engine: Engine) -> list[str]:
    """The SQLite tables whose statistics misstate their size: at least `STALE_ROWS` rows and a factor of two
    apart (grown or shrunk), or with none yet. Counted outside any transaction, so writers go on meanwhile."""
    with contextlib.closing(engine.raw_connection()) as raw:
        db: Any = raw.driver_connection
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        known: dict[str, int] = {}
        if "sqlite_stat1" in tables:
            for table, stat in db.execute("SELECT tbl, stat FROM sqlite_stat1"):
                known[table] = max(known.get(table, 0), int(stat.split()[0]))
        stale = []
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            rows, said = db.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0], known.get(table, 0)
            if abs(rows - said) >= STALE_ROWS and (rows >= 2 * said or 2 * rows <= said):
                stale.append(table)
        return stale


def refresh_stale_statistics(engine: Engine) -> list[str]:
    """`ANALYZE` each stale table (see `stale_tables`), one at a time: the write lock is held for one table's
    analysis, not the whole database's. Returns the tables analyzed."""
    if engine.dialect.name != "sqlite":
        return []
    stale = stale_tables(engine)
    for table in stale:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"ANALYZE {_quoted(table)}")
    return stale


async def keep_statistics(engine: Engine, interval: float, merge: Callable[[Engine], list[str]] | None = None) -> None:
    """Every `interval` seconds, the statistics of the tables that grew or shrank since they were taken: a
    database that grows through the API, without restarts, keeps plans that fit its size (`refresh_statistics`
    tells what stale ones cost). Then `merge(engine)`, the text indexes that writes left in many segments merged
    again (core/text_index.py `merge_segments`): a server that runs for months under writes searches as one just
    started does. Runs until cancelled; a failed round is logged and the next one tries again."""
    while True:
        await asyncio.sleep(interval)
        try:
            analyzed = await asyncio.to_thread(refresh_stale_statistics, engine)
            merged = await asyncio.to_thread(merge, engine) if merge is not None else []
        except Exception:
            log.warning("planner statistics or text indexes not refreshed", exc_info=True)
        else:
            if analyzed:
                log.info("planner statistics refreshed", extra={"fields": {"tables": analyzed}})
            if merged:
                log.info("text indexes merged", extra={"fields": {"tables": merged}})


class PostgresReadSession(Session):
    """A read session on PostgreSQL: a REPEATABLE READ, READ ONLY transaction (one snapshot for all its
    statements, as SQLite's read transaction is, and refused any write), which `close` ends with a COMMIT.

    Why not the rollback that `close` otherwise sends: it wrote nothing, so the two are the same to the database,
    but psycopg forgets every statement it prepared on a connection at each ROLLBACK (and deallocates them on the
    server). A GET ending in one had every statement parsed and planned again on the next request: 1.9-2.9 ms of
    PostgreSQL CPU per detail at 100,000 rows, where the prepared statement's reused plan takes 0.3-0.7."""

    def close(self) -> None:
        if self.in_transaction():
            # Committed on the driver's connection itself: the session's own commit would first run the flush,
            # the commit's events and its bookkeeping, a fifth of a detail's Python time, for a transaction that
            # changed nothing. SQLAlchemy's rollback in the close below then finds the connection idle, and psycopg
            # sends nothing for it. A failed commit (the connection lost) changes nothing either.
            with contextlib.suppress(psycopg.Error, SQLAlchemyError):
                self.connection().connection.driver_connection.commit()  # type: ignore[union-attr]
        super().close()


def run_alone(session: Session) -> None:
    """Called by a read that is about to run its one and only statement (a detail, core/details.py): on
    PostgreSQL, if the session has run nothing yet (the API key was known, core/auth.py), that statement runs
    without a transaction. One statement reads one snapshot anyway, and the read saves the BEGIN and the COMMIT, two
    of its three round trips (a detail answered 1,600 times a second instead of 1,260 on one server process). A
    read that then ran more statements would read each in a snapshot of its own: only a read's last statement may
    call this."""
    if isinstance(session, PostgresReadSession) and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


class KeptReadSession(Session):
    """A read session that its `KeptReadSessions` hands out again once it is closed (see there)."""

    def __init__(self, owner: KeptReadSessions, connection: Connection) -> None:
        super().__init__(bind=connection, expire_on_commit=False, autoflush=True)
        self.owner = owner
        self.kept_connection = connection
        self.lent = False
        self.idle_since = 0.0

    def close(self) -> None:
        super().close()  # ends the read transaction; the connection stays open, bound to the session
        if self.lent:
            self.lent = False
            self.owner.give_back(self)


class KeptPostgresReadSession(KeptReadSession, PostgresReadSession):
    """A `PostgresReadSession` kept for the next read."""


class KeptReadSessions(sessionmaker[Session]):
    """Read sessions (`make_sessionmaker(read=True)`), each with its own connection, handed out again when closed:
    called like a sessionmaker, it answers an idle one, or a new one when none is idle.

    Why: a new session checks a connection out of the pool, wraps it in a new `Connection`, sets its isolation
    level, and at its close resets it and checks the connection in again: on SQLite 39 µs of SQLAlchemy's
    bookkeeping per GET, where a session bound to a connection it keeps takes 14 µs (a detail's in-process CPU
    went from 0.17 to 0.12 ms). Closing one is what it always was (its transaction ended, its objects let go): its
    next read begins a new transaction and sees the database as it is then.

    At most `KEEP_IDLE` wait idle (as many as may read at once on PostgreSQL, core/loop_reads.py), each holding
    one of the pool's connections. One whose connection was found broken is let go with every idle one (on
    PostgreSQL the server may have restarted: the pool replaces them all, core/db.py `_check_idle_connections`);
    one idle for `IDLE_CHECK_SECONDS` is pinged before it is handed out again, as the pool does; one left in a
    transaction (used after its close) is not kept. An isolation level a read changed for itself (`run_alone`) is
    set back. Only for a database server or a SQLite file: in-memory SQLite's pools give each thread a connection
    of its own, and a kept session is handed out in whatever thread asks (exports read in a worker thread)."""

    KEEP_IDLE = loop_reads.READS_AT_ONCE

    def __init__(self, bind: Engine, session_class: type[KeptReadSession], info: dict[str, Any]) -> None:
        super().__init__(bind, info=info)
        self.session_class = session_class
        self.isolation_level = bind.get_execution_options().get("isolation_level")
        self.idle: list[KeptReadSession] = []

    def __call__(self, **_local_kw: Any) -> Session:
        session = self._take_idle() or self.session_class(self, self.kw["bind"].connect())
        session.lent = True
        session.info.clear()
        session.info.update(self.kw["info"])
        return session

    def _take_idle(self) -> KeptReadSession | None:
        while self.idle:
            try:
                session = self.idle.pop()  # atomic: two threads never take the same one
            except IndexError:
                return None
            connection = session.kept_connection
            if session.in_transaction():
                connection.close()  # used again after its close, by whoever held it: not lent out
            elif time.monotonic() - session.idle_since >= IDLE_CHECK_SECONDS and not self._alive(connection):
                connection.invalidate()
                connection.close()
                self.close_idle()
            else:
                return session
        return None

    def _alive(self, connection: Connection) -> bool:
        driver_connection = connection.connection.dbapi_connection
        try:
            if driver_connection is None or not connection.dialect.do_ping(driver_connection):
                return False
        except Exception:
            return False
        return True

    def give_back(self, session: KeptReadSession) -> None:
        connection = session.kept_connection
        if connection.invalidated:
            connection.close()  # back to the pool, which replaces it
            self.close_idle()
        elif connection.in_transaction() or len(self.idle) >= self.KEEP_IDLE:
            connection.close()
        else:
            if connection.get_execution_options().get("isolation_level") != self.isolation_level:
                connection.execution_options(isolation_level=self.isolation_level)
            session.idle_since = time.monotonic()
            self.idle.append(session)

    def close_idle(self) -> None:
        """Every idle session's connection back to the pool (also the server's shutdown, before the engine's
        disposal)."""
        while self.idle:
            try:
                self.idle.pop().kept_connection.close()
            except IndexError:
                return


def make_sessionmaker(engine: Engine, read: bool = False, info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`, each with a copy of `info` in its `session.info`. `read=True`: sessions for requests
    that change nothing (GET), whose SQLite transactions neither take nor wait for the write lock (see the top of
    this module); `session.info["read"]` tells them apart. On PostgreSQL readers never wait for writers anyway; its
    read sessions are `PostgresReadSession`s, which keep the connection's prepared statements. Read sessions are
    kept for the next read (`KeptReadSessions`), but for in-memory SQLite."""
    info = dict(info or {})
    if not read:
        return sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)
    info["read"] = True
    if engine.dialect.name == "postgresql":
        snapshot = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        return KeptReadSessions(snapshot, KeptPostgresReadSession, info)
    if on_disk_sqlite(engine):
        return KeptReadSessions(engine.execution_options(**{READ_OPTION: True}), KeptReadSession, info)
    bind = engine.execution_options(**{READ_OPTION: True}) if engine.dialect.name == "sqlite" else engine
    return sessionmaker(bind, expire_on_commit=False, autoflush=True, info=info)
