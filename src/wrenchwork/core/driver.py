"""Long-lived statements run straight on the driver's cursor.

The statements every request runs (the API key lookup, a list's page) are built once and then run again and again
with new values. Around each of them, SQLAlchemy's execution path (statement cache lookup, execution context,
result and row objects) cost as much as a fifth of a list request. A statement registered with `keep` (it must
live as long as the process: module-level, or held by core/repository.py `prebuilt`) is compiled once per dialect
into the driver's SQL and parameter order; `rows` then hands back the driver's rows, each value through its column
type's result processor (so a date-time is still an aware `datetime`). A kept INSERT is run the same way by
`execute` (the event outbox's rows, written with every change: through SQLAlchemy they cost a third of the
outbox's time), and so is a kept UPDATE (a part's stock, parts/stock.py).

On psycopg a kept statement is compiled with PostgreSQL's own placeholders (`$1`, SQLAlchemy's `numeric_dollar`
style) and run on a `RawCursor`, which sends it as it is. psycopg's usual cursor rewrites every `%(name)s` into
`$n` on each execution and caches the result only for statements under 4 KiB; a detail or list page that renders
its JSON is 5-11 KiB, and that rewrite was a tenth of a PostgreSQL detail's server time.

`rows` runs any other statement through SQLAlchemy, with the same answer, and so it does a kept one when the
driver cannot take it as compiled (an expanding `IN` list, a value rendered into the SQL, a column default that
Python computes for each execution) or whenever anything watches statements: execution listeners
(`before_cursor_execute` and the like: a tracer, the tests' statement counter) or SQLAlchemy's SQL log. They
still see every statement, with its full context. Errors are SQLAlchemy's either way: a parameter that is missing
or that its type refuses is a `StatementError`, a driver error a `DBAPIError`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from psycopg import RawCursor
from sqlalchemy import Connection, Dialect, Float, Numeric
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError
from sqlalchemy.sql import Insert, Select, Update
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]
S = TypeVar("S")
_REQUIRED = object()
_SQL_LOG = logging.getLogger("sqlalchemy.engine.Engine")


@dataclass(frozen=True, slots=True)
class _Placeholder:
    name: str  # the driver's name for it (a mapping's key; positional drivers ignore it)
    key: str  # the parameter that fills it at execution
    default: Any  # the value the statement carries, used when the execution gives none (_REQUIRED: it must)
    processor: Processor | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    placeholders: tuple[_Placeholder, ...]
    positional: bool
    results: tuple[Processor | None, ...]
    native: bool = False  # `sql` uses PostgreSQL's `$n` placeholders: run it on psycopg's RawCursor

    def arguments(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for placeholder in self.placeholders:
            value = params.get(placeholder.key, placeholder.default)
            if value is _REQUIRED:
                raise InvalidRequestError(f"A value is required for bind parameter {placeholder.key!r}")
            values.append(value if placeholder.processor is None else placeholder.processor(value))
        if self.positional:
            return tuple(values)
        return {placeholder.name: value for placeholder, value in zip(self.placeholders, values, strict=True)}

    def processed(self, rows: Sequence[Any]) -> Sequence[Sequence[Any]]:
        if not any(self.results):
            return rows
        steps = self.results
        return [tuple(v if step is None else step(v) for v, step in zip(row, steps, strict=True)) for row in rows]


# The kept statements by identity (each held here, so its identity is never reused), and their compiled forms by
# (identity, dialect name). Both are bounded by what is kept: module-level statements and `prebuilt`'s own bound.
_KEPT: dict[int, Select[Any] | Insert | Update] = {}
_COMPILED: dict[tuple[int, str], _Compiled | None] = {}


def keep(stmt: S) -> S:
    """Registers `stmt`, which lives as long as the process, for the driver's path; returns it."""
    if isinstance(stmt, Select | Insert | Update):
        _KEPT[id(stmt)] = stmt
    return stmt


# psycopg's dialect writing `$n` placeholders, made from the first one seen (as `_COMPILED` keeps one compiled
# form per dialect name).
_NATIVE: dict[str, Dialect] = {}


def _native_dialect(dialect: Dialect) -> Dialect | None:
    """`dialect` writing PostgreSQL's own `$n` placeholders, for psycopg's RawCursor (see the module's text)."""
    if dialect.driver != "psycopg":
        return None
    if dialect.name not in _NATIVE:
        native: Any = copy.copy(dialect)
        native.paramstyle, native.positional = "numeric_dollar", True
        native.identifier_preparer = native.preparer(native)  # a `%` is written as it is, not doubled
        _NATIVE[dialect.name] = native
    return _NATIVE[dialect.name]


def _compile(stmt: Select[Any] | Insert | Update, dialect: Dialect) -> _Compiled | None:
    """The driver's form of `stmt`, or None when only SQLAlchemy can run it (values to expand or render)."""
    native = _native_dialect(dialect)
    compiled: Any = stmt.compile(dialect=native or dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        return None
    if compiled.insert_prefetch or compiled.update_prefetch:
        return None  # a column default Python computes at each execution (an `onupdate` time), which SQLAlchemy fills
    names = compiled.positiontup if compiled.positional else list(compiled.binds)
    placeholders = []
    for name in names:
        bind = compiled.binds[name]
        if bind.callable is not None:
            return None
        default = _REQUIRED if bind.required else bind.value
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        driver_name = compiled.escaped_bind_names.get(name, name)
        placeholders.append(_Placeholder(driver_name, bind.key, default, processor))
    results = tuple(_result_processor(column.type, dialect) for column in stmt.exported_columns)
    return _Compiled(compiled.string, tuple(placeholders), compiled.positional, results, native is not None)


# What psycopg answers a numeric column with (float8, numeric): SQLAlchemy's PostgreSQL numeric types choose their
# result processor by it, and a statement compiled ahead of its first cursor has none to give.
_PG_TYPE_CODES = ((Float, 701), (Numeric, 1700))


def _result_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    impl = type_.dialect_impl(dialect)
    stored = getattr(impl, "impl_instance", impl)  # a TypeDecorator's own type
    code = next((code for kind, code in _PG_TYPE_CODES if isinstance(stored, kind)), None)
    processor: Processor | None = impl.result_processor(dialect, code if dialect.name == "postgresql" else None)
    return processor


def _compiled(stmt: Select[Any] | Insert | Update, dialect: Dialect) -> _Compiled | None:
    if id(stmt) not in _KEPT:
        return None
    key = (id(stmt), dialect.name)
    if key not in _COMPILED:
        _COMPILED[key] = _compile(stmt, dialect)
    return _COMPILED[key]


def _listened(connection: Connection) -> bool:
    """Someone watches statements: execution listeners, or SQLAlchemy's SQL log (`echo`, the logger at INFO)."""
    events = connection.dispatch
    return bool(
        events.before_execute or events.after_execute or events.before_cursor_execute or events.after_cursor_execute
    ) or _SQL_LOG.isEnabledFor(logging.INFO)


def _cursor(connection: Connection, compiled: _Compiled) -> Any:
    driver_connection: Any = connection.connection.driver_connection
    if compiled.native:
        return RawCursor(driver_connection)
    return driver_connection.cursor()


def rows(
    connection: Connection, stmt: Select[Any], params: Mapping[str, Any], prepare: bool = True
) -> Sequence[Sequence[Any]]:
    """Every row of `stmt` with `params`, as sequences of column values (see the module's text).

    `prepare=False`: PostgreSQL plans the statement for these values every time. psycopg prepares a statement on
    its fifth execution, and PostgreSQL may then reuse a generic plan made without the values, which for a text
    search (`LIKE` a bound pattern) walks the sort's index testing every row instead of reading the trigram
    indexes: 20 ms instead of 1 for a selective term among 10,000 assets (docs/performance.md)."""
    compiled = _compiled(stmt, connection.dialect)
    if compiled is None or _listened(connection):
        return connection.execute(stmt, params).all()
    try:
        arguments = compiled.arguments(params)
    except Exception as exc:  # as SQLAlchemy reports a missing or refused parameter
        raise StatementError(str(exc), compiled.sql, dict(params), exc) from exc
    if not connection.in_transaction():
        connection.begin()  # as Connection.execute would (autobegin), with the engine's `begin` listeners
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = _cursor(connection, compiled)
    try:
        if prepare or connection.dialect.name != "postgresql":
            cursor.execute(compiled.sql, arguments)
        else:
            cursor.execute(compiled.sql, arguments, prepare=False)  # psycopg's own
        fetched = cursor.fetchall()
    except dbapi_error as exc:
        raise DBAPIError.instance(compiled.sql, arguments, exc, dbapi_error, dialect=connection.dialect) from exc
    finally:
        cursor.close()
    return compiled.processed(fetched)


def execute(
    connection: Connection, stmt: Insert | Update, params: Sequence[Mapping[str, Any]]
) -> Sequence[Sequence[Any]]:
    """Runs the kept INSERT or UPDATE `stmt` once for each of `params` (one `executemany` for several) on the driver's
    cursor, as `rows` runs a query, and answers the rows its RETURNING gives for a single execution (none for
    several). Through SQLAlchemy in the same cases as `rows`."""
    compiled = _compiled(stmt, connection.dialect)
    if compiled is None or _listened(connection):
        result = connection.execute(stmt, params[0] if len(params) == 1 else list(params))
        return result.all() if result.returns_rows else []
    try:
        arguments = [compiled.arguments(one) for one in params]
    except Exception as exc:  # as SQLAlchemy reports a missing or refused parameter
        raise StatementError(str(exc), compiled.sql, dict(params[0]), exc) from exc
    if not connection.in_transaction():
        connection.begin()
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = _cursor(connection, compiled)
    try:
        if len(arguments) > 1:
            cursor.executemany(compiled.sql, arguments)  # all one kind
            return []
        cursor.execute(compiled.sql, arguments[0])
        fetched = cursor.fetchall() if cursor.description else []
    except dbapi_error as exc:
        raise DBAPIError.instance(compiled.sql, arguments, exc, dbapi_error, dialect=connection.dialect) from exc
    finally:
        cursor.close()
    return compiled.processed(fetched)


def quick_savepoints(dialect: Dialect) -> None:
    """`dialect`'s SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT sent straight on the driver's connection.

    Every write grouped on SQLite (core/group_commit.py) opens a savepoint and releases or rolls back to it. Through
    SQLAlchemy (`Connection.execute` of a savepoint clause: compilation cache, execution context, result) the two
    were a tenth of the interpreter time a work order create holds under load. SQLAlchemy still names and tracks
    the savepoint (`Connection.begin_nested`); only its statement skips the machinery, and goes through it as
    before whenever anything watches statements, so a tracer or the SQL log still sees it."""
    quote = dialect.identifier_preparer.quote

    def sender(verb: str, fallback: Callable[[Connection, str], None]) -> Callable[[Connection, str], None]:
        def send(connection: Connection, name: str) -> None:
            if _listened(connection):
                fallback(connection, name)
                return
            sql = f"{verb} {quote(name)}"
            dbapi_error = connection.dialect.loaded_dbapi.Error
            try:
                connection.connection.driver_connection.execute(sql)  # type: ignore[union-attr]
            except dbapi_error as exc:
                raise DBAPIError.instance(sql, (), exc, dbapi_error, dialect=connection.dialect) from exc

        return send

    for method, verb in (
        ("do_savepoint", "SAVEPOINT"),
        ("do_release_savepoint", "RELEASE SAVEPOINT"),
        ("do_rollback_to_savepoint", "ROLLBACK TO SAVEPOINT"),
    ):
        setattr(dialect, method, sender(verb, getattr(dialect, method)))
